import type { AttributeDefinition, Rule } from '@pond/contracts';
import { containsText, type Database, type DialectInfo } from '@pond/storage';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { fieldOf } from './rule-fields.ts';

type Eb = ExpressionBuilder<Database, 'customers'>;

const DAY = 86_400_000;
const CMP = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

export interface RuleEnv {
  readonly tenantId: string;
  readonly now: number;
  readonly dialect: DialectInfo;
  readonly definitions: ReadonlyMap<string, AttributeDefinition>;
}

/**
 * The reference evaluator: a checked rule as one SQL condition on `customers`, the same on
 * both engines. It reads the tables directly, so it is the definition of what a rule means;
 * faster evaluators must give the same answers.
 */
export function ruleToSql(rule: Rule, env: RuleEnv) {
  const { condition } = sqlOf(env);
  return (eb: Eb) => condition(eb, rule);
}

/**
 * The SQL of rules: `condition` is whether a customer matches; `value` is, for one condition,
 * the customer's value it looked at (the field, the event count, the aggregate, the last time
 * of an event, the consent given) — what "explain" shows.
 */
export function sqlOf(env: RuleEnv) {
  const { tenantId, now, dialect } = env;
  const json = dialect.json;

  const eventsOf = (eb: Eb, name: string, withinDays?: number) => {
    let q = eb
      .selectFrom('events as e')
      .where('e.tenant_id', '=', tenantId)
      .whereRef('e.customer_id', '=', 'customers.id')
      .where('e.name', '=', name);
    if (withinDays !== undefined) q = q.where('e.timestamp', '>=', now - withinDays * DAY);
    return q;
  };

  const filteredEvents = (eb: Eb, r: Extract<Rule, { kind: 'event' }>) => {
    let q = eventsOf(eb, r.name, r.withinDays);
    for (const w of r.where ?? []) {
      q = q.where(
        w.op === 'eq'
          ? json.equals('e.properties', w.property, w.value)
          : w.op === 'neq'
            ? sql<SqlBool>`not ${json.equals('e.properties', w.property, w.value)}`
            : sql<SqlBool>`${json.number('e.properties', w.property)} ${sql.raw(CMP[w.op])} ${w.value}`,
      );
    }
    return q;
  };

  const aggregateOf = (eb: Eb, r: Extract<Rule, { kind: 'aggregate' }>) => {
    const q = eventsOf(eb, r.name, r.withinDays);
    return r.fn === 'count'
      ? q.select((s) => s.fn.countAll().as('v'))
      : q.select(() => {
          const n = json.number('e.properties', r.property ?? '');
          const agg = r.fn === 'sum' ? sql`coalesce(sum(${n}), 0)` : sql`${sql.raw(r.fn)}(${n})`;
          return agg.as('v');
        });
  };

  const latestConsent = (eb: Eb, r: Extract<Rule, { kind: 'consent' }>) =>
    eb
      .selectFrom('consents as c')
      .select('c.status')
      .where('c.tenant_id', '=', tenantId)
      .whereRef('c.customer_id', '=', 'customers.id')
      .where('c.purpose', '=', r.purpose)
      .where('c.channel', '=', r.channel)
      .orderBy('c.id', 'desc')
      .limit(1);

  /** The org units in the subtrees of `unitIds` (each unit included), by materialized path. */
  const unitsUnder = (eb: Eb, unitIds: string[]) =>
    eb
      .selectFrom('org_units as u')
      .innerJoin('org_units as top', (j) => j.onRef('top.tenant_id', '=', 'u.tenant_id'))
      .select('u.id')
      .where('u.tenant_id', '=', tenantId)
      .where('top.id', 'in', unitIds)
      .where(sql<SqlBool>`substr(u.path, 1, length(top.path)) = top.path`);

  const orgUnit = (eb: Eb, r: Extract<Rule, { kind: 'org_unit' }>): Expression<SqlBool> => {
    const byOwner = eb(
      'customers.owner_staff_id',
      'in',
      eb
        .selectFrom('staff as s')
        .select('s.id')
        .where('s.tenant_id', '=', tenantId)
        .where('s.org_unit_id', 'in', unitsUnder(eb, r.unitIds)),
    );
    const byStore = eb('customers.store_id', 'in', unitsUnder(eb, r.unitIds));
    const via = r.via ?? 'either';
    return via === 'owner' ? byOwner : via === 'store' ? byStore : eb.or([byOwner, byStore]);
  };

  const membership = (eb: Eb, audienceId: string) =>
    eb
      .selectFrom('audience_members as am')
      .where('am.tenant_id', '=', tenantId)
      .where('am.audience_id', '=', audienceId)
      .whereRef('am.customer_id', '=', 'customers.id');

  /** The customer's current memberships of these WeCom customer groups. */
  const groupsOf = (eb: Eb, groupIds: string[]) =>
    eb
      .selectFrom('wecom_group_members as gm')
      .where('gm.tenant_id', '=', tenantId)
      .whereRef('gm.customer_id', '=', 'customers.id')
      .where('gm.status', '=', 'member')
      .where('gm.group_id', 'in', groupIds);

  const build = (eb: Eb, r: Rule): Expression<SqlBool> => {
    switch (r.kind) {
      case 'all':
        return eb.and(r.rules.map((c) => build(eb, c)));
      case 'any':
        return eb.or(r.rules.map((c) => build(eb, c)));
      case 'not':
        return eb.not(sql<SqlBool>`coalesce(${build(eb, r.rule)}, false)`);
      case 'attribute':
        return attribute(eb, r);
      case 'tags': {
        const has = (ids: string[]) =>
          eb.exists(
            eb
              .selectFrom('customer_tags as ct')
              .select('ct.id')
              .where('ct.tenant_id', '=', tenantId)
              .whereRef('ct.customer_id', '=', 'customers.id')
              .where('ct.tag_id', 'in', ids)
              .where((w) => w.or([w('ct.expires_at', 'is', null), w('ct.expires_at', '>', now)])),
          );
        if (r.match === 'any') return has(r.tagIds);
        if (r.match === 'none') return eb.not(has(r.tagIds));
        return eb.and(r.tagIds.map((id) => has([id])));
      }
      case 'event': {
        const q = filteredEvents(eb, r);
        const count = r.count ?? { op: 'at_least' as const, n: 1 };
        if (count.op === 'at_least' && count.n <= 1) {
          return count.n === 0 ? sql<SqlBool>`1 = 1` : eb.exists(q.select('e.id'));
        }
        const counted = q.select((s) => s.fn.countAll().as('n'));
        const op = count.op === 'at_least' ? '>=' : count.op === 'at_most' ? '<=' : '=';
        return eb(counted, op, count.n);
      }
      case 'not_since':
        return eb.not(eb.exists(eventsOf(eb, r.name, r.days).select('e.id')));
      case 'aggregate':
        return eb(aggregateOf(eb, r), CMP[r.op], r.value);
      case 'consent':
        return eb(latestConsent(eb, r), '=', r.status);
      case 'owner_staff':
        return eb('customers.owner_staff_id', 'in', r.staffIds);
      case 'store':
        return eb('customers.store_id', 'in', r.storeIds);
      case 'org_unit':
        return orgUnit(eb, r);
      case 'source_channel':
        return eb('customers.source_channel', 'in', r.channels);
      case 'customer_group':
        return eb.exists(groupsOf(eb, r.groupIds).select('gm.group_id'));
      case 'audience': {
        const member = eb.exists(membership(eb, r.audienceId).select('am.customer_id'));
        return r.match === 'in' ? member : eb.not(member);
      }
    }
  };

  /** A field's value: a column, or a custom attribute read from JSON. */
  const fieldRef = (name: string) => {
    const field = fieldOf(name, env.definitions);
    if (!field) throw new Error(`rule not checked: no field ${name}`);
    const key = field.attribute;
    const ref =
      key === undefined
        ? sql.ref(`customers.${field.column}`)
        : field.type === 'number'
          ? json.number('customers.attributes', key)
          : json.text('customers.attributes', key);
    return { field, key, ref };
  };

  const attribute = (eb: Eb, r: Extract<Rule, { kind: 'attribute' }>): Expression<SqlBool> => {
    const { field, key, ref } = fieldRef(r.field);
    const values = Array.isArray(r.value) ? r.value : [];
    const present =
      key === undefined ? sql<SqlBool>`${ref} is not null` : json.exists('customers.attributes', key);
    const equals = (v: string | number | boolean) =>
      key === undefined ? sql<SqlBool>`${ref} = ${v}` : json.equals('customers.attributes', key, v);
    const anyOf = (vs: (string | number | boolean)[]) =>
      vs.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(vs.map((v) => equals(v)));
    // Negations hold for customers without a value too.
    const negate = (e: Expression<SqlBool>) => eb.not(sql<SqlBool>`coalesce(${e}, false)`);
    switch (r.op) {
      case 'exists':
        return present;
      case 'not_exists':
        return negate(present);
      case 'eq':
        return equals(r.value as string | number | boolean);
      case 'neq':
        return negate(equals(r.value as string | number | boolean));
      case 'in':
        return anyOf(values);
      case 'not_in':
        return negate(anyOf(values));
      case 'contains':
        return field.type === 'list' && key !== undefined
          ? json.listHas('customers.attributes', key, String(r.value))
          : containsText(ref as Expression<string | null>, String(r.value), dialect.ilike);
      case 'between':
        return sql<SqlBool>`(${ref} >= ${values[0]} and ${ref} <= ${values[1]})`;
      case 'within_last':
        return sql<SqlBool>`${ref} >= ${now - Number(r.value) * DAY}`;
      case 'before_last':
        return sql<SqlBool>`${ref} < ${now - Number(r.value) * DAY}`;
      default:
        return sql<SqlBool>`${ref} ${sql.raw(CMP[r.op])} ${r.value as string | number}`;
    }
  };

  /**
   * The value a condition looked at, for one customer row; null for groups, tags, org
   * subtrees and customer groups (explain reads those itself). An audience condition looks at when the customer
   * entered the audience (null: not a member).
   */
  const value = (eb: Eb, r: Rule): Expression<unknown> | null => {
    switch (r.kind) {
      case 'owner_staff':
        return sql.ref('customers.owner_staff_id');
      case 'store':
        return sql.ref('customers.store_id');
      case 'source_channel':
        return sql.ref('customers.source_channel');
      case 'audience':
        return membership(eb, r.audienceId).select('am.entered_at');
      case 'attribute':
        return fieldRef(r.field).ref;
      case 'event':
        return filteredEvents(eb, r).select((s) => s.fn.countAll().as('n'));
      case 'not_since':
        return eventsOf(eb, r.name).select((s) => s.fn.max('e.timestamp').as('last'));
      case 'aggregate':
        return aggregateOf(eb, r);
      case 'consent':
        return latestConsent(eb, r);
      default:
        return null;
    }
  };

  return { condition: build, value };
}
