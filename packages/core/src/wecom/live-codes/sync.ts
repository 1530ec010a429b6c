import type { Executor } from '@pond/storage';
import type { Platform } from '../../platform/platform.ts';
import type { WeCom } from '../wecom.ts';
import { availabilityOf, type LiveCodeRow, poolOf } from './pool.ts';
import { nextBoundary } from './schedule.ts';
import { describeWeComError } from './wecom-failure.ts';

export const SYNC_QUEUE = 'wecom.live_codes.sync';
const STAFF_CHANGES = new Set(['staff.departed', 'staff.reinstated', 'staff.updated']);

export type PoolSync = ReturnType<typeof createPoolSync>;

/**
 * Keeps each contact way's members equal to who is available: a capped member leaves the
 * contact way until midnight, a schedule window opening or closing changes it. Each code
 * has a durable timer at its next boundary (a window edge or midnight), and a check after
 * each add through it; nothing sweeps all codes.
 */
export function createPoolSync(p: Platform, wecom: WeCom) {
  const { db, clock } = p;

  /** Arms the timer at the code's next boundary (one job per boundary). */
  async function arm(ex: Executor, row: LiveCodeRow): Promise<void> {
    if (row.status !== 'active') return;
    const at = nextBoundary(
      poolOf(row).map((m) => m.schedule),
      clock.now(),
    );
    await p.jobs.enqueue(
      {
        queue: SYNC_QUEUE,
        tenantId: row.tenant_id,
        payload: { tenantId: row.tenant_id, id: row.id, rearm: true },
        runAt: at,
        dedupeKey: `${SYNC_QUEUE}:${row.id}:${at}`,
      },
      ex,
    );
  }

  /** Right away (after an add that may have reached a cap). */
  async function soon(ex: Executor, tenantId: string, id: string, key: string): Promise<void> {
    await p.jobs.enqueue(
      {
        queue: SYNC_QUEUE,
        tenantId,
        payload: { tenantId, id, rearm: false },
        dedupeKey: `${SYNC_QUEUE}:${id}:${key}`,
      },
      ex,
    );
  }

  /**
   * Updates the contact way in WeCom when who is available differs from what it holds.
   * A WeCom failure is kept on the code (shown in the console) and thrown, so the job retries.
   */
  async function run(tenantId: string, id: string): Promise<'changed' | 'unchanged' | 'skipped'> {
    const row = await db
      .selectFrom('wecom_live_codes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (row?.status !== 'active') return 'skipped';
    const { users } = await availabilityOf(db, row, clock.now());
    const current = JSON.parse(row.active_users) as string[];
    if (users.join('\u0000') === [...current].sort().join('\u0000')) {
      if (row.sync_error !== null)
        await db.updateTable('wecom_live_codes').set({ sync_error: null }).where('id', '=', id).execute();
      return 'unchanged';
    }
    const gateway = await wecom.gatewayOf(tenantId);
    if (!gateway) return 'skipped';
    try {
      await gateway.updateContactWay({ configId: row.config_id, users });
    } catch (e) {
      const error = `update_contact_way: ${describeWeComError(e).text}`.slice(0, 1000);
      await db.updateTable('wecom_live_codes').set({ sync_error: error }).where('id', '=', id).execute();
      throw e;
    }
    await p.tx(async (trx) => {
      await trx
        .updateTable('wecom_live_codes')
        .set({ active_users: JSON.stringify(users), sync_error: null, updated_at: clock.now() })
        .where('id', '=', id)
        .execute();
      await p.outbox.append(trx, {
        tenantId,
        type: 'wecom.live_code_pool_changed',
        aggregateType: 'wecom_live_code',
        aggregateId: id,
        payload: { before: current, after: users },
      });
      return { ok: true, value: null };
    });
    return 'changed';
  }

  // A staff member who leaves, comes back or changes userid changes who the codes naming them
  // can hold: those codes are checked at once rather than at their next boundary.
  p.outbox.subscribe({
    name: 'wecom-live-codes',
    async handle(events, trx) {
      for (const ev of events) {
        if (ev.aggregateType !== 'staff' || !STAFF_CHANGES.has(ev.type)) continue;
        const codes = await trx
          .selectFrom('wecom_live_codes')
          .select('id')
          .where('tenant_id', '=', ev.tenantId)
          .where('status', '=', 'active')
          .where((eb) =>
            eb.or([
              eb('pool', 'like', `%"staffId":"${ev.aggregateId}"%`),
              eb('fallback_staff_id', '=', ev.aggregateId),
            ]),
          )
          .execute();
        for (const c of codes) await soon(trx, ev.tenantId, c.id, `staff:${ev.id}`);
      }
    },
  });

  p.jobs.handle(SYNC_QUEUE, async (payload) => {
    const tenantId = String(payload.tenantId);
    const id = String(payload.id);
    await run(tenantId, id);
    if (payload.rearm === true) {
      const row = await db.selectFrom('wecom_live_codes').selectAll().where('id', '=', id).executeTakeFirst();
      if (row) await arm(db, row);
    }
  });

  return { arm, soon, run };
}
