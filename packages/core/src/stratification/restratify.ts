import type { LifecycleModel, RfmModel } from '@pond/contracts';
import type { CustomerTable, Executor, Trx } from '@pond/storage';
import { type Selectable, sql } from 'kysely';
import { chunked } from '../audiences/matching.ts';
import type { DomainEvent } from '../platform/outbox.ts';
import type { Platform } from '../platform/platform.ts';
import { DEFAULT_LIFECYCLE, DEFAULT_RFM, type Models, type Stratum, stratumOf } from './model.ts';
import { armTimer } from './timers.ts';

export type StratumRow = Pick<
  Selectable<CustomerTable>,
  | 'id'
  | 'status'
  | 'first_seen_at'
  | 'created_at'
  | 'last_active_at'
  | 'last_order_at'
  | 'order_count'
  | 'total_spend'
  | 'lifecycle_stage'
  | 'rfm_recency'
  | 'rfm_frequency'
  | 'rfm_monetary'
  | 'rfm_segment'
  | 'stratum_due_at'
>;

export const STRATUM_COLUMNS = [
  'id',
  'status',
  'first_seen_at',
  'created_at',
  'last_active_at',
  'last_order_at',
  'order_count',
  'total_spend',
  'lifecycle_stage',
  'rfm_recency',
  'rfm_frequency',
  'rfm_monetary',
  'rfm_segment',
  'stratum_due_at',
] as const;

/** The tenant's models and their version (0 while it uses the defaults). */
export async function modelsOf(ex: Executor, tenantId: string): Promise<Models & { version: number }> {
  const row = await ex
    .selectFrom('stratification_models')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return { lifecycle: DEFAULT_LIFECYCLE, rfm: DEFAULT_RFM, version: 0 };
  return {
    lifecycle: JSON.parse(row.lifecycle) as LifecycleModel,
    rfm: JSON.parse(row.rfm) as RfmModel,
    version: row.version,
  };
}

export const stratumInput = (r: StratumRow) => ({
  firstSeenAt: r.first_seen_at,
  createdAt: r.created_at,
  lastActiveAt: r.last_active_at,
  lastOrderAt: r.last_order_at,
  orderCount: r.order_count,
  totalSpend: r.total_spend,
});

interface StratumUpdate {
  readonly id: number;
  readonly s: Stratum;
  /** Set when the stage changed. */
  readonly changedAt: number | null;
}

/**
 * Writes many customers' results in one statement: a row-by-row UPDATE costs a round trip per
 * customer, which dominates a full recompute. The same SQL runs on both engines (a CTE of
 * typed VALUES and UPDATE … FROM).
 */
async function writeStrata(trx: Trx, updates: readonly StratumUpdate[]) {
  const rows = sql.join(
    updates.map(
      ({ id, s, changedAt }) =>
        sql`(cast(${id} as bigint), cast(${s.stage} as text), cast(${s.rfm.recency} as integer), cast(${s.rfm.frequency} as integer), cast(${s.rfm.monetary} as integer), cast(${s.rfm.segment} as text), cast(${s.dueAt} as bigint), cast(${changedAt} as bigint))`,
    ),
  );
  await sql`with v(id, stage, r, f, m, segment, due_at, changed_at) as (values ${rows})
    update customers set
      lifecycle_stage = v.stage,
      rfm_recency = v.r,
      rfm_frequency = v.f,
      rfm_monetary = v.m,
      rfm_segment = v.segment,
      stratum_due_at = v.due_at,
      lifecycle_changed_at = coalesce(v.changed_at, customers.lifecycle_changed_at)
    from v
    where customers.id = v.id`.execute(trx);
}

/**
 * Brings the stage and scores of some customers up to date inside the caller's transaction.
 * A change is written to the profile, shown on the customer's timeline and announced on the
 * outbox (`customer.lifecycle_changed`, `customer.rfm_changed`); the moment time alone will next
 * change a customer is kept in `stratum_due_at`, with a durable timer for it. Returns how many
 * customers changed.
 */
export async function restratify(
  p: Platform,
  trx: Trx,
  tenantId: string,
  models: Models,
  rows: readonly StratumRow[],
): Promise<number> {
  const now = p.clock.now();
  let changed = 0;
  let earliest: number | null = null;
  const events: DomainEvent[] = [];
  const history: { customer_id: number; changes: string }[] = [];
  const updates: StratumUpdate[] = [];
  for (const r of rows) {
    if (r.status !== 'active') {
      // Merged profiles live on in their survivor; erased ones keep their last stage.
      if (r.stratum_due_at !== null)
        await trx.updateTable('customers').set({ stratum_due_at: null }).where('id', '=', r.id).execute();
      continue;
    }
    const s: Stratum = stratumOf(stratumInput(r), models, now);
    const stageChanged = s.stage !== r.lifecycle_stage;
    const rfmChanged =
      s.rfm.recency !== r.rfm_recency ||
      s.rfm.frequency !== r.rfm_frequency ||
      s.rfm.monetary !== r.rfm_monetary ||
      s.rfm.segment !== r.rfm_segment;
    if (!stageChanged && !rfmChanged && s.dueAt === r.stratum_due_at) continue;
    updates.push({ id: r.id, s, changedAt: stageChanged ? now : null });
    if (s.dueAt !== null && (earliest === null || s.dueAt < earliest)) earliest = s.dueAt;
    if (!stageChanged && !rfmChanged) continue;
    changed++;
    const diff: Record<string, [unknown, unknown]> = {};
    if (stageChanged) {
      diff.lifecycleStage = [r.lifecycle_stage, s.stage];
      events.push({
        tenantId,
        type: 'customer.lifecycle_changed',
        aggregateType: 'customer',
        aggregateId: String(r.id),
        payload: { customerId: r.id, from: r.lifecycle_stage, to: s.stage },
      });
    }
    if (rfmChanged) {
      for (const [key, before, after] of [
        ['rfmRecency', r.rfm_recency, s.rfm.recency],
        ['rfmFrequency', r.rfm_frequency, s.rfm.frequency],
        ['rfmMonetary', r.rfm_monetary, s.rfm.monetary],
        ['rfmSegment', r.rfm_segment, s.rfm.segment],
      ] as const) {
        if (before !== after) diff[key] = [before, after];
      }
      events.push({
        tenantId,
        type: 'customer.rfm_changed',
        aggregateType: 'customer',
        aggregateId: String(r.id),
        payload: {
          customerId: r.id,
          from: {
            recency: r.rfm_recency,
            frequency: r.rfm_frequency,
            monetary: r.rfm_monetary,
            segment: r.rfm_segment,
          },
          to: s.rfm,
        },
      });
    }
    history.push({ customer_id: r.id, changes: JSON.stringify(diff) });
  }
  for (const chunk of chunked(updates, 500)) await writeStrata(trx, chunk);
  for (const chunk of chunked(history, 500)) {
    await trx
      .insertInto('customer_changes')
      .values(
        chunk.map((h) => ({
          ...h,
          tenant_id: tenantId,
          origin_customer_id: h.customer_id,
          source: 'stratification',
          actor: null,
          created_at: now,
        })),
      )
      .execute();
  }
  for (const chunk of chunked(events, 500)) await p.outbox.append(trx, chunk);
  if (earliest !== null) await armTimer(p, trx, tenantId, earliest);
  return changed;
}
