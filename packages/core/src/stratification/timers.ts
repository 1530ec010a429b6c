import type { Trx } from '@pond/storage';
import type { Platform } from '../platform/platform.ts';

export const DUE_QUEUE = 'stratification.due';
const MINUTE = 60_000;

/** Due moments are gathered into whole minutes: a change happens at most a minute late. */
export const minuteOf = (at: number) => Math.ceil(at / MINUTE) * MINUTE;

/**
 * Makes sure a timer fires for a tenant by `dueAt`. Each tenant keeps (nearly) one pending
 * timer, at its earliest due moment: when it fires it recomputes the customers due and sets
 * itself again for the next one (read from the customers' due index). So a new due moment
 * needs a timer of its own only when it comes before the pending one.
 *
 * The pending timer is locked while this transaction lasts (where the engine has row locks):
 * the job queue skips locked jobs when claiming, so the timer cannot fire — and set itself
 * again without seeing this transaction's due moments — before they are committed.
 */
export async function armTimer(p: Platform, trx: Trx, tenantId: string, dueAt: number): Promise<void> {
  const runAt = minuteOf(dueAt);
  const pending = await trx
    .selectFrom('jobs')
    .select('id')
    .where('queue', '=', DUE_QUEUE)
    .where('status', '=', 'queued')
    .where('tenant_id', '=', tenantId)
    .where('run_at', '<=', runAt)
    .limit(1)
    .$if(p.dialect.supportsSkipLocked, (q) => q.forUpdate())
    .executeTakeFirst();
  if (pending) return;
  await p.jobs.enqueue(
    {
      queue: DUE_QUEUE,
      tenantId,
      payload: { tenantId },
      runAt,
      dedupeKey: `${DUE_QUEUE}:${tenantId}:${runAt}`,
    },
    trx,
  );
}

/** After a timer fired: the next one, at the tenant's earliest due moment still ahead. */
export async function rearm(p: Platform, trx: Trx, tenantId: string): Promise<void> {
  const next = await trx
    .selectFrom('customers')
    .select((eb) => eb.fn.min('stratum_due_at').as('at'))
    .where('tenant_id', '=', tenantId)
    .where('stratum_due_at', 'is not', null)
    .executeTakeFirst();
  if (next?.at === null || next?.at === undefined) return;
  // Customers still due here are held by another transaction, which sets their next moment;
  // a minute from now catches any it leaves behind.
  await armTimer(p, trx, tenantId, Math.max(Number(next.at), p.clock.now() + MINUTE));
}
