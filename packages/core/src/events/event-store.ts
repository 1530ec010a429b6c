import type { AttributeDefinition } from '@pond/contracts';
import type { BulkColumns, BulkInsert, Trx } from '@pond/storage';
import { attributesFromTraits, definitionsOf } from '../customers/attributes.ts';
import type { NormalizedIdentity } from '../customers/identity-normalize.ts';
import {
  identityKey,
  identityOwners,
  type ProfilePatch,
  resolveNormalized,
  touchActivities,
} from '../customers/resolve.ts';
import { createVisitors, isNewVisitor, type Visitor } from '../customers/visitors.ts';
import type { Platform } from '../platform/platform.ts';
import { type Counted, shapeOf, tallyCatalog, writeCatalog } from './catalog.ts';
import type { ParsedMessage, SegmentType } from './segment-message.ts';
import { trackedEntry } from './tracked.ts';

export interface IngestSource {
  readonly id: string;
  readonly tenantId: string;
}

/** A message the ingest refused, as kept for the debugger. */
export interface StoredRejection {
  readonly messageId: string | null;
  readonly reason: string;
  readonly field: string;
  /** The message as it came, cut to 2 KiB. */
  readonly excerpt: string;
}

/**
 * A valid message as the store takes it, prepared by the request's thread: its JSON already
 * serialized and the shape of its properties taken, so that the
 * thread storing it (the one writer) does as little as it can.
 */
export interface StoreMessage extends Counted {
  readonly type: SegmentType;
  readonly messageId: string;
  readonly name: string;
  readonly timestamp: number;
  /** The identities in their stored form. */
  readonly identities: NormalizedIdentity[];
  readonly profile: ProfilePatch;
  /** An identify's traits, which set attributes. */
  readonly traits?: Record<string, unknown>;
  /** The properties and the context, as JSON. */
  readonly properties: string;
  readonly context: string;
}

export function toStoreMessage(m: ParsedMessage): StoreMessage {
  return {
    type: m.type,
    messageId: m.messageId,
    name: m.name,
    timestamp: m.timestamp,
    identities: m.identities,
    profile: m.profile,
    ...(m.type === 'identify' ? { traits: m.properties } : {}),
    properties: JSON.stringify(m.properties),
    context: JSON.stringify(m.context),
    shape: shapeOf(m.properties),
  };
}

/**
 * One request's share of a shared transaction: plain data, so that it can be handed to the
 * ingest thread as it is.
 */
export interface Pending {
  readonly source: IngestSource;
  /** Valid messages, each messageId once. */
  readonly messages: readonly StoreMessage[];
  /** The first rejections of the request (at most 100 are kept). */
  readonly rejected: readonly StoredRejection[];
  readonly receivedAt: number;
}

/**
 * How requests share transactions (`createBatchWriter`): at most 256 requests or 1,600 events
 * in one (a request is never split). Storing costs about as much per event at 1,600 as at
 * 3,200; a larger transaction only makes every request behind it wait longer, and keeps the
 * requests in one cohort that the parsing thread and the storing one take turns on, instead
 * of two they work on at once (B1's p99 went from 180–230 ms to 150–190 ms on a slow host).
 */
export const SHARED_TRANSACTIONS = {
  maxItems: 256,
  weight: (r: Pending) => r.messages.length,
  maxWeight: 1_600,
};

/** What storing needs of the platform: the ingest thread builds just this much. */
export type StorePlatform = Pick<Platform, 'db' | 'dialect' | 'clock' | 'outbox'>;

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
  readonly m: StoreMessage;
  readonly request: Pending;
  /** The profile the message resolved to: the event's `origin_customer_id`, which un-merge follows. */
  origin: number;
  /** The profile holding it now (the origin, or the profile it was merged into since). */
  customerId: number;
}

const messageKey = (tenantId: string, messageId: string) => `${tenantId}\u0000${messageId}`;

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
 * Stores the requests of one shared transaction (see `storeAll`); returns, per request, how
 * many of its messages were new. Runs on the main thread, or on the ingest thread.
 */
