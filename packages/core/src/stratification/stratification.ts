import {
  type CustomerStratification,
  RFM_SEGMENTS,
  type RfmSegment,
  type StratificationModel,
  type StratificationRun,
  type UpdateStratification,
} from '@pond/contracts';
import type { Executor, Trx } from '@pond/storage';
import { chunked, touchedByTenant } from '../audiences/matching.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { customerScope } from '../customers/scope.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { distributionOf, isStage } from './distribution.ts';
import { checkModels, DAY, stratumOf } from './model.ts';
import { modelsOf, restratify, STRATUM_COLUMNS, stratumInput } from './restratify.ts';
import { createRuns, latestRun } from './runs.ts';
import { DUE_QUEUE, rearm } from './timers.ts';

/** Domain events that cannot change a stage or a score (and those stratification writes itself). */
const IGNORED = new Set([
  'customer.tagged',
  'customer.untagged',
  'audience.entered',
  'audience.exited',
  'consent.changed',
  'customer.lifecycle_changed',
  'customer.rfm_changed',
]);

const SEGMENTS = new Set<string>(RFM_SEGMENTS);
const isSegment = (s: string | null): s is RfmSegment => s !== null && SEGMENTS.has(s);

/**
 * Stratification: every customer's lifecycle stage and RFM scores, computed with the tenant's
 * model. Customers a domain event touched are recomputed from the outbox; changes that come
 * with time alone ("no activity for 60 days") are durable timers at the moment they fall due;
 * a model change recomputes everyone in a background run with progress.
 */
