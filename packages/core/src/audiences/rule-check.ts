import {
  type AttributeDefinition,
  MAX_RULE_DEPTH,
  MAX_RULE_NODES,
  RULE_OPS,
  type Rule,
  type RuleFieldType,
  STRATUM_FIELD_VALUES,
} from '@pond/contracts';
import type { Executor, OrgUnitKind } from '@pond/storage';
import { fail, ok, type Result } from '../shared/result.ts';
import { fieldOf, STANDARD_FIELDS } from './rule-fields.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What the tenant has that rules may name. */
export interface RuleContext {
  readonly definitions: ReadonlyMap<string, AttributeDefinition>;
  readonly tagIds: ReadonlySet<string>;
  readonly eventNames: ReadonlySet<string>;
  /** Staff members, org units (with their kind) and saved audiences — those the rule names. */
  readonly staffIds: ReadonlySet<string>;
  readonly units: ReadonlyMap<string, OrgUnitKind>;
  readonly audiences: ReadonlyMap<string, { readonly name: string; readonly archived: boolean }>;
  /** WeCom customer groups the rule names. */
  readonly groupIds: ReadonlySet<string>;
}

/** The staff, org units and audiences a rule names. */
export function referencesOf(rule: Rule) {
  const refs = {
    staffIds: new Set<string>(),
    unitIds: new Set<string>(),
    audienceIds: new Set<string>(),
    groupIds: new Set<string>(),
  };
  const walk = (r: Rule) => {
    if (r.kind === 'all' || r.kind === 'any') r.rules.forEach(walk);
    else if (r.kind === 'not') walk(r.rule);
    else if (r.kind === 'owner_staff') for (const id of r.staffIds) refs.staffIds.add(id);
    else if (r.kind === 'store') for (const id of r.storeIds) refs.unitIds.add(id);
    else if (r.kind === 'org_unit') for (const id of r.unitIds) refs.unitIds.add(id);
    else if (r.kind === 'audience') refs.audienceIds.add(r.audienceId);
    else if (r.kind === 'customer_group') for (const id of r.groupIds) refs.groupIds.add(id);
  };
  walk(rule);
  return refs;
}

/**
 * What the tenant has that a rule may name. Given the rule, staff, units and audiences are
 * read only as far as it names them (rules are checked on every refresh); without it, all.
 */
export async function ruleContextOf(
  ex: Executor,
  tenantId: string,
  definitions: ReadonlyMap<string, AttributeDefinition>,
  rule?: Rule,
): Promise<RuleContext> {
  const refs = rule ? referencesOf(rule) : undefined;
  const named = <T>(ids: Set<string> | undefined, read: (ids?: string[]) => Promise<T[]>) =>
    ids === undefined ? read() : ids.size === 0 ? Promise.resolve([]) : read([...ids]);
  const [tags, events, staff, units, audiences, groups] = await Promise.all([
    ex.selectFrom('tags').select('id').where('tenant_id', '=', tenantId).execute(),
    ex.selectFrom('event_catalog').select('name').where('tenant_id', '=', tenantId).execute(),
    named(refs?.staffIds, (ids) => {
      const q = ex.selectFrom('staff').select('id').where('tenant_id', '=', tenantId);
      return (ids ? q.where('id', 'in', ids) : q).execute();
    }),
    named(refs?.unitIds, (ids) => {
      const q = ex.selectFrom('org_units').select(['id', 'kind']).where('tenant_id', '=', tenantId);
      return (ids ? q.where('id', 'in', ids) : q).execute();
    }),
    named(refs?.audienceIds, (ids) => {
      const q = ex
        .selectFrom('audiences')
        .select(['id', 'name', 'archived_at'])
        .where('tenant_id', '=', tenantId);
      return (ids ? q.where('id', 'in', ids) : q).execute();
    }),
    named(refs?.groupIds, (ids) => {
      const q = ex.selectFrom('wecom_groups').select('id').where('tenant_id', '=', tenantId);
      return (ids ? q.where('id', 'in', ids) : q).execute();
    }),
  ]);
  return {
    definitions,
    tagIds: new Set(tags.map((t) => t.id)),
    eventNames: new Set(events.map((e) => e.name)),
    staffIds: new Set(staff.map((s) => s.id)),
    units: new Map(units.map((u) => [u.id, u.kind])),
    audiences: new Map(audiences.map((a) => [a.id, { name: a.name, archived: a.archived_at !== null }])),
    groupIds: new Set(groups.map((g) => g.id)),
  };
}

const scalarFits = (type: RuleFieldType, v: unknown): boolean => {
  switch (type) {
    case 'number':
      return typeof v === 'number';
    case 'timestamp':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0;
    case 'boolean':
      return typeof v === 'boolean';
    case 'date':
      return typeof v === 'string' && DATE.test(v);
    default:
      return typeof v === 'string';
  }
};

const expected: Record<RuleFieldType, string> = {
  text: 'text',
  id: 'an id',
  number: 'a number',
  date: 'a date such as 2026-05-17',
  timestamp: 'a time in epoch milliseconds',
  boolean: 'true or false',
  list: 'text',
};

/**
 * Checks a rule against what the tenant has — fields and their types, tags, event names, staff,
 * stores, org units, customer groups, audiences — and its size. The first problem names its node
 * (`body.rule.rules.1.value`) and what is wrong.
 */
