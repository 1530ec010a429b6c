import { randomUUID } from 'node:crypto';
import type { Storage } from '@pond/storage';
import { openTestStorage, type SimulatedClock, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs, createJobQueue, type JobQueue } from './jobs.ts';

const LEASE_MS = 5 * 60_000;

describe.each(testDialects())('job queue on %s', (dialect) => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await openTestStorage(dialect));
  });
  afterAll(() => close());

  const jobsOf = (queue: string) =>
    storage.db.selectFrom('jobs').selectAll().where('queue', '=', queue).orderBy('id').execute();
  const newQueue = (clock: SimulatedClock): JobQueue => createJobQueue(storage.db, storage.dialect, clock);

  it('runs a delayed job only once it is due, with its payload and tenant', async () => {
    const clock = simulatedClock();
    const q = newQueue(clock);
    const queue = `delayed_${randomUUID()}`;
    const ran: unknown[] = [];
    q.handle(queue, async (payload, job) => {
      ran.push([payload, job.tenantId, job.attempt]);
    });
    await q.enqueue({ queue, payload: { n: 1, nested: { ok: true } }, tenantId: 't1', delayMs: 60_000 });
    await q.enqueue({ queue, payload: { n: 2 }, runAt: clock.now() + 120_000 });
    expect(await q.runDue()).toBe(0);
    clock.advance(59_999);
    expect(await q.runDue()).toBe(0);
    clock.advance(1);
    expect(await q.runDue()).toBe(1);
    expect(ran).toEqual([[{ n: 1, nested: { ok: true } }, 't1', 1]]);
    clock.advance(60_000);
    expect(await q.runDue()).toBe(1);
    expect((await jobsOf(queue)).map((j) => [j.status, j.attempts, j.locked_until])).toEqual([
      ['done', 1, null],
      ['done', 1, null],
    ]);
    expect(await q.runDue()).toBe(0); // done jobs never run again
  });

  it('retries with exponential backoff, then parks the job as failed', async () => {
    const clock = simulatedClock();
    const q = newQueue(clock);
    const queue = `flaky_${randomUUID()}`;
    const attempts: number[] = [];
    q.handle(queue, async (_payload, job) => {
      attempts.push(job.attempt);
      throw new Error(`attempt ${job.attempt} failed`);
    });
    await q.enqueue({ queue, payload: {}, maxAttempts: 4 });
    const runAts: number[] = [];
    for (let i = 1; i <= 3; i++) {
      await q.runDue();
      const [job] = await jobsOf(queue);
      expect([job?.status, job?.attempts, job?.last_error]).toEqual(['queued', i, `attempt ${i} failed`]);
      runAts.push((job?.run_at ?? 0) - clock.now());
      // Not a moment early.
      clock.advance(backoffMs(i) - 1);
      expect(await q.runDue()).toBe(0);
      clock.advance(1);
    }
    expect(runAts).toEqual([1000, 2000, 4000]);
    await q.runDue();
    const [job] = await jobsOf(queue);
    expect([job?.status, job?.attempts, job?.last_error]).toEqual(['failed', 4, 'attempt 4 failed']);
    clock.advance(24 * 3_600_000);
    expect(await q.runDue()).toBe(0);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect([backoffMs(1), backoffMs(5), backoffMs(30)]).toEqual([1000, 16_000, 3_600_000]);
  });

  it('keeps one job per dedupe key', async () => {
    const clock = simulatedClock();
    const q = newQueue(clock);
    const queue = `dedupe_${randomUUID()}`;
    await q.enqueue({ queue, payload: { n: 1 }, dedupeKey: `${queue}:k` });
    await q.enqueue({ queue, payload: { n: 2 }, dedupeKey: `${queue}:k` });
    await q.enqueue({ queue, payload: { n: 3 }, dedupeKey: `${queue}:other` });
    expect((await jobsOf(queue)).map((j) => JSON.parse(j.payload))).toEqual([{ n: 1 }, { n: 3 }]);
    const ran: unknown[] = [];
    q.handle(queue, async (payload) => {
      ran.push(payload.n);
    });
    await q.runDue();
    expect(ran).toEqual([1, 3]);
  });

  it('never runs a job enqueued in a transaction that rolled back', async () => {
    const clock = simulatedClock();
    const q = newQueue(clock);
    const queue = `rolled_back_${randomUUID()}`;
    await expect(
      storage.db.transaction().execute(async (trx) => {
        await q.enqueue({ queue, payload: { n: 1 } }, trx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await storage.db.transaction().execute((trx) => q.enqueue({ queue, payload: { n: 2 } }, trx));
    const ran: unknown[] = [];
    q.handle(queue, async (payload) => {
      ran.push(payload.n);
    });
    await q.runDue();
    expect(ran).toEqual([2]);
  });

  it('takes over a job whose worker died once its lease runs out', async () => {
    const clock = simulatedClock();
    const queue = `crash_${randomUUID()}`;
    const first = newQueue(clock);
    first.handle(queue, () => new Promise(() => {})); // never finishes: the worker "dies" mid-job
    await first.enqueue({ queue, payload: { n: 7 } });
    void first.runDue();
    for (let i = 0; i < 200 && (await jobsOf(queue))[0]?.status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await jobsOf(queue))[0]).toMatchObject({
      status: 'running',
      locked_until: clock.now() + LEASE_MS,
    });

    const second = newQueue(clock);
    const ran: unknown[] = [];
    second.handle(queue, async (payload, job) => {
      ran.push([payload.n, job.attempt]);
    });
    await second.runDue();
    expect(ran).toEqual([]); // the lease still holds
    clock.advance(LEASE_MS + 1);
    await second.runDue();
    expect(ran).toEqual([[7, 2]]);
    expect((await jobsOf(queue))[0]?.status).toBe('done');
  });

  it('parks a job whose worker died on its last attempt instead of running it again', async () => {
    const clock = simulatedClock();
    const q = newQueue(clock);
    const queue = `poison_${randomUUID()}`;
    await q.enqueue({ queue, payload: {}, maxAttempts: 2 });
    // What a worker that crashed during the second (last) attempt leaves behind.
    await storage.db
      .updateTable('jobs')
      .set({ status: 'running', attempts: 2, locked_until: clock.now() - 1 })
      .where('queue', '=', queue)
      .execute();
    let calls = 0;
    q.handle(queue, async () => {
      calls++;
    });
    await q.runDue();
    expect(calls).toBe(0);
    const [job] = await jobsOf(queue);
    expect([job?.status, job?.attempts, job?.locked_until]).toEqual(['failed', 2, null]);
    expect(job?.last_error).toMatch(/lease/);
  });

  it('keeps jobs across a restart and leaves queues nobody handles alone', async () => {
    const clock = simulatedClock();
    const queue = `restart_${randomUUID()}`;
    const before = newQueue(clock);
    await before.enqueue({ queue, payload: { n: 1 }, delayMs: 1000 });
    await before.enqueue({ queue: `${queue}_unhandled`, payload: {} });
    clock.advance(1000);

    const after = newQueue(clock); // a new process over the same database
    const ran: unknown[] = [];
    after.handle(queue, async (payload) => {
      ran.push(payload.n);
    });
    expect(await after.runDue()).toBe(1);
    expect(ran).toEqual([1]);
    expect((await jobsOf(`${queue}_unhandled`)).map((j) => [j.status, j.attempts])).toEqual([['queued', 0]]);
  });

  it('runs due jobs in the background once started', async () => {
    const clock = simulatedClock();
    const q = newQueue(clock);
    const queue = `background_${randomUUID()}`;
    const ran: unknown[] = [];
    q.handle(queue, async (payload) => {
      ran.push(payload.n);
    });
    const stop = q.start({ pollMs: 60_000 });
    try {
      await q.enqueue({ queue, payload: { n: 1 } }); // wakes the loop: no waiting for the poll
      for (let i = 0; i < 500 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(ran).toEqual([1]);
    } finally {
      await stop();
    }
  });
});
