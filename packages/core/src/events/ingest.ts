import type { AttributeDefinition } from '@pond/contracts';
import type { BulkColumns, BulkInsert, Trx } from '@pond/storage';
import { attributesFromTraits, definitionsOf } from '../customers/attributes.ts';
import { type NormalizedIdentity, normalizeIdentity } from '../customers/identity-normalize.ts';
import { identityKey, identityOwners, resolveCustomer, touchActivities } from '../customers/resolve.ts';
import type { Platform } from '../platform/platform.ts';
import { ok, type Result } from '../shared/result.ts';
import { tallyCatalog, writeCatalog } from './catalog.ts';
import { isRejection, MAX_EVENT_BYTES, type ParsedMessage, parseSegmentMessage } from './segment-message.ts';
import { createBatchWriter } from './write-group.ts';

export const MAX_BATCH_EVENTS = 2500;
/** The most events one shared transaction takes (a request is never split). */
const MAX_EVENTS_PER_TRANSACTION = 10_000;

export interface IngestSource {
  readonly id: string;
  readonly tenantId: string;
}

export interface IngestOutcome {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: { index: number; messageId: string | null; reason: string; field: string }[];
}

/** One request's share of a shared transaction. */
interface Pending {
  readonly source: IngestSource;
  /** Valid messages, each messageId once. */
  readonly messages: readonly ParsedMessage[];
  readonly rejected: IngestOutcome['rejected'];
  readonly raws: readonly unknown[];
  readonly receivedAt: number;
}

const MESSAGE_IDS: BulkInsert = {
  table: 'message_ids',
  columns: [
    ['tenant_id', 'text'],
    ['message_id', 'text'],
    ['received_at', 'bigint'],
  ],
  onConflictDoNothing: ['tenant_id', 'message_id'],
  returning: ['tenant_id', 'message_id'],
};

/** The columns of a stored event, in the order bulk rows give them (ingest and the demo). */
export const EVENT_COLUMNS: BulkColumns = [
  ['tenant_id', 'text'],
  ['customer_id', 'bigint'],
  ['origin_customer_id', 'bigint'],
  ['source_id', 'text'],
  ['message_id', 'text'],
  ['type', 'text'],
  ['name', 'text'],
  ['properties', 'text'],
  ['context', 'text'],
  ['timestamp', 'bigint'],
  ['received_at', 'bigint'],
];

const EVENTS: BulkInsert = {
  table: 'events',
  columns: EVENT_COLUMNS,
  returning: ['id', 'tenant_id', 'message_id'],
};

/** A message to store, with the request it came in and the customer it resolved to. */
interface Fresh {
  readonly m: ParsedMessage;
  readonly request: Pending;
  /** The profile the message resolved to: the event's `origin_customer_id`, which un-merge follows. */
  origin: number;
  /** The profile holding it now (the origin, or the profile it was merged into since). */
  customerId: number;
}

const messageKey = (tenantId: string, messageId: string) => `${tenantId}\u0000${messageId}`;

/** The message's identities in their stored form; null if one does not normalize. */
function normalizedIdentities(m: ParsedMessage): NormalizedIdentity[] | null {
  const out: NormalizedIdentity[] = [];
  for (const identity of m.identities) {
    const n = normalizeIdentity(identity, 'identities');
    if (!n.ok) return null;
    out.push(n.value);
  }
  return out;
}

/** Each customer's earliest and latest event time among these messages. */
function spansOf(fresh: readonly Fresh[]) {
  const spans = new Map<number, { first: number; last: number }>();
  for (const { m, customerId } of fresh) {
    const s = spans.get(customerId);
    if (!s) spans.set(customerId, { first: m.timestamp, last: m.timestamp });
    else {
      if (m.timestamp < s.first) s.first = m.timestamp;
      if (m.timestamp > s.last) s.last = m.timestamp;
    }
  }
  return spans;
}

/**
 * Stores Segment messages, committed before the caller answers. Invalid messages are rejected
 * one by one (and kept for the debugger); the valid ones in the same request are stored.
 * messageIds seen within the dedupe window are dropped.
 */