export function checkRule(rule: Rule, rc: RuleContext, at = 'body.rule'): Result<Rule> {
  let nodes = 0;
  const walk = (r: Rule, path: string, depth: number): Result<null> => {
    nodes++;
    if (nodes > MAX_RULE_NODES)
      return fail('invalid_request', `a rule holds at most ${MAX_RULE_NODES} nodes`, { field: at });
    if (depth > MAX_RULE_DEPTH) {
      return fail('invalid_request', `groups nest at most ${MAX_RULE_DEPTH} deep`, { field: path });
    }
    switch (r.kind) {
      case 'all':
      case 'any':
        for (const [i, child] of r.rules.entries()) {
          const c = walk(child, `${path}.rules.${i}`, depth + 1);
          if (!c.ok) return c;
        }
        return ok(null);
      case 'not':
        return walk(r.rule, `${path}.rule`, depth + 1);
      case 'attribute': {
        const field = fieldOf(r.field, rc.definitions);
        if (!field) {
          return fail(
            'invalid_request',
            `no field "${r.field}": use one of ${STANDARD_FIELDS.join(', ')} or attributes.<key> of a defined attribute`,
            { field: `${path}.field` },
          );
        }
        if (!RULE_OPS[field.type].includes(r.op)) {
          return fail('invalid_request', `${r.field} takes ${RULE_OPS[field.type].join(', ')}, not ${r.op}`, {
            field: `${path}.op`,
          });
        }
        const v = r.value;
        const bad = (what: string) =>
          fail('invalid_request', `${r.op} on ${r.field} needs ${what}`, { field: `${path}.value` });
        if (r.op === 'exists' || r.op === 'not_exists') return v === undefined ? ok(null) : bad('no value');
        // Stages, segments and scores have a fixed set of values: any other never matches.
        const allowed = STRATUM_FIELD_VALUES[r.field];
        if (allowed && ['eq', 'neq', 'in', 'not_in'].includes(r.op)) {
          const values: unknown[] = Array.isArray(v) ? v : [v];
          if (!values.every((x) => allowed.some((a) => a === x))) return bad(`one of ${allowed.join(', ')}`);
        }
        if (r.op === 'within_last' || r.op === 'before_last') {
          return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 3650
            ? ok(null)
            : bad('a number of days (1 to 3650)');
        }
        if (r.op === 'in' || r.op === 'not_in') {
          return Array.isArray(v) && v.length > 0 && v.every((x) => scalarFits(field.type, x))
            ? ok(null)
            : bad(`a list of ${expected[field.type]}`);
        }
        if (r.op === 'between') {
          return Array.isArray(v) && v.length === 2 && v.every((x) => scalarFits(field.type, x))
            ? ok(null)
            : bad(`two values, each ${expected[field.type]}`);
        }
        return !Array.isArray(v) && scalarFits(field.type, v) ? ok(null) : bad(expected[field.type]);
      }
      case 'tags': {
        const i = r.tagIds.findIndex((id) => !rc.tagIds.has(id));
        return i < 0 ? ok(null) : fail('not_found', 'tag not found', { field: `${path}.tagIds.${i}` });
      }
      case 'event':
      case 'not_since':
      case 'aggregate': {
        if (!rc.eventNames.has(r.name)) {
          return fail('invalid_request', `no event named "${r.name}" has been received`, {
            field: `${path}.name`,
          });
        }
        if (r.kind === 'aggregate' && r.fn !== 'count' && !r.property) {
          return fail('invalid_request', `${r.fn} needs the property to aggregate`, {
            field: `${path}.property`,
          });
        }
        if (r.kind === 'event') {
          for (const [i, w] of (r.where ?? []).entries()) {
            if (w.op !== 'eq' && w.op !== 'neq' && typeof w.value !== 'number') {
              return fail('invalid_request', `${w.op} compares numbers`, {
                field: `${path}.where.${i}.value`,
              });
            }
          }
        }
        return ok(null);
      }
      case 'consent':
      case 'source_channel':
        return ok(null);
      case 'owner_staff': {
        const i = r.staffIds.findIndex((id) => !rc.staffIds.has(id));
        return i < 0
          ? ok(null)
          : fail('not_found', 'staff member not found', { field: `${path}.staffIds.${i}` });
      }
      case 'store':
        for (const [i, id] of r.storeIds.entries()) {
          const kind = rc.units.get(id);
          if (!kind) return fail('not_found', 'store not found', { field: `${path}.storeIds.${i}` });
          if (kind !== 'store') {
            return fail(
              'invalid_request',
              `${id} is a ${kind}, not a store: name it in an org unit condition`,
              {
                field: `${path}.storeIds.${i}`,
              },
            );
          }
        }
        return ok(null);
      case 'customer_group': {
        const i = r.groupIds.findIndex((id) => !rc.groupIds.has(id));
        return i < 0
          ? ok(null)
          : fail('not_found', 'customer group not found', { field: `${path}.groupIds.${i}` });
      }
      case 'org_unit': {
        const i = r.unitIds.findIndex((id) => !rc.units.has(id));
        return i < 0 ? ok(null) : fail('not_found', 'org unit not found', { field: `${path}.unitIds.${i}` });
      }
      case 'audience': {
        const a = rc.audiences.get(r.audienceId);
        if (!a) return fail('not_found', 'audience not found', { field: `${path}.audienceId` });
        return a.archived
          ? fail('invalid_request', `the audience "${a.name}" is archived; restore it first`, {
              field: `${path}.audienceId`,
            })
          : ok(null);
      }
    }
  };
  const checked = walk(rule, at, 1);
  return checked.ok ? ok(rule) : checked;
}
