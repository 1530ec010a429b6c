import type { Trx } from '@pond/storage';
import type { Platform } from '../platform/platform.ts';

interface Waiting<I, O> {
  readonly item: I;
  readonly weight: number;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatchWriterOptions<I> {
  /** The most items one transaction takes. */
  readonly maxItems?: number;
  /** How much an item weighs (e.g. its number of events) … */
  readonly weight?: (item: I) => number;
  /** … and the most weight one transaction takes (it always takes at least one item). */
  readonly maxWeight?: number;
}

/**
 * Writes concurrent items in shared transactions. Items arriving together, or while a
 * transaction runs, share the next one, which takes everything waiting (within the bounds); `write` gets
 * them all at once and returns one result per item, and each caller's promise settles only
 * once the transaction holding its item has committed. With one writer (SQLite) this turns
 * many small commits into few large ones, and lets the work be done once per transaction
 * rather than once per item. If a shared transaction fails, its items are written again one
 * by one, so an item that fails fails only its own caller.
 */
export function createBatchWriter<I, O>(
  p: Pick<Platform, 'db' | 'outbox'>,
  write: (trx: Trx, items: readonly I[]) => Promise<readonly O[]>,
  options: BatchWriterOptions<I> = {},
) {
  const { maxItems = 64, weight = () => 1, maxWeight = Number.POSITIVE_INFINITY } = options;
  const waiting: Waiting<I, O>[] = [];
  let running = false;

  const alone = async (w: Waiting<I, O>) => {
    try {
      const [result] = await p.db.transaction().execute((trx) => write(trx, [w.item]));
      w.resolve(result as O);
    } catch (e) {
      w.reject(e);
    }
  };

  function take(): Waiting<I, O>[] {
    let n = 0;
    let total = 0;
    while (n < waiting.length && n < maxItems) {
      total += waiting[n]?.weight ?? 0;
      if (n > 0 && total > maxWeight) break;
      n++;
    }
    return waiting.splice(0, n);
  }

  // Yields to I/O first: requests whose bytes have already arrived get parsed and join the
  // transaction. Without it, with SQLite (whose statements never wait), every request would
  // run its whole transaction before the next one is even read.
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  async function drain() {
    while (waiting.length > 0) {
      await nextTurn();
      const group = take();
      let results: readonly O[] | undefined;
      try {
        results = await p.db.transaction().execute((trx) =>
          write(
            trx,
            group.map((w) => w.item),
          ),
        );
      } catch {
        for (const w of group) await alone(w);
      }
      if (results) for (const [i, w] of group.entries()) w.resolve(results[i] as O);
      p.outbox.wake();
    }
    running = false;
  }

  return function run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      waiting.push({ item, weight: weight(item), resolve, reject });
      if (!running) {
        running = true;
        void drain();
      }
    });
  };
}

/**
 * Runs concurrent units of write work in shared transactions (see `createBatchWriter`): each
 * unit runs in turn in the transaction of its group, and fails alone if it fails.
 */
export function createWriteGroup(p: Platform, max = 64) {
  const run = createBatchWriter<(trx: Trx) => Promise<unknown>, unknown>(
    p,
    async (trx, units) => {
      const out: unknown[] = [];
      for (const unit of units) out.push(await unit(trx));
      return out;
    },
    { maxItems: max },
  );
  return <T>(work: (trx: Trx) => Promise<T>): Promise<T> => run(work) as Promise<T>;
}
