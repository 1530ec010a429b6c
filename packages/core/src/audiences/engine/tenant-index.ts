import type { AttributeDefinition } from '@pond/contracts';
import type { CustomerTable, Executor } from '@pond/storage';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { chunked } from '../matching.ts';
import { fieldOf, STANDARD_FIELDS } from '../rule-fields.ts';
import { type Bitmap, bitmapOfCsv, RoaringBitmap32 } from './bitmaps.ts';
import { type FieldIndex, fieldIndexFor } from './field-index.ts';
import type { LeafEntry } from './leaf-cache.ts';
import type { OrgSubtree } from './relations.ts';

type CustomerRow = Selectable<CustomerTable>;

const PAGE = 20_000;
const TAG_SLICE = 500_000;

/** A field the engine indexes: where its value comes from, and its index. */
interface IndexedField {
  readonly column?: string;
  readonly attribute?: string;
  readonly index: FieldIndex;
}

/** A tag row with an expiry still ahead: the customer loses the tag at `at`. */
export interface Expiry {
  readonly at: number;
  readonly customerId: number;
  readonly tagId: string;
}

/**
 * One tenant's in-memory index: who is live (active profiles), who carries each tag, the
 * profile fields, and the cached bitmaps of conditions answered in SQL. `position` is the
 * last outbox id reflected here.
 */
export class TenantIndex {
  readonly live = new RoaringBitmap32();
  readonly tags = new Map<string, Bitmap>();
  readonly fields = new Map<string, IndexedField>();
  readonly leaves = new Map<string, LeafEntry>();
  /** Saved audiences' members, by audience id, kept from `audience.entered` / `audience.exited`. */
  readonly audiences = new Map<string, Bitmap>();
  /** Resolved org subtrees, by their sorted unit ids; dropped on org and staff changes. */
  readonly orgSubtrees = new Map<string, OrgSubtree>();
  /** Bumped on every org or staff change, so a subtree read across one is not kept. */
  orgGeneration = 0;
  /** WeCom customer groups' current customers, by group id, with when they were read. */
  readonly groups = new Map<string, { members: Bitmap; at: number }>();
  /** Bumped on every group change, so members read across one are not kept. */
  groupGeneration = 0;
  /** Tag rows with an expiry, soonest first. */
  expiring: Expiry[] = [];
  position = 0;
  maxId = 0;
  builtAt = 0;
  /** When the index last read the outbox to its end. */
  caughtUpAt = 0;
  /** Set while a snapshot is taken: changes wait for it before being applied. */
  frozen: Promise<void> | null = null;
  buildMs = 0;
  /** Where the index came from: read from SQL, or loaded from a snapshot. */
  origin: 'sql' | 'snapshot' = 'sql';
  /** The fields the index started with, before any overflowed to SQL. */
  readonly declared: readonly string[];

  constructor(
    readonly tenantId: string,
    /** The attribute definitions when the index was built; attributes defined later go to SQL. */
    readonly definitions: ReadonlyMap<string, AttributeDefinition>,
  ) {
    for (const name of STANDARD_FIELDS) this.addField(name);
    for (const key of definitions.keys()) this.addField(`attributes.${key}`);
    this.declared = [...this.fields.keys()];
  }

  private addField(name: string) {
    const f = fieldOf(name, this.definitions);
    if (!f) return;
    const index = fieldIndexFor(f.type, f.attribute !== undefined);
    if (index) this.fields.set(name, { column: f.column, attribute: f.attribute, index });
  }

  /** Applies a customer's row (profile, attributes, status) to the live set and the fields. */
  applyRow(row: CustomerRow): void {
    const id = Number(row.id);
    if (id > this.maxId) this.maxId = id;
    if (row.status === 'active') this.live.add(id);
    else this.live.remove(id);
    let attributes: Record<string, unknown> | null = null;
    const record = row as unknown as Record<string, unknown>;
    for (const [name, f] of this.fields) {
      let raw: unknown;
      if (f.column !== undefined) {
        // A field added to the rule language before its column exists is answered in SQL.
        if (!(f.column in record)) {
          this.fields.delete(name);
          continue;
        }
        raw = record[f.column];
      } else {
        attributes ??= parseAttributes(row.attributes);
        raw = attributes[f.attribute ?? ''];
      }
      // Too many distinct values (names, free text): the field goes to SQL from now on.
      if (!f.index.set(id, raw)) this.fields.delete(name);
    }
  }

  /** Sets a customer's membership of some tags to what SQL says now. */
  applyTags(id: number, held: ReadonlySet<string>, tagIds: Iterable<string>): void {
    for (const tagId of tagIds) {
      let b = this.tags.get(tagId);
      if (!b) {
        if (!held.has(tagId)) continue;
        b = new RoaringBitmap32();
        this.tags.set(tagId, b);
      }
      if (held.has(tagId)) b.add(id);
      else b.remove(id);
    }
  }