export function createIngest(p: Platform) {
  const { clock, dialect } = p;
  const deps = { clock, outbox: p.outbox };

  /**
   * Resolves each message to its customer, in arrival order. The identities of all messages
   * are read at once; a message whose identities all belong to one customer and that changes
   * no profile (anything but identify) goes to that customer directly, exactly as OneID would
   * resolve it. The others go through OneID one by one, and what they create or merge is
   * carried forward to the messages after them.
   */
  async function resolveAll(trx: Trx, tenantId: string, fresh: readonly Fresh[]) {
    // Activity times are written before OneID may merge a profile holding messages of this
    // transaction, so a merge (and its undo) sees the profiles as they would be had the
    // messages been stored one by one. Only a known profile can be merged: a message whose
    // identities are all new makes a new profile.
    let touched = 0;
    const touchSoFar = async (upTo: number) => {
      if (upTo > touched) await touchActivities(trx, dialect, spansOf(fresh.slice(touched, upTo)));
      touched = upTo;
    };
    const identities = fresh.map((f) => normalizedIdentities(f.m));
    const owner = await identityOwners(
      trx,
      tenantId,
      identities.flatMap((list) => list ?? []),
    );
    let definitions: Map<string, AttributeDefinition> | undefined;
    for (const [i, f] of fresh.entries()) {
      const ids = identities[i];
      const { m } = f;
      if (m.type !== 'identify' && ids && ids.length > 0) {
        const first = owner.get(identityKey(ids[0] as NormalizedIdentity));
        if (first !== undefined && ids.every((id) => owner.get(identityKey(id)) === first)) {
          f.origin = first;
          f.customerId = first;
          continue;
        }
      }
      if (ids?.some((id) => owner.has(identityKey(id))) ?? true) await touchSoFar(i);
      if (m.type === 'identify') definitions ??= await definitionsOf(trx, tenantId);
      const r = await resolveCustomer(trx, deps, {
        tenantId,
        identities: m.identities,
        source: 'segment',
        at: m.timestamp,
        profile: m.profile,
        ...(m.type === 'identify' && definitions
          ? { attributes: attributesFromTraits(definitions, m.properties) }
          : {}),
      });
      if (!r.ok) throw new Error(r.error.message);
      const survivor = r.value.customerId;
      f.origin = survivor;
      f.customerId = survivor;
      const conflicted = new Set(r.value.conflicts.map((c) => identityKey(c.identity)));
      for (const id of ids ?? []) {
        const k = identityKey(id);
        if (!conflicted.has(k)) owner.set(k, survivor);
      }
      // A merge moves every identity and event of the folded profiles to the survivor.
      if (r.value.mergedIds.length > 0) {
        const merged = new Set(r.value.mergedIds);
        for (const [k, v] of owner) if (merged.has(v)) owner.set(k, survivor);
        for (const earlier of fresh.slice(0, i)) {
          if (merged.has(earlier.customerId)) earlier.customerId = survivor;
        }
      }
    }
    await touchSoFar(fresh.length);
  }

  /**
   * Stores the requests of one shared transaction with one statement per table where it can:
   * every messageId at once (those that come back are new), the identities of every message
   * in one read, every event, outbox entry and activity time at once, and the catalog once
   * per event name.
   */
  async function storeAll(trx: Trx, requests: readonly Pending[]): Promise<number[]> {
    // A messageId counts once, for the first request of the transaction that sent it.
    const firsts = new Map<string, Fresh>();
    for (const request of requests) {
      for (const m of request.messages) {
        const k = messageKey(request.source.tenantId, m.messageId);
        if (!firsts.has(k)) firsts.set(k, { m, request, origin: 0, customerId: 0 });
      }
    }
    const inserted = await dialect.insertMany(
      trx,
      MESSAGE_IDS,
      [...firsts.values()].map((f) => [f.request.source.tenantId, f.m.messageId, f.request.receivedAt]),
    );
    const isNew = new Set(inserted.map((r) => messageKey(String(r.tenant_id), String(r.message_id))));
    const fresh = [...firsts].filter(([k]) => isNew.has(k)).map(([, f]) => f);

    const byTenant = new Map<string, Fresh[]>();
    for (const f of fresh) {
      const list = byTenant.get(f.request.source.tenantId);
      if (list) list.push(f);
      else byTenant.set(f.request.source.tenantId, [f]);
    }
    for (const [tenantId, list] of byTenant) await resolveAll(trx, tenantId, list);

    const events = await dialect.insertMany(
      trx,
      EVENTS,
      fresh.map(({ m, request, origin, customerId }) => [
        request.source.tenantId,
        customerId,
        origin,
        request.source.id,
        m.messageId,
        m.type,
        m.name,
        JSON.stringify(m.properties),
        JSON.stringify(m.context),
        m.timestamp,
        request.receivedAt,
      ]),
    );
    const eventId = new Map(
      events.map((r) => [messageKey(String(r.tenant_id), String(r.message_id)), Number(r.id)]),
    );

    await p.outbox.append(
      trx,
      fresh.map(({ m, request, customerId }) => ({
        tenantId: request.source.tenantId,
        type: 'event.tracked',
        aggregateType: 'customer',
        aggregateId: String(customerId),
        payload: {
          eventId: eventId.get(messageKey(request.source.tenantId, m.messageId)),
          customerId,
          type: m.type,
          name: m.name,
          timestamp: m.timestamp,
        },
      })),
    );
    for (const [tenantId, list] of byTenant) {
      const received = list.map((f) => f.request.receivedAt);
      await writeCatalog(
        trx,
        tenantId,
        tallyCatalog(list.map((f) => f.m)),
        Math.min(...received),
        Math.max(...received),
      );
    }

    const rejections = requests.flatMap((r) =>
      r.rejected.slice(0, 100).map((x) => ({
        tenant_id: r.source.tenantId,
        source_id: r.source.id,
        message_id: x.messageId,
        reason: x.reason,
        field: x.field || null,
        excerpt: JSON.stringify(r.raws[x.index] ?? null).slice(0, 2048),
        received_at: r.receivedAt,
      })),
    );
    if (rejections.length > 0) await trx.insertInto('ingest_rejections').values(rejections).execute();

    const accepted = new Map<Pending, number>();
    for (const f of fresh) accepted.set(f.request, (accepted.get(f.request) ?? 0) + 1);
    return requests.map((r) => accepted.get(r) ?? 0);
  }

  // Concurrent requests share transactions; each still answers only after its events commit.
  const write = createBatchWriter<Pending, number>(p, storeAll, {
    maxItems: 256,
    weight: (r) => r.messages.length,
    maxWeight: MAX_EVENTS_PER_TRANSACTION,
  });

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
          ? await write({ source, messages: unique, rejected, raws, receivedAt })
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
  };
}

export type Ingest = ReturnType<typeof createIngest>;
