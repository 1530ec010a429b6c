// Stratification at scale: a full recompute run over N customers, the distribution query, and
// a day passing (the due-time timers recompute only the customers whose moment came).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, DEFAULT_LIFECYCLE, DEFAULT_RFM, newId, stratumOf } from '@pond/core';
import { migrateToLatest, openStorage } from '@pond/storage';
import { makeTenant, simulatedClock } from '@pond/testing';

const SCALES: Record<string, number> = { small: 20_000, default: 200_000, large: 1_000_000 };
const DAY = 86_400_000;

/** A small deterministic generator, so every run writes the same brand. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

export async function run(scale: string) {
  const n = SCALES[scale] ?? SCALES.default ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'pond-bench-strat-'));
  const url = process.env.POND_BENCH_DATABASE_URL ?? join(dir, 'pond.db');
  try {
    const storage = await openStorage(url, {
      schema: url.startsWith('postgres') ? 'bench_stratification' : undefined,
    });
    await migrateToLatest(storage);
    const clock = simulatedClock(Date.UTC(2026, 10, 1));
    const services = createServices({ storage, clock });
    const tenant = await makeTenant(services, 'Bench');
    const now = clock.now();
    const rnd = random(20261124);
    const inputs: {
      firstSeen: number;
      active: number | null;
      orders: number;
      lastOrder: number | null;
      spend: number;
    }[] = [];
    for (let i = 0; i < n; i++) {
      const firstSeen = now - Math.floor(rnd() * 720 * DAY);
      const active = rnd() < 0.8 ? firstSeen + Math.floor(rnd() * (now - firstSeen)) : null;
      const orders = rnd() < 0.6 ? 1 + Math.floor(rnd() ** 3 * 15) : 0;
      const lastOrder = orders > 0 ? firstSeen + Math.floor(rnd() * (now - firstSeen)) : null;
      inputs.push({ firstSeen, active, orders, lastOrder, spend: orders * Math.round(50 + rnd() * 400) });
    }
    const loadStarted = performance.now();
    for (let i = 0; i < n; i += 500) {
      await storage.db
        .insertInto('customers')
        .values(
          inputs.slice(i, i + 500).map((c, j) => ({
            tenant_id: tenant.tenantId,
            public_id: newId('cus', now + i + j),
            gender: 'unknown' as const,
            attributes: '{}',
            first_seen_at: c.firstSeen,
            last_active_at: c.active,
            order_count: c.orders,
            total_spend: c.spend,
            last_order_at: c.lastOrder,
            status: 'active' as const,
            merged_into: null,
            created_at: c.firstSeen,
            updated_at: now,
          })),
        )
        .execute();
    }
    const loadMs = performance.now() - loadStarted;

    const recomputeStarted = performance.now();
    const queued = await services.stratification.recompute(tenant.owner);
    if (!queued.ok) throw new Error(queued.error.message);
    await services.platform.jobs.runDue();
    const recomputeMs = performance.now() - recomputeStarted;
    const model = await services.stratification.get(tenant.owner);

    const distStarted = performance.now();
    const dist = await services.stratification.distribution(tenant.owner);
    const distributionMs = performance.now() - distStarted;

    // The reference: the model applied in memory to the same inputs, now and a day later.
    const models = { lifecycle: DEFAULT_LIFECYCLE, rfm: DEFAULT_RFM };
    const key = (c: (typeof inputs)[number], at: number) => {
      const s = stratumOf(
        {
          firstSeenAt: c.firstSeen,
          createdAt: c.firstSeen,
          lastActiveAt: c.active,
          lastOrderAt: c.lastOrder,
          orderCount: c.orders,
          totalSpend: c.spend,
        },
        models,
        at,
      );
      return `${s.stage}:${s.rfm.recency}:${s.rfm.segment}`;
    };
    const expected = new Map<string, number>();
    for (const c of inputs) {
      const stage = key(c, now).split(':')[0] ?? '';
      expected.set(stage, (expected.get(stage) ?? 0) + 1);
    }
    const stagesMatch = dist.lifecycle.every((s) => s.count === (expected.get(s.stage) ?? 0));

    clock.advance(DAY);
    const dueStarted = performance.now();
    await services.platform.jobs.runDue();
    const dayMs = performance.now() - dueStarted;
    const changedByDay = inputs.filter((c) => key(c, now) !== key(c, now + DAY)).length;
    const changes = await storage.db
      .selectFrom('customer_changes')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('tenant_id', '=', tenant.tenantId)
      .where('created_at', '=', clock.now())
      .executeTakeFirstOrThrow();
    const timers = await storage.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('tenant_id', '=', tenant.tenantId)
      .where('queue', '=', 'stratification.due')
      .executeTakeFirstOrThrow();
    await storage.close();
    return {
      bench: 'stratification',
      engine: url.startsWith('postgres') ? 'postgresql' : 'sqlite',
      customers: n,
      loadMs: Math.round(loadMs),
      recomputeMs: Math.round(recomputeMs),
      recomputePerSecond: Math.round(n / (recomputeMs / 1000)),
      run: model.run,
      distributionMs: Math.round(distributionMs),
      dayPassedMs: Math.round(dayMs),
      changedByDay: Number(changes.n),
      expectedChangedByDay: changedByDay,
      timerJobs: Number(timers.n),
      correct: stagesMatch && model.run?.processed === n && Number(changes.n) === changedByDay,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
