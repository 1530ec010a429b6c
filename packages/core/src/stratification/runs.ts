import type { StratificationRun } from '@pond/contracts';
import type { Executor, StratificationRunTable, Trx } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { Platform } from '../platform/platform.ts';
import { newId } from '../shared/ids.ts';
import { ok } from '../shared/result.ts';
import { modelsOf, restratify, STRATUM_COLUMNS } from './restratify.ts';

const RECOMPUTE_QUEUE = 'stratification.recompute';
const CHUNK = 1_000;
/**
 * A job works this long at most, then queues its own continuation: a run over millions of
 * customers never holds one job past its lease, and a crash resumes after the last chunk.
 */
const SLICE_MS = 20_000;
const MAX_ATTEMPTS = 5;

type Row = Selectable<StratificationRunTable>;

export const toRun = (r: Row): StratificationRun => ({
  id: r.public_id,
  status: r.status,
  total: Math.max(r.total, r.processed),
  processed: r.processed,
  changed: r.changed,
  modelVersion: r.model_version,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

export async function latestRun(ex: Executor, tenantId: string): Promise<StratificationRun | null> {
  const row = await ex
    .selectFrom('stratification_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toRun(row) : null;
}

/**
 * Full recomputes of a tenant's customers, chunk by chunk, each chunk in its own transaction
 * with the run's progress. A newer model supersedes a run still going.
 */
export function createRuns(p: Platform) {
  const { clock } = p;

  const enqueue = (trx: Trx, runId: number, tenantId: string, cursor: number) =>
    p.jobs.enqueue(
      {
        queue: RECOMPUTE_QUEUE,
        tenantId,
        payload: { runId },
        maxAttempts: MAX_ATTEMPTS,
        dedupeKey: `${RECOMPUTE_QUEUE}:${runId}:${cursor}`,
      },
      trx,
    );

  /** Queues a run over every customer with the tenant's current model; earlier runs stop. */
  async function queue(trx: Trx, tenantId: string): Promise<StratificationRun> {
    const now = clock.now();
    const { version } = await modelsOf(trx, tenantId);
    await trx
      .updateTable('stratification_runs')
      .set({ status: 'superseded', finished_at: now })
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', ['queued', 'running'])
      .execute();
    const values = {
      public_id: newId('srun', now),
      tenant_id: tenantId,
      model_version: version,
      status: 'queued' as const,
      total: 0,
      processed: 0,
      changed: 0,
      cursor: 0,
      created_at: now,
      started_at: null,
      finished_at: null,
    };
    const { id } = await trx
      .insertInto('stratification_runs')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueue(trx, id, tenantId, 0);
    return toRun({ id, ...values });
  }

  /** One chunk; false once the run is over (done, superseded or gone). */
  const step = (runId: number): Promise<boolean> =>
    p
      .tx(async (trx) => {
        const run = await trx
          .selectFrom('stratification_runs')
          .selectAll()
          .where('id', '=', runId)
          .executeTakeFirst();
        if (!run || (run.status !== 'queued' && run.status !== 'running')) return ok(false);
        const now = clock.now();
        const models = await modelsOf(trx, run.tenant_id);
        if (models.version !== run.model_version) {
          await trx
            .updateTable('stratification_runs')
            .set({ status: 'superseded', finished_at: now })
            .where('id', '=', runId)
            .execute();
          return ok(false);
        }
        if (run.status === 'queued') {
          const total = await trx
            .selectFrom('customers')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('tenant_id', '=', run.tenant_id)
            .executeTakeFirstOrThrow();
          run.total = Number(total.n);
          await trx
            .updateTable('stratification_runs')
            .set({ status: 'running', started_at: now, total: run.total })
            .where('id', '=', runId)
            .execute();
        }
        const rows = await trx
          .selectFrom('customers')
          .select(STRATUM_COLUMNS)
          .where('tenant_id', '=', run.tenant_id)
          .where('id', '>', run.cursor)
          .orderBy('id')
          .limit(CHUNK)
          .$if(p.dialect.supportsSkipLocked, (q) => q.forUpdate())
          .execute();
        const last = rows[rows.length - 1];
        if (!last) {
          await trx
            .updateTable('stratification_runs')
            .set({ status: 'done', finished_at: now })
            .where('id', '=', runId)
            .execute();
          return ok(false);
        }
        const changed = await restratify(p, trx, run.tenant_id, models, rows);
        await trx
          .updateTable('stratification_runs')
          .set({ cursor: last.id, processed: run.processed + rows.length, changed: run.changed + changed })
          .where('id', '=', runId)
          .execute();
        return ok(true);
      })
      .then((r) => r.ok && r.value);

  async function work(runId: number) {
    const started = Date.now();
    while (await step(runId)) {
      if (Date.now() - started < SLICE_MS) continue;
      const run = await p.db
        .selectFrom('stratification_runs')
        .select(['tenant_id', 'cursor'])
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      await p.tx(async (trx) => {
        await enqueue(trx, runId, run.tenant_id, run.cursor);
        return ok(null);
      });
      return;
    }
  }

  p.jobs.handle(RECOMPUTE_QUEUE, async (payload, job) => {
    const runId = Number(payload.runId);
    try {
      await work(runId);
    } catch (e) {
      // The job queue keeps the error; the run says it failed once no attempt is left.
      if (job.attempt >= MAX_ATTEMPTS) {
        await p.db
          .updateTable('stratification_runs')
          .set({ status: 'failed', finished_at: clock.now() })
          .where('id', '=', runId)
          .where('status', 'in', ['queued', 'running'])
          .execute();
      }
      throw e;
    }
  });

  return { queue };
}
