import type { Rule } from '@pond/contracts';
import type { DialectInfo, Trx } from '@pond/storage';
import { definitionsOf } from '../customers/attributes.ts';
import { EVENTS_TRACKED, trackedEvents } from '../events/tracked.ts';
import type { OutboxEvent } from '../platform/outbox.ts';
import type { AudienceEngine } from './engine/engine.ts';
import { checkRule, ruleContextOf } from './rule-check.ts';
import { ruleToSql } from './rule-sql.ts';

const CHUNK = 1_000;

/** `ids` in slices the engines take as parameters. */
export function chunked<T>(ids: readonly T[], size = CHUNK): T[][] {
  return Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, (i + 1) * size));
}

/**
 * The tenant's active customers a stored rule matches now: among `only` (dense ids) when
 * given, else all. Null when the rule no longer fits the tenant's data (an attribute or tag it
 * names went away), so callers leave memberships as they are. All customers are asked of the
 * bitmap `engine` when given and ready (a few re-checked ones stay in SQL, in `trx`).
 */
export async function matchingCustomers(
  trx: Trx,
  env: { readonly tenantId: string; readonly now: number; readonly dialect: DialectInfo },
  rule: Rule,
  only?: readonly number[],
  engine?: AudienceEngine,
): Promise<number[] | null> {
  const definitions = await definitionsOf(trx, env.tenantId);
  const checked = checkRule(rule, await ruleContextOf(trx, env.tenantId, definitions, rule));
  if (!checked.ok) return null;
  if (engine && !only) {
    const members = await engine.evaluate(trx, { ...env, definitions }, checked.value);
    if (members) return Array.from(members.toUint32Array());
  }
  const matches = ruleToSql(checked.value, { ...env, definitions });
  const out: number[] = [];
  for (const chunk of only ? chunked(only) : [undefined]) {
    let q = trx
      .selectFrom('customers')
      .select('id')
      .where('tenant_id', '=', env.tenantId)
      .where('status', '=', 'active');
    if (chunk) q = q.where('id', 'in', chunk);
    out.push(...(await q.where(matches).execute()).map((c) => c.id));
  }
  return out;
}

/**
 * The customers (dense ids) a domain event may have changed, for re-checking rules on them.
 * Auto-tag rules skip the tags rules set (`tagsSetByRules: false`), so rules never chase each
 * other; audiences follow every tag.
 */
export function customersTouched(e: OutboxEvent, options: { readonly tagsSetByRules: boolean }): number[] {
  const p = e.payload as Record<string, unknown>;
  if (e.type === 'customer.tagged' && p.source === 'rule' && !options.tagsSetByRules) return [];
  if (e.type === 'audience.entered' || e.type === 'audience.exited') return [];
  if (e.type === 'customer.merged') return [Number(p.survivorId), Number(p.mergedId)];
  if (e.type === 'customer.unmerged') return [Number(p.survivorId), Number(p.restoredId)];
  if (e.type === EVENTS_TRACKED) return [...new Set(trackedEvents(e).map((t) => t.customerId))];
  const id = Number(p.customerId);
  return Number.isFinite(id) && id > 0 ? [id] : [];
}

/** Customer ids per tenant touched by a batch of domain events. */
export function touchedByTenant(
  events: readonly OutboxEvent[],
  options: { readonly tagsSetByRules: boolean },
): Map<string, number[]> {
  const byTenant = new Map<string, Set<number>>();
  for (const e of events) {
    const ids = customersTouched(e, options);
    if (ids.length === 0) continue;
    const set = byTenant.get(e.tenantId) ?? new Set<number>();
    for (const id of ids) set.add(id);
    byTenant.set(e.tenantId, set);
  }
  return new Map([...byTenant].map(([t, ids]) => [t, [...ids]]));
}
