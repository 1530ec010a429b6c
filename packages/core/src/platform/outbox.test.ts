import { randomUUID } from 'node:crypto';
import type { Storage } from '@pond/storage';
import { openTestStorage, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../shared/result.ts';
import { createOutbox, type OutboxEvent, prunedMark } from './outbox.ts';

const DAY = 86_400_000;

import { createPlatform, type Platform } from './platform.ts';

describe.each(testDialects())('outbox on %s', (dialect) => {
  let storage: Storage;
  let platform: Platform;
  let close: () => Promise<void>;
  const clock = simulatedClock();

  beforeAll(async () => {
    ({ storage, close } = await openTestStorage(dialect));
    platform = createPlatform(storage, clock);
  });
  afterAll(() => close());

  /** Appends `n` events for a fresh tenant id in one transaction. */
  async function emit(tenantId: string, types: string[], p = platform) {
    await p.tx(async (trx) => {
      await p.outbox.append(
        trx,
        types.map((type) => ({
          tenantId,
          type,
          aggregateType: 'test',
          aggregateId: type,
          payload: { type },
        })),
      );
      return ok(null);
    });
  }

  function collector(tenantId: string, name = `c_${randomUUID()}`) {
    const seen: OutboxEvent[] = [];
    return {
      seen,
      consumer: {
        name,
        handle: async (events: readonly OutboxEvent[]) => {
          seen.push(...events.filter((e) => e.tenantId === tenantId));
        },
      },
    };
  }

  it('delivers committed events in order to each consumer, and never rolled-back ones', async () => {
    const tenant = randomUUID();
    const p = createPlatform(storage, clock);
    const a = collector(tenant);
    const b = collector(tenant);
    p.outbox.subscribe(a.consumer);
    await emit(tenant, ['one', 'two'], p);
    const failed = await p.tx(async (trx) => {
      await p.outbox.append(trx, {
        tenantId: tenant,
        type: 'ghost',
        aggregateType: 't',
        aggregateId: 'x',
        payload: {},
      });
      return { ok: false as const, error: { code: 'conflict' as const, message: 'no' } };
    });
    expect(failed.ok).toBe(false);
    await expect(
      storage.db.transaction().execute(async (trx) => {
        await p.outbox.append(trx, {
          tenantId: tenant,
          type: 'ghost2',
          aggregateType: 't',
          aggregateId: 'x',
          payload: {},
        });
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    await emit(tenant, ['three'], p);
    await p.outbox.drain();
    expect(a.seen.map((e) => e.type)).toEqual(['one', 'two', 'three']);
    expect(a.seen.map((e) => e.id)).toEqual([...a.seen.map((e) => e.id)].sort((x, y) => x - y));
    expect(a.seen[0]).toMatchObject({
      tenantId: tenant,
      aggregateType: 'test',
      aggregateId: 'one',
      payload: { type: 'one' },
    });
    expect(await p.outbox.position(a.consumer.name)).toBeGreaterThanOrEqual(a.seen[2]?.id ?? Infinity);
    // Nothing is delivered twice to the same consumer.
    await p.outbox.drain();
    expect(a.seen.length).toBe(3);

    // A consumer added later starts from the beginning with its own cursor.
    p.outbox.subscribe(b.consumer);
    await p.outbox.drain();
    expect(b.seen.map((e) => e.type)).toEqual(['one', 'two', 'three']);
  });

  it('offers a failed batch again, with the consumer’s own writes rolled back', async () => {
    const tenant = randomUUID();
    const p = createPlatform(storage, clock);
    const name = `flaky_${randomUUID()}`;
    let attempts = 0;
    const handled: string[] = [];
    const offered: number[][] = [];
    p.outbox.subscribe({
      name,
      handle: async (events, trx) => {
        const mine = events.filter((e) => e.tenantId === tenant);
        if (mine.length === 0) return;
        attempts++;
        offered.push(mine.map((e) => e.id));
        // Writes something, then fails on the first attempt: the write must not survive.
        await trx
          .insertInto('outbox_cursors')
          .values({ consumer: `side_${name}`, position: 1, updated_at: 0 })
          .execute();
        if (attempts === 1) throw new Error('consumer crashed');
        handled.push(...mine.map((e) => e.type));
      },
    });
    await emit(tenant, ['a', 'b']);
    await expect(p.outbox.drain()).rejects.toThrow('consumer crashed');
    const side = await storage.db
      .selectFrom('outbox_cursors')
      .select('consumer')
      .where('consumer', '=', `side_${name}`)
      .execute();
    expect(side).toEqual([]);
    await p.outbox.drain();
    expect(handled).toEqual(['a', 'b']);
    expect(attempts).toBe(2);
    expect(offered[1]).toEqual(offered[0]); // the same batch, again
  });

  it('resumes from the stored cursor after a restart', async () => {
    const tenant = randomUUID();
    const name = `restart_${randomUUID()}`;
    const first = createOutbox(storage.db, storage.dialect, clock);
    const before = collector(tenant, name);
    first.subscribe(before.consumer);
    await emit(tenant, ['x1', 'x2']);
    await first.drain();
    await emit(tenant, ['x3']);

    const second = createOutbox(storage.db, storage.dialect, clock);
    const after = collector(tenant, name);
    second.subscribe(after.consumer);
    await second.drain();
    expect(before.seen.map((e) => e.type)).toEqual(['x1', 'x2']);
    expect(after.seen.map((e) => e.type)).toEqual(['x3']);
    expect(await second.position(name)).toBeGreaterThanOrEqual(after.seen[0]?.id ?? Infinity);
  });

  it('never skips an event whose transaction commits after a later one’s', async () => {
    const tenant = randomUUID();
    const p = createPlatform(storage, clock);
    const c = collector(tenant);
    p.outbox.subscribe(c.consumer);
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let appended = () => {};
    const slowAppended = new Promise<void>((r) => {
      appended = r;
    });
    // The slow writer appends first and commits last. On PostgreSQL its id is the lower one:
    // were the fast writer's row visible first, a consumer would move past the slow one.
    const slow = p.tx(async (trx) => {
      await p.outbox.append(trx, {
        tenantId: tenant,
        type: 'slow',
        aggregateType: 't',
        aggregateId: 's',
        payload: {},
      });
      appended();
      await held;
      return ok(null);
    });
    await slowAppended;
    const fast = emit(tenant, ['fast'], p);
    await Promise.race([fast, new Promise((r) => setTimeout(r, 200))]);
    const drained = p.outbox.drain();
    await new Promise((r) => setTimeout(r, 50));
    release();
    await Promise.all([slow, fast, drained]);
    await p.outbox.drain();
    expect(c.seen.map((e) => e.type)).toEqual(['slow', 'fast']);
  });

  it('delivers in the background soon after a commit', async () => {
    const tenant = randomUUID();
    const p = createPlatform(storage, clock);
    const c = collector(tenant);
    p.outbox.subscribe(c.consumer);
    const stop = p.outbox.start({ pollMs: 60_000 });
    try {
      await emit(tenant, ['live'], p);
      const deadline = Date.now() + 5000;
      while (c.seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(c.seen.map((e) => e.type)).toEqual(['live']);
    } finally {
      await stop();
    }
  });

  // Last in this file: it deletes the older entries of the tests above.
  it('prunes entries every consumer handled once they are older than the retention', async () => {
    const tenant = randomUUID();
    const p = createPlatform(storage, clock);
    const a = collector(tenant);
    p.outbox.subscribe(a.consumer);
    await emit(tenant, ['old-1', 'old-2'], p);
    await p.outbox.drain();
    const late = collector(tenant);
    p.outbox.subscribe(late.consumer);
    clock.advance(8 * DAY);
    expect(await p.outbox.prune(7 * DAY), 'a consumer has not run yet').toBe(0);
    await p.outbox.drain();
    await emit(tenant, ['new'], p);
    expect(await p.outbox.prune(7 * DAY)).toBeGreaterThanOrEqual(2);
    const left = await storage.db
      .selectFrom('outbox')
      .select('type')
      .where('tenant_id', '=', tenant)
      .orderBy('id')
      .execute();
    expect(
      left.map((r) => r.type),
      'recent entries and unhandled ones stay',
    ).toEqual(['new']);
    const mark = await prunedMark(storage.db);
    expect(mark?.cutoff).toBe(clock.now() - 7 * DAY);
    await p.outbox.drain();
    expect(late.seen.map((e) => e.type)).toEqual(['old-1', 'old-2', 'new']);
    expect(await p.outbox.prune(7 * DAY), 'nothing more is old enough').toBe(0);
  });
});