  addExpiry(e: Expiry): void {
    // Binary search for the slot keeps the list sorted without re-sorting it.
    let lo = 0;
    let hi = this.expiring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.expiring[mid] as Expiry).at <= e.at) lo = mid + 1;
      else hi = mid;
    }
    this.expiring.splice(lo, 0, e);
  }

  /** Removes and returns the expiries due by `now`. */
  takeExpired(now: number): Expiry[] {
    let n = 0;
    while (n < this.expiring.length && (this.expiring[n] as Expiry).at <= now) n++;
    return n === 0 ? [] : this.expiring.splice(0, n);
  }

  /** Bytes held by the typed arrays (bitmaps are counted by CRoaring itself). */
  get arrayBytes(): number {
    let n = 0;
    for (const f of this.fields.values()) n += f.index.bytes;
    return n;
  }
}

const parseAttributes = (text: string): Record<string, unknown> => {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/**
 * A tenant's customers with ids above `after`, in id order. The tenant test is written so no
 * index can serve it (`tenant_id || ''`): the planner then walks the primary key from `after`,
 * instead of reading every customer of the tenant through a `(tenant_id, …)` index and sorting.
 */
export function customersAfter(ex: Executor, tenantId: string, after: number, limit: number) {
  return ex
    .selectFrom('customers')
    .selectAll()
    .where('id', '>', after)
    .where(sql<string>`${sql.ref('tenant_id')} || ''`, '=', tenantId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Reads a tenant's customers with ids above `after`, page by page, into the index. */
export async function loadCustomers(ex: Executor, index: TenantIndex, after = 0): Promise<number[]> {
  const seen: number[] = [];
  let last = after;
  for (;;) {
    const rows = await customersAfter(ex, index.tenantId, last, PAGE);
    for (const r of rows) {
      index.applyRow(r);
      seen.push(Number(r.id));
    }
    const tail = rows[rows.length - 1];
    if (!tail || rows.length < PAGE) return seen;
    last = Number(tail.id);
  }
}

/**
 * Builds a tenant's index from SQL. The outbox position is read first: every change after it
 * is replayed on top, and replaying a change already seen only reads the same rows again.
 */
export async function buildIndex(
  ex: Executor,
  tenantId: string,
  definitions: ReadonlyMap<string, AttributeDefinition>,
  now: number,
): Promise<TenantIndex> {
  const started = performance.now();
  const index = new TenantIndex(tenantId, definitions);
  const top = await ex
    .selectFrom('outbox')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  index.position = Number(top?.id ?? 0);
  index.builtAt = now;
  index.caughtUpAt = now;
  await loadCustomers(ex, index);
  // Tag rows in slices of the primary key, grouped by tag: sequential reads and one row per tag
  // per slice back (a query per tag would look each row up through the tag index instead).
  const span = await ex
    .selectFrom('customer_tags')
    .select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')])
    .executeTakeFirst();
  const lo = Number(span?.lo ?? 0);
  const hi = Number(span?.hi ?? -1);
  for (let from = lo; from <= hi; from += TAG_SLICE) {
    const rows = await ex
      .selectFrom('customer_tags')
      .select((eb) => [
        'tag_id',
        sql<string | null>`string_agg(cast(customer_id as text), ',')`.as('ids'),
        eb.fn.count('expires_at').as('expiring'),
      ])
      .where('id', '>=', from)
      .where('id', '<', from + TAG_SLICE)
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .groupBy('tag_id')
      .execute();
    for (const r of rows) {
      const b = bitmapOfCsv(r.ids);
      const held = index.tags.get(r.tag_id);
      if (held) held.orInPlace(b);
      else index.tags.set(r.tag_id, b);
    }
    // Rows that will expire, only for slices holding some.
    if (rows.some((r) => Number(r.expiring) > 0)) {
      const expiring = await ex
        .selectFrom('customer_tags')
        .select(['customer_id', 'tag_id', 'expires_at'])
        .where('id', '>=', from)
        .where('id', '<', from + TAG_SLICE)
        .where('tenant_id', '=', tenantId)
        .where('expires_at', '>', now)
        .execute();
      for (const e of expiring) {
        index.addExpiry({ at: Number(e.expires_at), customerId: Number(e.customer_id), tagId: e.tag_id });
      }
    }
  }
  index.buildMs = performance.now() - started;
  return index;
}

/** The tags (unexpired at `now`) each of some customers holds, optionally among some tags. */
export async function tagsOf(
  ex: Executor,
  tenantId: string,
  ids: readonly number[],
  now: number,
  tagIds?: readonly string[],
): Promise<{ held: Map<number, Set<string>>; expiring: Expiry[] }> {
  const held = new Map<number, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  const expiring: Expiry[] = [];
  for (const chunk of chunked(ids)) {
    let q = ex
      .selectFrom('customer_tags')
      .select(['customer_id', 'tag_id', 'expires_at'])
      .where('tenant_id', '=', tenantId)
      .where('customer_id', 'in', chunk)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    if (tagIds) q = q.where('tag_id', 'in', [...tagIds]);
    for (const r of await q.execute()) {
      const id = Number(r.customer_id);
      held.get(id)?.add(r.tag_id);
      if (r.expires_at !== null) expiring.push({ at: Number(r.expires_at), customerId: id, tagId: r.tag_id });
    }
  }
  return { held, expiring };
}
