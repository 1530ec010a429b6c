import type { Trx } from '@pond/storage';
import type { Platform } from '../platform/platform.ts';

interface Unit<T> {
  readonly work: (trx: Trx) => Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Runs concurrent units of write work in shared transactions. Work arriving while a
 * transaction runs waits for the next one, which takes everything waiting (up to `max`
 * units); each caller's promise settles only once the transaction holding its work has
 * committed. With one writer (SQLite) this turns many small commits into few large ones. If a
 * shared transaction fails, its units are retried one by one, so a unit that fails fails only
 * its own caller.
 */
export function createWriteGroup(p: Platform, max = 64) {
  const waiting: Unit<unknown>[] = [];
  let running = false;

  const alone = async (unit: Unit<unknown>) => {
    try {
      unit.resolve(await p.db.transaction().execute(unit.work));
    } catch (e) {
      unit.reject(e);
    }
  };

  async function drain() {
    running = true;
    while (waiting.length > 0) {
      const group = waiting.splice(0, max);
      let results: unknown[] | undefined;
      try {
        results = await p.db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const unit of group) out.push(await unit.work(trx));
          return out;
        });
      } catch {
        for (const unit of group) await alone(unit);
      }
      if (results) for (const [i, unit] of group.entries()) unit.resolve(results[i]);
      p.outbox.wake();
    }
    running = false;
  }

  return function run<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      waiting.push({ work, resolve: resolve as (v: unknown) => void, reject } as Unit<unknown>);
      if (!running) void drain();
    });
  };
}
