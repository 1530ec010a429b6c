import type { BulkInsert, Db, DialectInfo, Executor, Trx } from '@pond/storage';
import type { Clock } from '../shared/clock.ts';
import { pollLoop } from './poll-loop.ts';

export interface DomainEvent {
  readonly tenantId: string;
  /** e.g. `staff.created`, `org_unit.moved`. */
  readonly type: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly payload: Record<string, unknown>;
}

export interface OutboxEvent extends DomainEvent {
  readonly id: number;
  readonly createdAt: number;
}

/**
 * A consumer of domain events. `handle` runs inside the transaction that advances the
 * consumer's cursor: if it throws, neither its writes nor the cursor move, and the same
 * batch is offered again (at least once, in order, per consumer).
 */
export interface OutboxConsumer {
  readonly name: string;
  handle(events: readonly OutboxEvent[], trx: Trx): Promise<void>;
}

export interface Outbox {
  /** Appends events inside the caller's transaction, so they commit with the change. */
  append(trx: Trx, events: DomainEvent | readonly DomainEvent[]): Promise<void>;
  subscribe(consumer: OutboxConsumer): void;
  /** Delivers everything pending to every consumer; returns how many events were handled. */
  drain(): Promise<number>;
  /** Nudges the background relay (called after each commit). */
  wake(): void;
  /** Starts delivering in the background; returns a function that stops it. */
  start(options?: { pollMs?: number }): () => Promise<void>;
  /** The last event id a consumer has handled. */
  position(consumer: string): Promise<number>;
  /**
   * Deletes the entries every consumer of this process has handled that are older than
   * `retentionMs`, oldest first, and records how far it went (`prunedMark`); returns how many.
   */
  prune(retentionMs: number): Promise<number>;
}

/** How far the outbox was pruned: entries up to `position`, all created before `cutoff`. */
export interface PrunedMark {
  readonly position: number;
  readonly cutoff: number;
}

/** The cursor row recording the pruning (not a consumer: no consumer is named with a `#`). */
const PRUNED = '#pruned';
const PRUNE_CHUNK = 10_000;

/**
 * How far the outbox has been pruned, or null if never. Readers that keep their own position
 * outside the cursors (the audience engine's indexes) compare theirs with it: one that is
 * behind `position` and last caught up before `cutoff` may have missed deleted entries.
 */
export async function prunedMark(ex: Executor): Promise<PrunedMark | null> {
  const row = await ex
    .selectFrom('outbox_cursors')
    .select(['position', 'updated_at'])
    .where('consumer', '=', PRUNED)
    .executeTakeFirst();
  return row ? { position: Number(row.position), cutoff: Number(row.updated_at) } : null;
}

const BATCH = 500;

const OUTBOX_INSERT: BulkInsert = {
  table: 'outbox',
  columns: [
    ['tenant_id', 'text'],
    ['type', 'text'],
    ['aggregate_type', 'text'],
    ['aggregate_id', 'text'],
    ['payload', 'text'],
    ['created_at', 'bigint'],
  ],
};

