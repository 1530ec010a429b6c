import {
  LIFECYCLE_STAGES,
  type LifecycleStage,
  RFM_SEGMENTS,
  type StratificationDistribution,
} from '@pond/contracts';
import type { Db } from '@pond/storage';
import { customerScope } from '../customers/scope.ts';
import type { Ctx } from '../shared/context.ts';

const STAGES = new Set<string>(LIFECYCLE_STAGES);
export const isStage = (s: string | null): s is LifecycleStage => s !== null && STAGES.has(s);

/**
 * Counts per stage, score, recency × frequency cell and segment, within the caller's scope: one
 * pass over the customers (at most 6 × 126 groups), answered from a covering index when the
 * caller sees the whole tenant.
 */
export async function distributionOf(db: Db, ctx: Ctx): Promise<StratificationDistribution> {
  const groups = await db
    .selectFrom('customers')
    .where(customerScope(ctx))
    .where('status', '=', 'active')
    .select([
      'lifecycle_stage',
      'rfm_recency',
      'rfm_frequency',
      'rfm_monetary',
      'rfm_segment',
      (eb) => eb.fn.countAll<number | string>().as('n'),
    ])
    .groupBy(['lifecycle_stage', 'rfm_recency', 'rfm_frequency', 'rfm_monetary', 'rfm_segment'])
    .execute();
  type Group = (typeof groups)[number];
  const count = (pick: (g: Group) => boolean) =>
    groups.reduce((sum, g) => (pick(g) ? sum + Number(g.n) : sum), 0);
  const perScore = (score: (g: Group) => number | null) =>
    [1, 2, 3, 4, 5].map((n) => ({ score: n, count: count((g) => score(g) === n) }));
  const rf = new Map<string, { r: number; f: number; count: number }>();
  for (const g of groups) {
    if (g.rfm_recency === null || g.rfm_frequency === null) continue;
    const key = `${g.rfm_recency}:${g.rfm_frequency}`;
    const cell = rf.get(key) ?? { r: g.rfm_recency, f: g.rfm_frequency, count: 0 };
    cell.count += Number(g.n);
    rf.set(key, cell);
  }
  return {
    total: count(() => true),
    lifecycle: LIFECYCLE_STAGES.map((stage) => ({ stage, count: count((g) => g.lifecycle_stage === stage) })),
    unstaged: count((g) => !isStage(g.lifecycle_stage)),
    recency: perScore((g) => g.rfm_recency),
    frequency: perScore((g) => g.rfm_frequency),
    monetary: perScore((g) => g.rfm_monetary),
    rf: [...rf.values()].sort((a, b) => a.r - b.r || a.f - b.f),
    segments: RFM_SEGMENTS.map((segment) => ({ segment, count: count((g) => g.rfm_segment === segment) })),
    unscored: count((g) => g.rfm_recency === null),
  };
}