export function createStratification(p: Platform, audit: AuditLog) {
  const { db, clock } = p;
  const runs = createRuns(p);

  async function restratifyIds(trx: Trx, tenantId: string, ids: readonly number[]) {
    const models = await modelsOf(trx, tenantId);
    for (const chunk of chunked(ids)) {
      const rows = await trx
        .selectFrom('customers')
        .select(STRATUM_COLUMNS)
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', chunk)
        .orderBy('id')
        // Locked, so a consumer and a timer working on one customer never both announce a change.
        .$if(p.dialect.supportsSkipLocked, (q) => q.forUpdate())
        .execute();
      await restratify(p, trx, tenantId, models, rows);
    }
  }

  p.outbox.subscribe({
    name: 'stratification',
    async handle(events, trx) {
      const relevant = events.filter((e) => !IGNORED.has(e.type));
      for (const [tenantId, ids] of touchedByTenant(relevant, { tagsSetByRules: true }))
        await restratifyIds(trx, tenantId, ids);
    },
  });

  // A timer: the customers whose due moment has come, found through their index (no sweep);
  // then the tenant's next timer.
  p.jobs.handle(DUE_QUEUE, async (payload) => {
    const tenantId = String(payload.tenantId);
    for (;;) {
      const r = await p.tx(async (trx) => {
        const rows = await trx
          .selectFrom('customers')
          .select(STRATUM_COLUMNS)
          .where('tenant_id', '=', tenantId)
          .where('stratum_due_at', '<=', clock.now())
          .orderBy('stratum_due_at')
          .limit(1_000)
          // Customers another transaction holds are left to it.
          .$if(p.dialect.supportsSkipLocked, (q) => q.forUpdate().skipLocked())
          .execute();
        await restratify(p, trx, tenantId, await modelsOf(trx, tenantId), rows);
        if (rows.length < 1_000) await rearm(p, trx, tenantId);
        return ok(rows.length);
      });
      if (!r.ok || r.value < 1_000) return;
    }
  });

  async function model(ex: Executor, tenantId: string): Promise<StratificationModel> {
    const [m, row, run] = await Promise.all([
      modelsOf(ex, tenantId),
      ex
        .selectFrom('stratification_models')
        .select('updated_at')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst(),
      latestRun(ex, tenantId),
    ]);
    return {
      lifecycle: m.lifecycle,
      rfm: m.rfm,
      version: m.version,
      isDefault: m.version === 0,
      updatedAt: row?.updated_at ?? null,
      run,
    };
  }

  return {
    get: (ctx: Ctx) => model(db, ctx.principal.tenantId),

    /** Replaces the lifecycle model or the RFM bins (or both) and recomputes every customer. */
    update(ctx: Ctx, input: UpdateStratification): Promise<Result<StratificationModel>> {
      return p.tx(async (trx) => {
        if (!input.lifecycle && !input.rfm) {
          return fail('invalid_request', 'send lifecycle, rfm or both', { field: 'body' });
        }
        const problem = checkModels(input.lifecycle, input.rfm);
        if (problem) return fail('invalid_request', problem.message, { field: problem.field });
        const tenantId = ctx.principal.tenantId;
        const before = await model(trx, tenantId);
        const lifecycle = input.lifecycle ?? before.lifecycle;
        const rfm = input.rfm ?? before.rfm;
        if (JSON.stringify([lifecycle, rfm]) === JSON.stringify([before.lifecycle, before.rfm])) {
          return ok(before);
        }
        const now = clock.now();
        const values = {
          lifecycle: JSON.stringify(lifecycle),
          rfm: JSON.stringify(rfm),
          version: before.version + 1,
          updated_at: now,
        };
        await trx
          .insertInto('stratification_models')
          .values({ tenant_id: tenantId, ...values })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
          .execute();
        const run = await runs.queue(trx, tenantId);
        await audit.record(trx, ctx, {
          action: 'stratification.updated',
          targetType: 'tenant',
          targetId: tenantId,
          before: { lifecycle: before.lifecycle, rfm: before.rfm, version: before.version },
          after: { lifecycle, rfm, version: values.version },
        });
        await p.outbox.append(trx, {
          tenantId,
          type: 'stratification.updated',
          aggregateType: 'tenant',
          aggregateId: tenantId,
          payload: { version: values.version, runId: run.id },
        });
        return ok(await model(trx, tenantId));
      });
    },

    /** Recomputes every customer in the background; the run reports its progress. */
    recompute(ctx: Ctx): Promise<Result<StratificationRun>> {
      return p.tx(async (trx) => {
        const tenantId = ctx.principal.tenantId;
        const run = await runs.queue(trx, tenantId);
        await audit.record(trx, ctx, {
          action: 'stratification.recompute',
          targetType: 'tenant',
          targetId: tenantId,
          after: { runId: run.id, modelVersion: run.modelVersion },
        });
        await p.outbox.append(trx, {
          tenantId,
          type: 'stratification.recompute_queued',
          aggregateType: 'tenant',
          aggregateId: tenantId,
          payload: { runId: run.id },
        });
        return ok(run);
      });
    },

    /**
     * Queues a run for every brand never stratified, such as brands whose customers came before
     * stratification did; called when a worker starts.
     */
    async catchUp(): Promise<number> {
      const tenants = await db
        .selectFrom('tenants')
        .select('id')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('stratification_runs as r')
                .select('r.id')
                .whereRef('r.tenant_id', '=', 'tenants.id'),
            ),
          ),
        )
        .execute();
      for (const t of tenants) await p.tx(async (trx) => ok(await runs.queue(trx, t.id)));
      return tenants.length;
    },

    /** Queues a full run from background work that writes customers in bulk (the demo loader). */
    queueRecompute: (trx: Trx, tenantId: string) => runs.queue(trx, tenantId),

    distribution: (ctx: Ctx) => distributionOf(db, ctx),

    /** A customer's stage with the model's checks as they stand now, and the RFM scores. */
    async ofCustomer(ctx: Ctx, publicId: string): Promise<Result<CustomerStratification>> {
      const row = await db
        .selectFrom('customers')
        .select([...STRATUM_COLUMNS, 'lifecycle_changed_at'])
        .where(customerScope(ctx))
        .where('public_id', '=', publicId)
        .where('status', '!=', 'merged')
        .executeTakeFirst();
      if (!row) return notFound('customer');
      const now = clock.now();
      const s = stratumOf(stratumInput(row), await modelsOf(db, ctx.principal.tenantId), now);
      return ok({
        customerId: publicId,
        lifecycleStage: isStage(row.lifecycle_stage) ? row.lifecycle_stage : null,
        lifecycleChangedAt: row.lifecycle_changed_at,
        checks: s.checks,
        rfm: {
          recency: row.rfm_recency,
          frequency: row.rfm_frequency,
          monetary: row.rfm_monetary,
          segment: isSegment(row.rfm_segment) ? row.rfm_segment : null,
          daysSinceLastOrder:
            row.last_order_at === null ? null : Math.max(0, Math.floor((now - row.last_order_at) / DAY)),
          orderCount: row.order_count,
          totalSpend: row.total_spend,
        },
        nextChangeAt: row.stratum_due_at,
      });
    },
  };
}

export type Stratification = ReturnType<typeof createStratification>;
