import type { AudienceDay, AudienceTrends } from '@pond/contracts';
import type { Executor, Trx } from '@pond/storage';
import { sql } from 'kysely';

export const DAY = 86_400_000;

const dayOf = (t: number) => Math.floor(t / DAY) * DAY;

/**
 * Keeps an audience's size for the current UTC day: written whenever a refresh changes the
 * size (and by every full refresh), so the row of a day is its size at the end of that day.
 */
export async function recordSize(
  trx: Trx,
  a: { readonly id: string; readonly tenant_id: string },
  size: number,
  now: number,
) {
  await trx
    .insertInto('audience_sizes')
    .values({ tenant_id: a.tenant_id, audience_id: a.id, day: dayOf(now), size })
    .onConflict((oc) => oc.columns(['tenant_id', 'audience_id', 'day']).doUpdateSet({ size }))
    .execute();
}

interface Audience {
  readonly id: string;
  readonly size: number;
  readonly created_at: number;
}

/**
 * Each audience's size on each of the `days` UTC days up to today: the day's row, else the
 * last size before it (nothing changed that day), 0 before the audience existed.
 */
async function dailySizes(
  ex: Executor,
  tenantId: string,
  audiences: readonly Audience[],
  days: number,
  now: number,
): Promise<{ from: number; sizes: Map<string, number[]> }> {
  const today = dayOf(now);
  const from = today - (days - 1) * DAY;
  const sizes = new Map<string, number[]>();
  if (audiences.length === 0) return { from, sizes };
  const ids = audiences.map((a) => a.id);
  const [inWindow, before] = await Promise.all([
    ex
      .selectFrom('audience_sizes')
      .select(['audience_id', 'day', 'size'])
      .where('tenant_id', '=', tenantId)
      .where('audience_id', 'in', ids)
      .where('day', '>=', from)
      .execute(),
    ex
      .selectFrom('audience_sizes as s')
      .select(['s.audience_id', 's.size'])
      .where('s.tenant_id', '=', tenantId)
      .where('s.audience_id', 'in', ids)
      .where('s.day', '=', (eb) =>
        eb
          .selectFrom('audience_sizes as p')
          .select((p) => p.fn.max('p.day').as('d'))
          .where('p.tenant_id', '=', tenantId)
          .whereRef('p.audience_id', '=', 's.audience_id')
          .where('p.day', '<', from),
      )
      .execute(),
  ]);
  const byDay = new Map(inWindow.map((r) => [`${r.audience_id}:${Number(r.day)}`, r.size]));
  const last = new Map(before.map((r) => [r.audience_id, r.size]));
  for (const a of audiences) {
    const born = dayOf(a.created_at);
    // No row at all only for an audience never sized since rows were kept: its size now.
    let size = last.get(a.id) ?? (inWindow.some((r) => r.audience_id === a.id) ? 0 : a.size);
    const out: number[] = [];
    for (let d = from; d <= today; d += DAY) {
      size = byDay.get(`${a.id}:${d}`) ?? size;
      out.push(d < born ? 0 : size);
    }
    sizes.set(a.id, out);
  }
  return { from, sizes };
}

/** Every audience's daily sizes, for the sparklines of the audience list. */
export async function trendsOf(
  ex: Executor,
  tenantId: string,
  audiences: readonly Audience[],
  days: number,
  now: number,
): Promise<AudienceTrends> {
  const { from, sizes } = await dailySizes(ex, tenantId, audiences, days, now);
  return { from, data: audiences.map((a) => ({ audienceId: a.id, sizes: sizes.get(a.id) ?? [] })) };
}

/** One audience's size, entries and exits per day, from the day it was created at most. */
export async function daysOf(
  ex: Executor,
  tenantId: string,
  a: Audience,
  days: number,
  now: number,
): Promise<AudienceDay[]> {
  const { from, sizes } = await dailySizes(ex, tenantId, [a], days, now);
  const d = sql<number | string>`at / ${sql.lit(DAY)}`;
  const changes = await ex
    .selectFrom('audience_history')
    .select((eb) => [d.as('d'), 'change', eb.fn.countAll<number | string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('audience_id', '=', a.id)
    .where('at', '>=', from)
    .groupBy([d, 'change'])
    .execute();
  const count = new Map(changes.map((c) => [`${Number(c.d) * DAY}:${c.change}`, Number(c.n)]));
  const born = dayOf(a.created_at);
  return (sizes.get(a.id) ?? [])
    .map((size, i) => {
      const day = from + i * DAY;
      return {
        day,
        size,
        entered: count.get(`${day}:entered`) ?? 0,
        exited: count.get(`${day}:exited`) ?? 0,
      };
    })
    .filter((x) => x.day >= born);
}
