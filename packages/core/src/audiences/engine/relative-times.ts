import type { Bitmap } from './bitmaps.ts';

/** An answer of `value >= threshold` (within the last days) or `value < threshold` (before). */
interface Answer {
  readonly at: 'since' | 'before';
  threshold: number;
  readonly bitmap: Bitmap;
}

/**
 * Relative-time answers of one numeric field ("active within 30 days", "created more than 7
 * days ago"), moved with the clock instead of recomputed: when the threshold moves from t to t',
 * only customers whose value lies in [t, t') change sides, found by binary search in a sorted
 * snapshot of the values. Customers whose value changed since the snapshot are kept right as
 * they change and checked again at each move; the snapshot is re-sorted once they are many.
 */
export class RelativeAnswers {
  private answers = new Map<string, Answer>();
  private sortedValues = new Float64Array(0);
  private sortedIds = new Uint32Array(0);
  private snapshot = false;
  private changed = new Set<number>();

  constructor(
    private read: () => { values: Float64Array; base: number },
    private full: (threshold: number, at: 'since' | 'before') => Bitmap,
  ) {}

  /** A customer's value changed: every kept answer follows it now. */
  changedTo(id: number, v: number): void {
    if (this.snapshot) this.changed.add(id);
    for (const a of this.answers.values()) {
      if (holds(a, v)) a.bitmap.add(id);
      else a.bitmap.remove(id);
    }
  }

  get(at: 'since' | 'before', days: number, threshold: number): Bitmap {
    const key = `${at}:${days}`;
    const a = this.answers.get(key);
    if (!a || threshold < a.threshold) {
      const fresh: Answer = { at, threshold, bitmap: this.full(threshold, at) };
      if (this.answers.size < 32) this.answers.set(key, fresh);
      return fresh.bitmap;
    }
    if (threshold > a.threshold) this.move(a, threshold);
    return a.bitmap;
  }

  private move(a: Answer, to: number): void {
    const { values, base } = this.read();
    if (!this.snapshot || this.changed.size > values.length / 20) this.sort(values, base);
    // Customers whose (snapshot) value lies in [from, to) cross to the other side.
    let i = lowerBound(this.sortedValues, a.threshold);
    a.threshold = to;
    for (; i < this.sortedValues.length && (this.sortedValues[i] as number) < to; i++) {
      const id = this.sortedIds[i] as number;
      if (this.changed.has(id)) continue;
      if (a.at === 'since') a.bitmap.remove(id);
      else a.bitmap.add(id);
    }
    for (const id of this.changed) {
      const v = values[id - base] ?? Number.NaN;
      if (holds(a, v)) a.bitmap.add(id);
      else a.bitmap.remove(id);
    }
  }

  private sort(values: Float64Array, base: number): void {
    const order: number[] = [];
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i] as number)) order.push(i);
    order.sort((x, y) => (values[x] as number) - (values[y] as number));
    this.sortedValues = Float64Array.from(order, (i) => values[i] as number);
    this.sortedIds = Uint32Array.from(order, (i) => base + i);
    this.snapshot = true;
    this.changed.clear();
  }

  get bytes(): number {
    return this.sortedValues.byteLength + this.sortedIds.byteLength;
  }
}

const holds = (a: Answer, v: number) => (a.at === 'since' ? v >= a.threshold : v < a.threshold);

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
