import type { LiveCodeStats, LiveCodeStatsQuery } from '@pond/contracts';
import type { Platform } from '../../platform/platform.ts';
import type { Ctx } from '../../shared/context.ts';
import { notFound, ok, type Result } from '../../shared/result.ts';
import { dayOf, dayStart } from './schedule.ts';

const DAY = 86_400_000;

/**
 * Per-code statistics from the adds through it and what became of each relationship: lost
 * means the customer or the staff member deleted the other since (a transfer is not a loss);
 * retention after N days is the share of a day's adds not lost within N days of adding.
 */
export function createLiveCodeStats(p: Platform) {
  const { db, clock } = p;

  return async function stats(ctx: Ctx, id: string, q: LiveCodeStatsQuery): Promise<Result<LiveCodeStats>> {
    const tenantId = ctx.principal.tenantId;
    const code = await db
      .selectFrom('wecom_live_codes')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!code) return notFound('live code');
    const now = clock.now();
    const today = dayOf(now);
    const first = dayOf(dayStart(today) - (q.days - 1) * DAY);
    const rows = await db
      .selectFrom('wecom_live_code_adds as a')
      .leftJoin('wecom_relationships as r', (j) =>
        j
          .onRef('r.tenant_id', '=', 'a.tenant_id')
          .onRef('r.external_userid', '=', 'a.external_userid')
          .onRef('r.staff_userid', '=', 'a.staff_userid'),
      )
      .leftJoin('staff as s', 's.id', 'a.staff_id')
      .select([
        'a.day',
        'a.added_at',
        'a.staff_userid',
        'a.welcome_status',
        's.name',
        'r.status',
        'r.status_changed_at',
      ])
      .where('a.tenant_id', '=', tenantId)
      .where('a.live_code_id', '=', id)
      .execute();
    const lostAt = (r: (typeof rows)[number]) =>
      r.status === 'deleted_by_customer' || r.status === 'deleted_by_staff'
        ? (r.status_changed_at ?? now)
        : null;
    const retained = (subset: typeof rows, days: number): number | null => {
      const due = subset.filter((r) => r.added_at + days * DAY <= now);
      if (due.length === 0) return null;
      const kept = due.filter((r) => {
        const lost = lostAt(r);
        return lost === null || lost >= r.added_at + days * DAY;
      });
      return kept.length / due.length;
    };
    const days: LiveCodeStats['days'] = [];
    for (let d = first; d <= today; d = dayOf(dayStart(d) + DAY + 3_600_000)) {
      const added = rows.filter((r) => r.day === d);
      const start = dayStart(d);
      days.push({
        day: d,
        adds: added.length,
        lost: added.filter((r) => lostAt(r) !== null).length,
        deletions: rows.filter((r) => {
          const lost = lostAt(r);
          return lost !== null && lost >= start && lost < start + DAY;
        }).length,
        retained7: retained(added, 7),
        retained30: retained(added, 30),
      });
    }
    const byStaff = new Map<string, { name: string | null; adds: number }>();
    for (const r of rows) {
      const entry = byStaff.get(r.staff_userid) ?? { name: r.name ?? null, adds: 0 };
      entry.adds += 1;
      byStaff.set(r.staff_userid, entry);
    }
    return ok({
      liveCodeId: id,
      totals: {
        adds: rows.length,
        lost: rows.filter((r) => lostAt(r) !== null).length,
        retained7: retained(rows, 7),
        retained30: retained(rows, 30),
        welcomeSent: rows.filter((r) => r.welcome_status === 'sent').length,
        welcomeFailed: rows.filter((r) => r.welcome_status === 'failed' || r.welcome_status === 'expired')
          .length,
      },
      days,
      byStaff: [...byStaff.entries()]
        .map(([staffUserId, v]) => ({ staffUserId, name: v.name, adds: v.adds }))
        .sort((a, b) => b.adds - a.adds),
    });
  };
}
