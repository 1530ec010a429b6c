import type { Db, DialectInfo, Executor, JobTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import { pollLoop } from './poll-loop.ts';

export interface EnqueueOptions {
  readonly queue: string;
  readonly payload: Record<string, unknown>;
  readonly tenantId?: string;
  /** Absolute due time; defaults to now (or now + delayMs). */
  readonly runAt?: number;
  readonly delayMs?: number;
  /** Attempts before the job is parked as failed (a dead letter); default 8. */
  readonly maxAttempts?: number;
  /** A second job with the same key is not added while the first one exists. */
  readonly dedupeKey?: string;
}

export interface JobContext {
  readonly id: number;
  readonly tenantId: string | null;
  /** 1 on the first run. */
  readonly attempt: number;
}

export type JobHandler = (payload: Record<string, unknown>, job: JobContext) => Promise<void>;

export interface JobQueue {
  /** Adds a job; pass a transaction to commit it together with the change that caused it. */
  enqueue(options: EnqueueOptions, ex?: Executor): Promise<void>;
  handle(queue: string, handler: JobHandler): void;
  /** Runs every job due at the clock's current time; returns how many ran. */
  runDue(): Promise<number>;
  wake(): void;
  start(options?: { pollMs?: number }): () => Promise<void>;
}

/** A claim lasts this long; a worker that dies mid-job lets another take it after. */
const LEASE_MS = 5 * 60_000;
const CLAIM_BATCH = 20;

/** Exponential backoff: 1 s, 2 s, 4 s … capped at one hour. */
export function backoffMs(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/**
 * A durable job queue over the jobs table. It serves the embedded mode and PostgreSQL alike:
 * claims are one UPDATE … RETURNING, guarded by SKIP LOCKED where the engine has it, so
 * several worker processes can share the table.
 */
export function createJobQueue(db: Db, dialect: DialectInfo, clock: Clock): JobQueue {
  const handlers = new Map<string, JobHandler>();
  let wakeUp: (() => void) | null = null;

  async function claim(): Promise<Selectable<JobTable>[]> {
    const now = clock.now();
    const queues = [...handlers.keys()];
    if (queues.length === 0) return [];
    // A worker that died during the last allowed attempt never recorded the failure: taking
    // the job over would run it past its limit, and a job that kills its worker would be
    // retried forever. It becomes a dead letter instead.
    await db
      .updateTable('jobs')
      .set({
        status: 'failed',
        locked_until: null,
        last_error: 'the worker stopped during the last attempt (its lease expired)',
        updated_at: now,
      })
      .where('queue', 'in', queues)
      .where('status', '=', 'running')
      .where('locked_until', '<', now)
      .whereRef('attempts', '>=', 'max_attempts')
      .execute();
    let due = db
      .selectFrom('jobs')
      .select('id')
      .where('queue', 'in', queues)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
        ]),
      )
      .orderBy('run_at')
      .orderBy('id')
      .limit(CLAIM_BATCH);
    if (dialect.supportsSkipLocked) due = due.forUpdate().skipLocked();
    return (
      db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          locked_until: now + LEASE_MS,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', 'in', due)
        .returningAll()
        .execute()
        // UPDATE … RETURNING has no order of its own: run the claimed jobs oldest first.
        .then((rows) => rows.sort((a, b) => a.run_at - b.run_at || a.id - b.id))
    );
  }

  async function run(job: Selectable<JobTable>): Promise<void> {
    const handler = handlers.get(job.queue);
    if (!handler) return;
    try {
      await handler(JSON.parse(job.payload) as Record<string, unknown>, {
        id: job.id,
        tenantId: job.tenant_id,
        attempt: job.attempts,
      });
      await db
        .updateTable('jobs')
        .set({ status: 'done', locked_until: null, updated_at: clock.now() })
        .where('id', '=', job.id)
        .execute();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const exhausted = job.attempts >= job.max_attempts;
      await db
        .updateTable('jobs')
        .set({
          status: exhausted ? 'failed' : 'queued',
          run_at: clock.now() + backoffMs(job.attempts),
          locked_until: null,
          last_error: message.slice(0, 2000),
          updated_at: clock.now(),
        })
        .where('id', '=', job.id)
        .execute();
    }
  }

  const queue: JobQueue = {
    async enqueue(options, ex = db) {
      const now = clock.now();
      const insert = ex.insertInto('jobs').values({
        queue: options.queue,
        tenant_id: options.tenantId ?? null,
        payload: JSON.stringify(options.payload),
        status: 'queued',
        attempts: 0,
        max_attempts: options.maxAttempts ?? 8,
        run_at: options.runAt ?? now + (options.delayMs ?? 0),
        locked_until: null,
        last_error: null,
        dedupe_key: options.dedupeKey ?? null,
        created_at: now,
        updated_at: now,
      });
      await (options.dedupeKey
        ? insert.onConflict((oc) => oc.column('dedupe_key').doNothing())
        : insert
      ).execute();
      if (ex === db) queue.wake();
    },
    handle(name, handler) {
      handlers.set(name, handler);
    },
    async runDue() {
      let total = 0;
      for (;;) {
        const jobs = await claim();
        if (jobs.length === 0) return total;
        for (const job of jobs) await run(job);
        total += jobs.length;
      }
    },
    wake() {
      wakeUp?.();
    },
    start({ pollMs = 500 } = {}) {
      const loop = pollLoop('job queue poll', () => queue.runDue(), pollMs);
      wakeUp = loop.wake;
      return async () => {
        wakeUp = null;
        await loop.stop();
      };
    },
  };
  return queue;
}
