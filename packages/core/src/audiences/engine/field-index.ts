import type { AttributeOp, RuleFieldType } from '@pond/contracts';
import { type Bitmap, DenseColumn, RoaringBitmap32, unionAll } from './bitmaps.ts';
import { RelativeAnswers } from './relative-times.ts';

const DAY = 86_400_000;

/** Beyond this many distinct values a field is answered in SQL instead (names, free text). */
export const MAX_DISTINCT_VALUES = 4_096;

export type Scalar = string | number | boolean;

/** A profile field held in memory, answering a condition's operator natively where it can. */
export interface FieldIndex {
  /** Records a customer's value (from the row or its attributes); false when the field overflowed. */
  set(id: number, raw: unknown): boolean;
  /** Whether `match` answers this operator (else the condition goes to SQL). */
  supports(op: AttributeOp): boolean;
  /** The customers the condition holds for, or null when it must be answered in SQL. */
  match(op: AttributeOp, value: unknown, now: number, live: Bitmap): Bitmap | null;
  /** What the field holds, for a snapshot. */
  save(): FieldState;
  /** Takes what `save` gave; the field was empty until now. */
  restore(state: FieldState): void;
  readonly bytes: number;
}

/** A field's content in a snapshot: plain JSON values, bitmaps, and typed arrays as bytes. */
export interface FieldState {
  readonly kind: string;
  readonly meta: { readonly base?: number; readonly values?: readonly unknown[] };
  readonly bitmaps: readonly Bitmap[];
  readonly arrays: readonly Uint8Array[];
}