export function createOutbox(db: Db, dialect: DialectInfo, clock: Clock): Outbox {
  const consumers: OutboxConsumer[] = [];
  let wakeUp: (() => void) | null = null;
  let draining: Promise<number> | null = null;

  async function readPosition(ex: Executor, name: string): Promise<number> {
    const row = await ex
      .selectFrom('outbox_cursors')
      .select('position')
      .where('consumer', '=', name)
      .executeTakeFirst();
    return row?.position ?? 0;
  }

  /** One batch for one consumer; returns the number of events handled. */
  async function deliverBatch(consumer: OutboxConsumer): Promise<number> {
    return db.transaction().execute(async (trx) => {
      await trx
        .insertInto('outbox_cursors')
        .values({ consumer: consumer.name, position: 0, updated_at: clock.now() })
        .onConflict((oc) => oc.column('consumer').doNothing())
        .execute();
      // Locks the cursor row on PostgreSQL so two processes never hand the same batch to
      // one consumer; SQLite's single writer gives the same guarantee.
      let cursorQuery = trx
        .selectFrom('outbox_cursors')
        .select('position')
        .where('consumer', '=', consumer.name);
      if (dialect.supportsSkipLocked) cursorQuery = cursorQuery.forUpdate();
      const position = (await cursorQuery.executeTakeFirstOrThrow()).position;
      const rows = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('id', '>', position)
        .orderBy('id')
        .limit(BATCH)
        .execute();
      const last = rows[rows.length - 1];
      if (last === undefined) return 0;
      const events: OutboxEvent[] = rows.map((r) => ({
        id: r.id,
        tenantId: r.tenant_id,
        type: r.type,
        aggregateType: r.aggregate_type,
        aggregateId: r.aggregate_id,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        createdAt: r.created_at,
      }));
      await consumer.handle(events, trx);
      await trx
        .updateTable('outbox_cursors')
        .set({ position: last.id, updated_at: clock.now() })
        .where('consumer', '=', consumer.name)
        .execute();
      return rows.length;
    });
  }

  async function drainOnce(): Promise<number> {
    let total = 0;
    for (const consumer of consumers) {
      for (;;) {
        const n = await deliverBatch(consumer);
        total += n;
        if (n < BATCH) break;
      }
    }
    return total;
  }

  const outbox: Outbox = {
    async append(trx, events) {
      const list = Array.isArray(events) ? events : [events as DomainEvent];
      if (list.length === 0) return;
      await dialect.orderOutboxWrites(trx);
      const now = clock.now();
      await dialect.insertMany(
        trx,
        OUTBOX_INSERT,
        list.map((e) => [e.tenantId, e.type, e.aggregateType, e.aggregateId, JSON.stringify(e.payload), now]),
      );
    },
    subscribe(consumer) {
      if (consumers.some((c) => c.name === consumer.name)) {
        throw new Error(`outbox consumer ${consumer.name} is already subscribed`);
      }
      consumers.push(consumer);
    },
    drain() {
      // One drain at a time per process; a second caller waits for the running one and
      // then drains again, so nothing committed before its call is left behind.
      const run = async () => {
        if (draining) await draining.catch(() => 0);
        return drainOnce();
      };
      const p = run();
      draining = p;
      return p;
    },
    wake() {
      wakeUp?.();
    },
    start({ pollMs = 250 } = {}) {
      const loop = pollLoop('outbox delivery', () => outbox.drain(), pollMs);
      wakeUp = loop.wake;
      return async () => {
        wakeUp = null;
        await loop.stop();
      };
    },
    position: (name) => readPosition(db, name),

    async prune(retentionMs) {
      const cutoff = clock.now() - retentionMs;
      const names = consumers.map((c) => c.name);
      if (names.length === 0) return 0;
      const cursors = await db
        .selectFrom('outbox_cursors')
        .select('position')
        .where('consumer', 'in', names)
        .execute();
      // A consumer that never ran has handled nothing yet.
      if (cursors.length < names.length) return 0;
      const handled = Math.min(...cursors.map((c) => Number(c.position)));
      let deleted = 0;
      for (;;) {
        const n = await db.transaction().execute(async (trx) => {
          const chunk = await trx
            .selectFrom('outbox')
            .select('id')
            .where('id', '<=', handled)
            .where('created_at', '<', cutoff)
            .orderBy('id')
            .limit(PRUNE_CHUNK)
            .execute();
          const last = chunk[chunk.length - 1];
          if (!last) return 0;
          const upTo = Number(last.id);
          await trx.deleteFrom('outbox').where('id', '<=', upTo).where('created_at', '<', cutoff).execute();
          await trx
            .insertInto('outbox_cursors')
            .values({ consumer: PRUNED, position: upTo, updated_at: cutoff })
            .onConflict((oc) => oc.column('consumer').doUpdateSet({ position: upTo, updated_at: cutoff }))
            .execute();
          return chunk.length;
        });
        deleted += n;
        if (n < PRUNE_CHUNK) return deleted;
      }
    },
  };
  return outbox;
}
