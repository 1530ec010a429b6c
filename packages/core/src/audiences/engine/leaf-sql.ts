import type { Rule } from '@pond/contracts';
import type { Executor } from '@pond/storage';
import { type SqlBool, sql } from 'kysely';
import { chunked } from '../matching.ts';
import { type RuleEnv, ruleToSql } from '../rule-sql.ts';
import { type Bitmap, bitmapOfCsv, RoaringBitmap32 } from './bitmaps.ts';

const DAY = 86_400_000;
const CMP = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

type EventRule = Extract<Rule, { kind: 'event' }>;
type AggregateRule = Extract<Rule, { kind: 'aggregate' }>;
export type BehaviourRule = EventRule | AggregateRule | Extract<Rule, { kind: 'not_since' }>;

/** Ids as one comma-separated text: one row back instead of one per customer. */
const idsOf = (column: string) => sql<string | null>`string_agg(cast(${sql.ref(column)} as text), ',')`;

/** The window a behaviour condition looks at, in days (none: all time). */
export function windowDays(r: BehaviourRule): number | undefined {
  return r.kind === 'not_since' ? r.days : r.withinDays;
}

/**
 * A behaviour condition over the whole tenant, computed from the events of its name in its
 * window (the `(tenant_id, name, timestamp)` index) grouped by customer, instead of one
 * correlated count per customer as the reference does. Customers without such events hold
 * when zero satisfies the condition (at most n, a count or sum compared with 0); those come
 * back as `live` less the customers that have events.
 */
export function behaviourBitmap(ex: Executor, env: RuleEnv, r: BehaviourRule, live: Bitmap): Promise<Bitmap> {
  // Grouping a brand's events by customer makes a great many groups: sorted, not hashed.
  return env.dialect.groupBySorting(ex, (ex) => grouped(ex, env, r, live));
}

async function grouped(ex: Executor, env: RuleEnv, r: BehaviourRule, live: Bitmap): Promise<Bitmap> {
  const json = env.dialect.json;
  const days = windowDays(r);
  let events = ex
    .selectFrom('events as e')
    .where('e.tenant_id', '=', env.tenantId)
    .where('e.name', '=', r.name);
  if (days !== undefined) events = events.where('e.timestamp', '>=', env.now - days * DAY);
  if (r.kind === 'event') {
    for (const w of r.where ?? []) {
      events = events.where(
        w.op === 'eq'
          ? json.equals('e.properties', w.property, w.value)
          : w.op === 'neq'
            ? sql<SqlBool>`not ${json.equals('e.properties', w.property, w.value)}`
            : sql<SqlBool>`${json.number('e.properties', w.property)} ${sql.raw(CMP[w.op])} ${w.value}`,
      );
    }
  }
  const anyEvents = async () => {
    const row = await ex
      .selectFrom(events.select('e.customer_id').distinct().as('t'))
      .select(idsOf('t.customer_id').as('ids'))
      .executeTakeFirst();
    return bitmapOfCsv(row?.ids);
  };
  const having = async (condition: ReturnType<typeof sql<SqlBool>>) => {
    const grouped = events.select('e.customer_id').groupBy('e.customer_id').having(condition);
    const row = await ex
      .selectFrom(grouped.as('t'))
      .select(idsOf('t.customer_id').as('ids'))
      .executeTakeFirst();
    return bitmapOfCsv(row?.ids);
  };
  const withZero = async (zeroHolds: boolean, held: Bitmap) =>
    zeroHolds ? RoaringBitmap32.orMany([RoaringBitmap32.andNot(live, await anyEvents()), held]) : held;

  if (r.kind === 'not_since') return RoaringBitmap32.andNot(live, await anyEvents());
  if (r.kind === 'event') {
    const count = r.count ?? { op: 'at_least' as const, n: 1 };
    if (count.op === 'at_least' && count.n === 0) return live.clone();
    if (count.op === 'at_least' && count.n === 1) return anyEvents();
    const op = count.op === 'at_least' ? '>=' : count.op === 'at_most' ? '<=' : '=';
    const zero = count.op === 'at_most' || count.n === 0;
    return withZero(zero, await having(sql<SqlBool>`count(*) ${sql.raw(op)} ${count.n}`));
  }
  const n = json.number('e.properties', r.property ?? '');
  const agg =
    r.fn === 'count'
      ? sql`count(*)`
      : r.fn === 'sum'
        ? sql`coalesce(sum(${n}), 0)`
        : sql`${sql.raw(r.fn)}(${n})`;
  const held = await having(sql<SqlBool>`${agg} ${sql.raw(CMP[r.op])} ${r.value}`);
  // Without events: count and sum are 0; avg, min and max are null and hold for nobody.
  const zero = (r.fn === 'count' || r.fn === 'sum') && compare(0, r.op, r.value);
  return withZero(zero, held);
}

function compare(a: number, op: keyof typeof CMP, b: number): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'neq':
      return a !== b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
  }
}

/** Customers whose events of `name` left a window between two moments (their answer may change). */
export async function leftWindow(
  ex: Executor,
  tenantId: string,
  name: string,
  from: number,
  to: number,
): Promise<Bitmap> {
  const row = await ex
    .selectFrom(
      ex
        .selectFrom('events as e')
        .select('e.customer_id')
        .distinct()
        .where('e.tenant_id', '=', tenantId)
        .where('e.name', '=', name)
        .where('e.timestamp', '>=', from)
        .where('e.timestamp', '<', to)
        .as('t'),
    )
    .select(idsOf('t.customer_id').as('ids'))
    .executeTakeFirst();
  return bitmapOfCsv(row?.ids);
}

/** The earliest time of an event of `name` at or after `since` (the next to leave a window). */
export async function earliestSince(ex: Executor, tenantId: string, name: string, since: number) {
  const row = await ex
    .selectFrom('events')
    .select((eb) => eb.fn.min('timestamp').as('at'))
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .where('timestamp', '>=', since)
    .executeTakeFirst();
  // No event in the window: none can leave it before a new one arrives (which marks it dirty).
  return row?.at === null || row?.at === undefined ? Number.POSITIVE_INFINITY : Number(row.at);
}

/**
 * One condition through the reference evaluator: the tenant's active customers it holds for,
 * among `only` when given. This is how conditions the engine does not index are answered.
 */
export async function referenceBitmap(
  ex: Executor,
  env: RuleEnv,
  r: Rule,
  only?: readonly number[],
): Promise<Bitmap> {
  const matches = ruleToSql(r, env);
  const out = new RoaringBitmap32();
  for (const chunk of only ? chunked(only) : [undefined]) {
    let q = ex
      .selectFrom('customers')
      .select(idsOf('customers.id').as('ids'))
      .where('tenant_id', '=', env.tenantId)
      .where('status', '=', 'active');
    if (chunk) q = q.where('id', 'in', chunk);
    const row = await q.where(matches).executeTakeFirst();
    out.orInPlace(bitmapOfCsv(row?.ids));
  }
  return out;
}
