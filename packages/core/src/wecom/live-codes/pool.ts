import type { LiveCodeMember, LiveCodeWindow } from '@pond/contracts';
import type { Executor, WeComLiveCodeTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import { dayOf, inSchedule } from './schedule.ts';

export type LiveCodeRow = Selectable<WeComLiveCodeTable>;

export interface PoolEntry {
  readonly staffId: string;
  readonly dailyCap: number | null;
  readonly schedule: LiveCodeWindow[];
}

export const poolOf = (row: Pick<LiveCodeRow, 'pool'>): PoolEntry[] => JSON.parse(row.pool) as PoolEntry[];

export interface StaffInfo {
  readonly id: string;
  readonly name: string;
  readonly wecom_userid: string | null;
  readonly status: 'active' | 'departed';
}

export async function staffOf(ex: Executor, tenantId: string, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, StaffInfo>();
  const rows = await ex
    .selectFrom('staff')
    .select(['id', 'name', 'wecom_userid', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Adds per (code, lower-case userid) on one China-time day. */
export async function addsOnDay(ex: Executor, tenantId: string, codeIds: readonly string[], day: string) {
  const counts = new Map<string, number>();
  if (codeIds.length === 0) return counts;
  const rows = await ex
    .selectFrom('wecom_live_code_adds')
    .select(['live_code_id', 'staff_userid', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('live_code_id', 'in', [...codeIds])
    .where('day', '=', day)
    .groupBy(['live_code_id', 'staff_userid'])
    .execute();
  for (const r of rows) counts.set(`${r.live_code_id}:${r.staff_userid.toLowerCase()}`, Number(r.n));
  return counts;
}

/**
 * Who the contact way should hand customers to now: pool members on schedule and under their
 * cap. When nobody is, the fallback member takes over; without one, every pool member who is
 * still employed stays, so a printed code never stops working.
 */
export function availability(
  codeId: string,
  pool: readonly PoolEntry[],
  fallbackStaffId: string | null,
  staff: ReadonlyMap<string, StaffInfo>,
  addsToday: ReadonlyMap<string, number>,
  now: number,
): { members: LiveCodeMember[]; users: string[] } {
  const members: LiveCodeMember[] = pool.map((m) => {
    const s = staff.get(m.staffId);
    const userId = s?.wecom_userid ?? '';
    const adds = addsToday.get(`${codeId}:${userId.toLowerCase()}`) ?? 0;
    const out =
      s?.status !== 'active' || !userId
        ? ('departed' as const)
        : !inSchedule(m.schedule, now)
          ? ('off_schedule' as const)
          : m.dailyCap !== null && adds >= m.dailyCap
            ? ('capped' as const)
            : null;
    return {
      staffId: m.staffId,
      name: s?.name ?? '',
      userId,
      dailyCap: m.dailyCap,
      schedule: m.schedule,
      addsToday: adds,
      out,
    };
  });
  let users = members.filter((m) => m.out === null).map((m) => m.userId);
  if (users.length === 0) {
    const fallback = fallbackStaffId ? staff.get(fallbackStaffId) : undefined;
    users =
      fallback?.status === 'active' && fallback.wecom_userid
        ? [fallback.wecom_userid]
        : members.filter((m) => m.out !== 'departed').map((m) => m.userId);
  }
  return { members, users: [...new Set(users)].sort() };
}

/** The pool's availability for a stored code at `now`. */
export async function availabilityOf(ex: Executor, row: LiveCodeRow, now: number) {
  const pool = poolOf(row);
  const staff = await staffOf(ex, row.tenant_id, [
    ...pool.map((m) => m.staffId),
    ...(row.fallback_staff_id ? [row.fallback_staff_id] : []),
  ]);
  const adds = await addsOnDay(ex, row.tenant_id, [row.id], dayOf(now));
  return availability(row.id, pool, row.fallback_staff_id, staff, adds, now);
}