const bytesOf = (a: Float64Array | Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The ordered comparisons (`lt` … `between`) as a test of one value; null for other operators. */
function comparison<T extends string | number>(
  op: AttributeOp,
  x: T,
  range: T[],
): ((v: T) => boolean) | null {
  switch (op) {
    case 'lt':
      return (v) => v < x;
    case 'lte':
      return (v) => v <= x;
    case 'gt':
      return (v) => v > x;
    case 'gte':
      return (v) => v >= x;
    case 'between': {
      const [a, b] = range;
      return (v) => a !== undefined && b !== undefined && v >= a && v <= b;
    }
    default:
      return null;
  }
}

/**
 * Presence and negations, alike for every field (negations hold for customers without a value);
 * `positive` answers the other operators, or null to leave the condition to SQL.
 */
function answerWith(
  op: AttributeOp,
  value: unknown,
  live: Bitmap,
  present: Bitmap,
  positive: (op: AttributeOp, value: unknown) => Bitmap | null,
): Bitmap | null {
  switch (op) {
    case 'exists':
      return present;
    case 'not_exists':
      return RoaringBitmap32.andNot(live, present);
    case 'neq':
    case 'not_in': {
      const held = positive(op === 'neq' ? 'eq' : 'in', value);
      return held && RoaringBitmap32.andNot(live, held);
    }
    default:
      return positive(op, value);
  }
}

/**
 * How the reference evaluator compares values. Standard columns compare with SQL `=` (no
 * type); custom attributes with a JSON equality that includes the type (1 is not "1").
 */
type KeyOf = (v: unknown) => string | null;
const untyped: KeyOf = (v) => (v === null || v === undefined ? null : String(v));
const typed: KeyOf = (v) => (v === null || v === undefined ? null : `${typeof v}:${String(v)}`);

/**
 * Low-cardinality single-valued fields (text, ids, dates, yes/no): one bitmap per distinct
 * value and a 2-byte code per customer, so a change finds the bitmap to leave at once.
 */
export class ValueField implements FieldIndex {
  private codes = new DenseColumn((n) => new Uint16Array(n));
  private dict = new Map<string, number>();
  private raws: unknown[] = [undefined];
  private bitmaps: Bitmap[] = [new RoaringBitmap32()];
  private present = new RoaringBitmap32();

  constructor(private keyOf: KeyOf) {}

  static forColumn = () => new ValueField(untyped);
  static forAttribute = () => new ValueField(typed);

  set(id: number, raw: unknown): boolean {
    const key = this.keyOf(raw);
    const old = this.codes.get(id);
    let code = 0;
    if (key !== null) {
      code = this.dict.get(key) ?? 0;
      if (code === 0) {
        if (this.dict.size >= MAX_DISTINCT_VALUES) return false;
        code = this.raws.length;
        this.dict.set(key, code);
        this.raws.push(raw);
        this.bitmaps.push(new RoaringBitmap32());
      }
    }
    if (old === code) return true;
    if (old !== 0) this.bitmaps[old]?.remove(id);
    if (code === 0) {
      this.present.remove(id);
      if (old !== 0) this.codes.set(id, 0);
      return true;
    }
    this.bitmaps[code]?.add(id);
    this.present.add(id);
    this.codes.set(id, code);
    return true;
  }

  supports(op: AttributeOp): boolean {
    return op !== 'contains' && op !== 'within_last' && op !== 'before_last';
  }

  save(): FieldState {
    return {
      kind: 'value',
      meta: { base: this.codes.base, values: this.raws.slice(1) },
      bitmaps: [this.present, ...this.bitmaps.slice(1)],
      arrays: [bytesOf(this.codes.data)],
    };
  }

  restore({ meta, bitmaps, arrays }: FieldState): void {
    const [present = new RoaringBitmap32(), ...byCode] = bitmaps;
    this.raws = [undefined, ...(meta.values ?? [])];
    this.dict = new Map(this.raws.slice(1).map((raw, i) => [this.keyOf(raw) ?? '', i + 1]));
    this.bitmaps = [new RoaringBitmap32(), ...byCode];
    this.present = present;
    const codes = arrays[0] ?? new Uint8Array(0);
    this.codes.restore(meta.base ?? -1, new Uint16Array(codes.slice().buffer));
  }

  private eq(v: unknown): Bitmap {
    const code = this.dict.get(this.keyOf(v) ?? '');
    return code ? (this.bitmaps[code] as Bitmap) : new RoaringBitmap32();
  }

  /** Ordered comparison of text values (dates `YYYY-MM-DD`), as SQL compares them. */
  private ordered(test: (s: string) => boolean): Bitmap {
    const hits: Bitmap[] = [];
    for (let code = 1; code < this.raws.length; code++) {
      const raw = this.raws[code];
      if (typeof raw === 'string' && test(raw)) hits.push(this.bitmaps[code] as Bitmap);
    }
    return unionAll(hits);
  }

  match(op: AttributeOp, value: unknown, _now: number, live: Bitmap): Bitmap | null {
    return answerWith(op, value, live, this.present, (o, v) => {
      const values = Array.isArray(v) ? v : [];
      const test = comparison(o, String(v), values.map(String));
      if (test) return this.ordered(test);
      if (o === 'eq') return this.eq(v);
      if (o === 'in') return unionAll(values.map((x) => this.eq(x)));
      // `contains` follows the engine's own case rules (LIKE / ILIKE): left to SQL.
      return null;
    });
  }

  get bytes(): number {
    return this.codes.bytes;
  }
}

/**
 * Numbers and times: one float per customer (NaN when absent), scanned for ranges and relative
 * times; a scan of a million slots takes about a millisecond.
 */
export class NumberField implements FieldIndex {
  private values = new DenseColumn((n) => new Float64Array(n), new Float64Array(0), Number.NaN);
  private present = new RoaringBitmap32();
  private scratch = new Uint32Array(0);
  /** Answers of fixed comparisons, dropped when any value changes. */
  private answers = new Map<string, Bitmap>();
  /** Answers of relative times, moved with the clock. */
  private relative = new RelativeAnswers(
    () => ({ values: this.values.data, base: this.values.base }),
    (t, at) =>
      at === 'since'
        ? this.range(t, Number.POSITIVE_INFINITY)
        : this.range(Number.NEGATIVE_INFINITY, t, false, true),
  );

  /** Columns hold numbers; a custom attribute counts only when its JSON value is a number. */
  constructor(private attribute: boolean) {}

  set(id: number, raw: unknown): boolean {
    const v = this.attribute
      ? typeof raw === 'number'
        ? raw
        : Number.NaN
      : raw === null || raw === undefined
        ? Number.NaN
        : Number(raw);
    const old = this.values.get(id);
    if (old === v || (Number.isNaN(old) && Number.isNaN(v))) return true;
    if (this.answers.size > 0) this.answers.clear();
    if (Number.isNaN(v)) {
      this.values.set(id, Number.NaN);
      this.present.remove(id);
    } else {
      this.values.set(id, v);
      this.present.add(id);
    }
    this.relative.changedTo(id, v);
    return true;
  }

  /** The value of one customer (NaN when absent); the preview sorts its sample by it. */
  valueOf(id: number): number {
    return this.values.get(id);
  }

  supports(op: AttributeOp): boolean {
    return op !== 'contains';
  }

  save(): FieldState {
    return {
      kind: 'number',
      meta: { base: this.values.base },
      bitmaps: [this.present],
      arrays: [bytesOf(this.values.data)],
    };
  }

  restore({ meta, bitmaps, arrays }: FieldState): void {
    this.present = bitmaps[0] ?? new RoaringBitmap32();
    const values = arrays[0] ?? new Uint8Array(0);
    this.values.restore(meta.base ?? -1, new Float64Array(values.slice().buffer));
  }

  /**
   * The customers whose value lies in [lo, hi] (either end open with ±Infinity, `strict` ends
   * excluded). One monomorphic loop for every comparison keeps the scan at memory speed.
   */
  private range(lo: number, hi: number, loStrict = false, hiStrict = false): Bitmap {
    const data = this.values.data;
    if (this.scratch.length < data.length) this.scratch = new Uint32Array(data.length);
    const out = this.scratch;
    const base = this.values.base;
    let n = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      // NaN fails every comparison, like NULL in SQL.
      if ((loStrict ? v > lo : v >= lo) && (hiStrict ? v < hi : v <= hi)) out[n++] = base + i;
    }
    return new RoaringBitmap32(out.subarray(0, n));
  }

  private scan(test: (v: number) => boolean): Bitmap {
    const data = this.values.data;
    if (this.scratch.length < data.length) this.scratch = new Uint32Array(data.length);
    const out = this.scratch;
    const base = this.values.base;
    let n = 0;
    for (let i = 0; i < data.length; i++) {
      if (test(data[i] as number)) out[n++] = base + i;
    }
    return new RoaringBitmap32(out.subarray(0, n));
  }

  match(op: AttributeOp, value: unknown, now: number, live: Bitmap): Bitmap | null {
    return answerWith(op, value, live, this.present, (o, v) => {
      const x = Number(v);
      // Relative times move with the clock (`RelativeAnswers`); fixed comparisons are kept.
      if (o === 'within_last') return this.relative.get('since', x, now - x * DAY);
      if (o === 'before_last') return this.relative.get('before', x, now - x * DAY);
      const key = `${o}:${JSON.stringify(v)}`;
      const known = this.answers.get(key);
      if (known) return known;
      const answer = this.compare(o, v);
      if (answer && this.answers.size < 64) this.answers.set(key, answer);
      return answer;
    });
  }

  private compare(op: AttributeOp, value: unknown): Bitmap | null {
    const values = Array.isArray(value) ? value.map(Number) : [];
    const x = Number(value);
    const [a = Number.NaN, b = Number.NaN] = values;
    const inf = Number.POSITIVE_INFINITY;
    switch (op) {
      case 'eq':
        return this.range(x, x);
      case 'in':
        return this.scan((v) => values.includes(v));
      case 'lt':
        return this.range(-inf, x, false, true);
      case 'lte':
        return this.range(-inf, x);
      case 'gt':
        return this.range(x, inf, true);
      case 'gte':
        return this.range(x, inf);
      case 'between':
        return this.range(a, b);
      default:
        return null;
    }
  }

  get bytes(): number {
    return this.values.bytes + this.scratch.byteLength + this.relative.bytes;
  }
}

