import roaring, { type RoaringBitmap32 as RoaringBitmap } from 'roaring';

export const { RoaringBitmap32 } = roaring;
export type Bitmap = RoaringBitmap;

/** A bitmap of the ids in a comma-separated list (what `string_agg` of ids gives back). */
export function bitmapOfCsv(csv: string | null | undefined): Bitmap {
  if (!csv) return new RoaringBitmap32();
  const parts = csv.split(',');
  const ids = new Uint32Array(parts.length);
  for (let i = 0; i < parts.length; i++) ids[i] = Number(parts[i]);
  return new RoaringBitmap32(ids);
}

export const emptyBitmap = () => new RoaringBitmap32();

/** The intersection of some bitmaps, smallest first so each step stays small; never mutates them. */
export function intersectAll(bitmaps: readonly Bitmap[]): Bitmap {
  const sorted = [...bitmaps].sort((a, b) => a.size - b.size);
  const [first, ...rest] = sorted;
  if (!first) return new RoaringBitmap32();
  let out = first;
  for (const b of rest) {
    if (out.size === 0) break;
    out = RoaringBitmap32.and(out, b);
  }
  return out === first ? first.clone() : out;
}

export const unionAll = (bitmaps: readonly Bitmap[]): Bitmap =>
  bitmaps.length === 0 ? new RoaringBitmap32() : RoaringBitmap32.orMany([...bitmaps]);

/**
 * A growable typed array indexed by customer id. Customer ids are dense per deployment but
 * shared by tenants, so a tenant's slots start at the first id it had when its index was built.
 */
export class DenseColumn<A extends Float64Array | Uint16Array> {
  base = -1;
  constructor(
    private make: (n: number) => A,
    public data: A = make(0),
    private empty = 0,
  ) {}

  get(id: number): number {
    const i = id - this.base;
    return this.base < 0 || i < 0 || i >= this.data.length ? this.empty : (this.data[i] as number);
  }

  set(id: number, v: number): void {
    if (this.base < 0) this.base = id;
    if (id < this.base) {
      // An id below the first one seen: shift everything up.
      const shift = this.base - id;
      const next = this.make(this.data.length + shift);
      next.fill(this.empty);
      next.set(this.data, shift);
      this.data = next;
      this.base = id;
    }
    const i = id - this.base;
    if (i >= this.data.length) {
      const next = this.make(Math.max(1024, Math.ceil((i + 1) * 1.5)));
      next.fill(this.empty);
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = v;
  }

  /** Takes the slots of a snapshot: the first id and the values from it on. */
  restore(base: number, data: A): void {
    this.base = base;
    this.data = data;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}
