import { randomUUID } from 'node:crypto';
import type { Storage } from '@pond/storage';
import { openTestStorage, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs, createJobQueue } from './jobs.ts';

describe.each(testDialects())('job queue on %s', (dialect) => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await openTestStorage(dialect));
  });
  afterAll(() => close());

  const jobsOf = (queue: string) =>
    storage.db.selectFrom('jobs').selectAll().where('queue', '=', queue).execute();

  it('runs a delayed job only once it is due', async () => {
    const clock = simulatedClock();
    const q = createJobQueue(storage.db, storage.dialect, clock);
    const queue = `delayed_${randomUUID()}`;
    const ran: unknown[] = [];
    q.handle(queue, async (payload) => {
      ran.push(payload.n);
    });
    await q.enqueue({ queue, payload: { n: 1 }, delayMs: 60_000 });
    await q.runDue();
    expect(ran).toEqual([]);
    clock.advance(60_000);
    await q.runDue();
    expect(ran).toEqual([1]);
    expect((await jobsOf(queue)).map((j) => j.status)).toEqual(['done']);
  });

  it('retries with exponential backoff, then parks the job as failed', async () => {
    const clock = simulatedClock();
    const q = createJobQueue(storage.db, storage.dialect, clock);
    const queue = `flaky_${randomUUID()}`;
    let calls = 0;
    q.handle(queue, async (_payload, job) => {
      calls++;
      throw new Error(`attempt ${job.attempt} failed`);
    });
    await q.enqueue({ queue, payload: {}, maxAttempts: 3 });
    const start = clock.now();
    await q.runDue();
    let [job] = await jobsOf(queue);
    expect([job?.status, job?.attempts, job?.run_at]).toEqual(['queued', 1, start + backoffMs(1)]);
    clock.advance(backoffMs(1));
    await q.runDue();
    [job] = await jobsOf(queue);
    expect([job?.status, job?.attempts, job?.run_at]).toEqual([
      'queued',
      2,
      start + backoffMs(1) + backoffMs(2),
    ]);
    clock.advance(backoffMs(2));
    await q.runDue();
    [job] = await jobsOf(queue);
    expect([job?.status, job?.attempts, job?.last_error]).toEqual(['failed', 3, 'attempt 3 failed']);
    clock.advance(3_600_000);
    await q.runDue();
    expect(calls).toBe(3);
    expect(backoffMs(1)).toBe(1000);
    expect(backoffMs(4)).toBe(8000);
  });

  it('keeps one job per dedupe key', async () => {
    const q = createJobQueue(storage.db, storage.dialect, simulatedClock());
    const queue = `dedupe_${randomUUID()}`;
    await q.enqueue({ queue, payload: { n: 1 }, dedupeKey: `${queue}:k` });
    await q.enqueue({ queue, payload: { n: 2 }, dedupeKey: `${queue}:k` });
    expect((await jobsOf(queue)).map((j) => JSON.parse(j.payload))).toEqual([{ n: 1 }]);
  });

  it('takes over a job whose worker died, and survives a restart', async () => {
    const clock = simulatedClock();
    const queue = `crash_${randomUUID()}`;
    const first = createJobQueue(storage.db, storage.dialect, clock);
    first.handle(queue, () => new Promise(() => {})); // never finishes: the worker "dies" mid-job
    await first.enqueue({ queue, payload: { n: 7 } });
    void first.runDue();
    await new Promise((r) => setTimeout(r, 200));
    expect((await jobsOf(queue))[0]?.status).toBe('running');

    const second = createJobQueue(storage.db, storage.dialect, clock);
    const ran: unknown[] = [];
    second.handle(queue, async (payload) => {
      ran.push(payload.n);
    });
    await second.runDue();
    expect(ran).toEqual([]); // the lease still holds
    clock.advance(5 * 60_000 + 1);
    await second.runDue();
    expect(ran).toEqual([7]);
    expect((await jobsOf(queue))[0]?.status).toBe('done');
  });
});