export function createEventStore(p: StorePlatform) {
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
    // identities are all new makes a new profile (with the other new visitors' at once).
    let touched = 0;
    const touchSoFar = async (upTo: number) => {
      if (upTo > touched) await touchActivities(trx, dialect, spansOf(fresh.slice(touched, upTo)));
      touched = upTo;
    };
    const owner = await identityOwners(
      trx,
      tenantId,
      fresh.flatMap((f) => f.m.identities),
    );
    // New visitors get their profiles together, before the next message that needs OneID
    // (which reads the database) and at the end; until then they hold provisional ids (-1, -2…).
    const visitors: Visitor[] = [];
    let visitorsFrom = 0;
    const makeVisitors = async (upTo: number) => {
      if (visitors.length === 0) return;
      const made = await createVisitors(trx, dialect, deps, tenantId, visitors, 'segment');
      const real = (id: number) => (id < 0 ? (made[-id - 1] as number) : id);
      for (const f of fresh.slice(visitorsFrom, upTo)) {
        f.origin = real(f.origin);
        f.customerId = real(f.customerId);
      }
      for (const [k, v] of owner) if (v < 0) owner.set(k, real(v));
      visitors.length = 0;
    };
    let definitions: Map<string, AttributeDefinition> | undefined;
    for (const [i, f] of fresh.entries()) {
      const { m } = f;
      const ids = m.identities;
      if (m.type !== 'identify' && ids.length > 0) {
        const first = owner.get(identityKey(ids[0] as NormalizedIdentity));
        if (first !== undefined && ids.every((id) => owner.get(identityKey(id)) === first)) {
          f.origin = first;
          f.customerId = first;
          continue;
        }
        if (Object.keys(m.profile).length === 0 && isNewVisitor(ids, (k) => owner.has(k))) {
          if (visitors.length === 0) visitorsFrom = i;
          visitors.push({ identities: ids, at: m.timestamp });
          f.origin = -visitors.length;
          f.customerId = -visitors.length;
          for (const id of ids) owner.set(identityKey(id), -visitors.length);
          continue;
        }
      }
      await makeVisitors(i);
      if (ids.some((id) => owner.has(identityKey(id)))) await touchSoFar(i);
      if (m.type === 'identify') definitions ??= await definitionsOf(trx, tenantId);
      const r = await resolveNormalized(trx, deps, {
        tenantId,
        identities: ids,
        source: 'segment',
        at: m.timestamp,
        profile: m.profile,
        ...(m.type === 'identify' && definitions
          ? { attributes: attributesFromTraits(definitions, m.traits ?? {}) }
          : {}),
      });
      if (!r.ok) throw new Error(r.error.message);
      const survivor = r.value.customerId;
      f.origin = survivor;
      f.customerId = survivor;
      const conflicted = new Set(r.value.conflicts.map((c) => identityKey(c.identity)));
      for (const id of ids) {
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
    await makeVisitors(fresh.length);
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
        m.properties,
        m.context,
        m.timestamp,
        request.receivedAt,
      ]),
    );
    const eventId = new Map(
      events.map((r) => [messageKey(String(r.tenant_id), String(r.message_id)), Number(r.id)]),
    );

    for (const [tenantId, list] of byTenant) {
      await p.outbox.append(
        trx,
        trackedEntry(
          tenantId,
          list.map(({ m, customerId }) => ({
            eventId: eventId.get(messageKey(tenantId, m.messageId)) ?? 0,
            customerId,
            type: m.type,
            name: m.name,
            timestamp: m.timestamp,
          })),
        ),
      );
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
      r.rejected.map((x) => ({
        tenant_id: r.source.tenantId,
        source_id: r.source.id,
        message_id: x.messageId,
        reason: x.reason,
        field: x.field || null,
        excerpt: x.excerpt,
        received_at: r.receivedAt,
      })),
    );
    if (rejections.length > 0) await trx.insertInto('ingest_rejections').values(rejections).execute();

    const accepted = new Map<Pending, number>();
    for (const f of fresh) accepted.set(f.request, (accepted.get(f.request) ?? 0) + 1);
    return requests.map((r) => accepted.get(r) ?? 0);
  }

  return storeAll;
}
