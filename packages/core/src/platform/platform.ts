import type { Db, DialectInfo, Storage, Trx } from '@pond/storage';
import type { Clock } from '../shared/clock.ts';
import { type Result, Rollback } from '../shared/result.ts';
import { createJobQueue, type JobQueue } from './jobs.ts';
import { createOutbox, type Outbox } from './outbox.ts';

/** What every domain service is built from; made once in the composition root. */
export interface Platform {
  readonly db: Db;
  readonly dialect: DialectInfo;
  readonly clock: Clock;
  readonly outbox: Outbox;
  readonly jobs: JobQueue;
  /**
   * Runs `fn` in one transaction and returns its result. A failed `Result` (or a thrown
   * `Rollback`) rolls back everything written, so a rejected request writes nothing.
   * Outbox consumers are woken once the commit is done.
   */
  tx<T>(fn: (trx: Trx) => Promise<Result<T>>): Promise<Result<T>>;
}

export function createPlatform(storage: Storage, clock: Clock): Platform {
  const outbox = createOutbox(storage.db, storage.dialect, clock);
  const jobs = createJobQueue(storage.db, storage.dialect, clock);
  return {
    db: storage.db,
    dialect: storage.dialect,
    clock,
    outbox,
    jobs,
    async tx(fn) {
      try {
        const result = await storage.db.transaction().execute(async (trx) => {
          const r = await fn(trx);
          if (!r.ok) throw new Rollback(r.error);
          return r;
        });
        outbox.wake();
        jobs.wake();
        return result;
      } catch (e) {
        if (e instanceof Rollback) return { ok: false, error: e.failure };
        throw e;
      }
    },
  };
}