/** Several-of custom attributes: a bitmap per option held, and who has the attribute at all. */
export class ListField implements FieldIndex {
  private elements = new Map<string, Bitmap>();
  private present = new RoaringBitmap32();

  set(id: number, raw: unknown): boolean {
    for (const b of this.elements.values()) b.remove(id);
    if (raw === null || raw === undefined) {
      this.present.remove(id);
      return true;
    }
    this.present.add(id);
    for (const e of Array.isArray(raw) ? raw : []) {
      if (typeof e !== 'string') continue;
      let b = this.elements.get(e);
      if (!b) {
        if (this.elements.size >= MAX_DISTINCT_VALUES) return false;
        b = new RoaringBitmap32();
        this.elements.set(e, b);
      }
      b.add(id);
    }
    return true;
  }

  supports(op: AttributeOp): boolean {
    return op === 'exists' || op === 'not_exists' || op === 'contains';
  }

  save(): FieldState {
    return {
      kind: 'list',
      meta: { values: [...this.elements.keys()] },
      bitmaps: [this.present, ...this.elements.values()],
      arrays: [],
    };
  }

  restore({ meta, bitmaps }: FieldState): void {
    const [present = new RoaringBitmap32(), ...held] = bitmaps;
    this.present = present;
    this.elements = new Map((meta.values ?? []).map((e, i) => [String(e), held[i] ?? new RoaringBitmap32()]));
  }

  match(op: AttributeOp, value: unknown, _now: number, live: Bitmap): Bitmap | null {
    return answerWith(op, value, live, this.present, (o, v) =>
      o === 'contains' ? (this.elements.get(String(v)) ?? new RoaringBitmap32()) : null,
    );
  }

  get bytes(): number {
    return 0;
  }
}

/** The in-memory index for a field of a type, or null when the type is left to SQL. */
export function fieldIndexFor(type: RuleFieldType, attribute: boolean): FieldIndex | null {
  switch (type) {
    case 'text':
    case 'id':
    case 'date':
      return attribute ? ValueField.forAttribute() : ValueField.forColumn();
    case 'boolean':
      // A yes/no column would be 0/1 on one engine and a boolean on the other: SQL decides.
      return attribute ? ValueField.forAttribute() : null;
    case 'number':
    case 'timestamp':
      return new NumberField(attribute);
    case 'list':
      return attribute ? new ListField() : null;
  }
}
