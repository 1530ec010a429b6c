import type { Platform } from '../platform/platform.ts';
import { ok, type Result } from '../shared/result.ts';
import {
  createEventStore,
  type IngestSource,
  type Pending,
  SHARED_TRANSACTIONS,
  toStoreMessage,
} from './event-store.ts';
import { startIngestThread } from './ingest-thread-client.ts';
import { isRejection, MAX_EVENT_BYTES, type ParsedMessage, parseSegmentMessage } from './segment-message.ts';
import { createBatchWriter } from './write-group.ts';

export type { IngestSource } from './event-store.ts';

export const MAX_BATCH_EVENTS = 2500;
/** The most rejections of one request kept for the debugger. */
const KEPT_REJECTIONS = 100;

export interface IngestOutcome {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: { index: number; messageId: string | null; reason: string; field: string }[];
}

export interface IngestOptions {
  /**
   * Stores on a thread of its own, with its own connection to this SQLite file, so that
   * requests are parsed and validated on the main thread while the previous ones are written
   * (the server's embedded mode). Without it, or on PostgreSQL, storing runs on the main thread.
   */
  readonly thread?: { readonly path: string; readonly writeTurns: SharedArrayBuffer } | null;
}

/**
 * Stores Segment messages, committed before the caller answers. Invalid messages are rejected
 * one by one (and kept for the debugger); the valid ones in the same request are stored.
 * messageIds seen within the dedupe window are dropped.
 */
export function createIngest(p: Platform, options: IngestOptions = {}) {
  const { clock } = p;
  // Concurrent requests share transactions; each still answers only after its events commit.
  const thread = options.thread ? startIngestThread(options.thread, () => p.outbox.wake()) : null;
  const write =
    thread?.write ?? createBatchWriter<Pending, number>(p, createEventStore(p), SHARED_TRANSACTIONS);

  return {
    /**
     * `type` is the endpoint's type for single calls, undefined for batches (each message
     * carries its own). `common` holds a batch's top-level context and sentAt, and the size
     * of the request body in bytes when known.
     */
    async ingest(
      source: IngestSource,
      raws: readonly unknown[],
      type: string | undefined,
      common: { context?: unknown; sentAt?: unknown; bytes?: number } = {},
    ): Promise<Result<IngestOutcome>> {
      const receivedAt = clock.now();
      const rejected: IngestOutcome['rejected'] = [];
      const valid: ParsedMessage[] = [];
      if (raws.length > MAX_BATCH_EVENTS) {
        for (const index of raws.keys()) {
          rejected.push({
            index,
            messageId: null,
            reason: `a batch holds at most ${MAX_BATCH_EVENTS} events`,
            field: 'batch',
          });
        }
      } else {
        // A message is never larger than its request (its share of a batch's context
        // included), so a small request needs no message measured.
        const checkSize = !(common.bytes !== undefined && common.bytes <= MAX_EVENT_BYTES);
        raws.forEach((raw, index) => {
          const merged =
            common.context && typeof raw === 'object' && raw !== null
              ? {
                  ...raw,
                  context: {
                    ...(common.context as object),
                    ...((raw as { context?: object }).context ?? {}),
                  },
                }
              : raw;
          const m = parseSegmentMessage(merged, type, receivedAt, common.sentAt, checkSize);
          if (isRejection(m)) {
            const messageId =
              typeof (raw as { messageId?: unknown })?.messageId === 'string'
                ? (raw as { messageId: string }).messageId
                : null;
            rejected.push({ index, messageId, reason: m.reason, field: m.field });
          } else valid.push(m);
        });
      }
      // Duplicates inside one request count once, like across requests.
      const unique = [...new Map(valid.map((m) => [m.messageId, m])).values()];
      const accepted =
        unique.length > 0 || rejected.length > 0
          ? await write({
              source: { id: source.id, tenantId: source.tenantId },
              messages: unique.map(toStoreMessage),
              rejected: rejected.slice(0, KEPT_REJECTIONS).map((x) => ({
                messageId: x.messageId,
                reason: x.reason,
                field: x.field,
                excerpt: JSON.stringify(raws[x.index] ?? null).slice(0, 2048),
              })),
              receivedAt,
            })
          : 0;
      return ok({ accepted, duplicates: valid.length - accepted, rejected });
    },

    /** Forgets messageIds older than the dedupe window, so the table stays small. */
    async pruneMessageIds(windowMs: number): Promise<number> {
      const r = await p.db
        .deleteFrom('message_ids')
        .where('received_at', '<', clock.now() - windowMs)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Settles once the ingest thread, if any, has started. */
    async ready(): Promise<void> {
      await thread?.ready();
    },

    /** Stops the ingest thread, if any, once what it was given is stored. */
    async stop(): Promise<void> {
      await thread?.stop();
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
