import type { AttributeDefinition } from '@pond/contracts';
import type { Trx } from '@pond/storage';
import { attributesFromTraits, definitionsOf } from '../customers/attributes.ts';
import { resolveCustomer, touchActivity } from '../customers/resolve.ts';
import type { Platform } from '../platform/platform.ts';
import { ok, type Result } from '../shared/result.ts';
import { updateCatalog } from './catalog.ts';
import { isRejection, type ParsedMessage, parseSegmentMessage } from './segment-message.ts';
import { createWriteGroup } from './write-group.ts';

export const MAX_BATCH_EVENTS = 2500;

export interface IngestSource {
  readonly id: string;
  readonly tenantId: string;
}

export interface IngestOutcome {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: { index: number; messageId: string | null; reason: string; field: string }[];
}

/**
 * Stores Segment messages for one source in one transaction, committed before the caller
 * answers. Invalid messages are rejected one by one (and kept for the debugger); the valid
 * ones in the same request are stored. messageIds seen within the dedupe window are dropped.
 */
export function createIngest(p: Platform) {
  const { clock } = p;
  const deps = { clock, outbox: p.outbox };
  // Concurrent requests share transactions; each still answers only after its events commit.
  const inGroup = createWriteGroup(p);

  /**
   * One statement per table per request where it can be: the batch's messageIds in one insert
   * (those that come back are new), its events in one insert, one outbox insert, and one
   * activity update per customer. Resolving identities is the per-visitor cost.
   */
  async function store(trx: Trx, source: IngestSource, messages: ParsedMessage[], receivedAt: number) {
    const fresh = await trx
      .insertInto('message_ids')
      .values(
        messages.map((m) => ({
          tenant_id: source.tenantId,
          message_id: m.messageId,
          received_at: receivedAt,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'message_id']).doNothing())
      .returning('message_id')
      .execute();
    const isFresh = new Set(fresh.map((r) => r.message_id));
    const toStore = messages.filter((m) => isFresh.has(m.messageId));
    if (toStore.length === 0) return 0;

    // Resolving the same visitor once per request keeps a batch from one visitor cheap;
    // identify and alias always resolve, since they may link or merge profiles.
    const cache = new Map<string, number>();
    const customerOf: number[] = [];
    const definitions = toStore.some((m) => m.type === 'identify')
      ? await definitionsOf(trx, source.tenantId)
      : new Map<string, AttributeDefinition>();
    for (const m of toStore) {
      const cacheKey =
        m.type === 'track' || m.type === 'page' || m.type === 'screen' ? JSON.stringify(m.identities) : '';
      let customerId = cacheKey ? cache.get(cacheKey) : undefined;
      if (customerId === undefined) {
        const r = await resolveCustomer(trx, deps, {
          tenantId: source.tenantId,
          identities: m.identities,
          source: 'segment',
          at: m.timestamp,
          profile: m.profile,
          ...(m.type === 'identify' ? { attributes: attributesFromTraits(definitions, m.properties) } : {}),
        });
        if (!r.ok) throw new Error(r.error.message);
        customerId = r.value.customerId;
        if (cacheKey) cache.set(cacheKey, customerId);
        // A merge may have folded an earlier profile of this batch into this one.
        for (const merged of r.value.mergedIds) {
          for (const [k, v] of cache) if (v === merged) cache.set(k, customerId);
          for (const [i, v] of customerOf.entries()) if (v === merged) customerOf[i] = customerId;
        }
      }
      customerOf.push(customerId);
    }

    const inserted = await trx
      .insertInto('events')
      .values(
        toStore.map((m, i) => ({
          tenant_id: source.tenantId,
          customer_id: customerOf[i] ?? 0,
          origin_customer_id: customerOf[i] ?? 0,
          source_id: source.id,
          message_id: m.messageId,
          type: m.type,
          name: m.name,
          properties: JSON.stringify(m.properties),
          context: JSON.stringify(m.context),
          timestamp: m.timestamp,
          received_at: receivedAt,
        })),
      )
      .returning(['id', 'message_id'])
      .execute();
    const eventId = new Map(inserted.map((r) => [r.message_id, r.id]));

    const span = new Map<number, { first: number; last: number }>();
    for (const [i, m] of toStore.entries()) {
      const id = customerOf[i] ?? 0;
      const s = span.get(id);
      span.set(
        id,
        s
          ? { first: Math.min(s.first, m.timestamp), last: Math.max(s.last, m.timestamp) }
          : { first: m.timestamp, last: m.timestamp },
      );
    }
    for (const [customerId, s] of span) {
      await touchActivity(trx, customerId, s.last);
      if (s.first < s.last) await touchActivity(trx, customerId, s.first);
    }

    await p.outbox.append(
      trx,
      toStore.map((m, i) => ({
        tenantId: source.tenantId,
        type: 'event.tracked',
        aggregateType: 'customer',
        aggregateId: String(customerOf[i]),
        payload: {
          eventId: eventId.get(m.messageId),
          customerId: customerOf[i],
          type: m.type,
          name: m.name,
          timestamp: m.timestamp,
        },
      })),
    );
    await updateCatalog(trx, source.tenantId, toStore, receivedAt);
    return toStore.length;
  }

  return {
    /**
     * `type` is the endpoint's type for single calls, undefined for batches (each message
     * carries its own). `common` holds a batch's top-level context and sentAt.
     */
    async ingest(
      source: IngestSource,
      raws: readonly unknown[],
      type: string | undefined,
      common: { context?: unknown; sentAt?: unknown } = {},
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
          const m = parseSegmentMessage(merged, type, receivedAt, common.sentAt);
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
      const accepted = await inGroup(async (trx) => {
        const n = unique.length ? await store(trx, source, unique, receivedAt) : 0;
        if (rejected.length) {
          await trx
            .insertInto('ingest_rejections')
            .values(
              rejected.slice(0, 100).map((r) => ({
                tenant_id: source.tenantId,
                source_id: source.id,
                message_id: r.messageId,
                reason: r.reason,
                field: r.field || null,
                excerpt: JSON.stringify(raws[r.index] ?? null).slice(0, 2048),
                received_at: receivedAt,
              })),
            )
            .execute();
        }
        return n;
      });
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
  };
}

export type Ingest = ReturnType<typeof createIngest>;
