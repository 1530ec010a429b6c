import { createServices } from '@pond/core';
import { DEMO_SMALL, makeTenant, openTestStorage, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from './load-demo.ts';

describe.each(testDialects())('demo brand on %s', (dialect) => {
  let services: ReturnType<typeof createServices>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    close = opened.close;
    services = createServices({ storage: opened.storage, clock: simulatedClock(Date.UTC(2026, 10, 1)) });
  });
  afterAll(() => close());

  async function snapshot(tenantId: string) {
    const db = services.platform.db;
    const customers = await db
      .selectFrom('customers')
      .select(['name', 'city', 'phone', 'order_count', 'total_spend', 'owner_staff_id', 'store_id'])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
    const events = await db
      .selectFrom('events')
      .select(['name', 'timestamp'])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
    const units = await db
      .selectFrom('org_units')
      .select(['name', 'kind'])
      .where('tenant_id', '=', tenantId)
      .orderBy('path')
      .execute();
    return { customers, events, units };
  }

  it('loads the same brand every time, consistent with its own org', async () => {
    const a = await makeTenant(services, 'Demo A');
    const b = await makeTenant(services, 'Demo B');
    const ra = await loadDemo(services, a.owner, { scale: DEMO_SMALL });
    const rb = await loadDemo(services, b.owner, { scale: DEMO_SMALL });
    expect(ra.ok && rb.ok).toBe(true);
    const sa = await snapshot(a.tenantId);
    const sb = await snapshot(b.tenantId);
    expect(sa.customers.length).toBe(DEMO_SMALL.customers);
    expect(sa.customers.map(({ owner_staff_id: _o, store_id: _s, ...c }) => c)).toEqual(
      sb.customers.map(({ owner_staff_id: _o, store_id: _s, ...c }) => c),
    );
    expect(sa.events).toEqual(sb.events);
    expect(sa.events.length).toBeGreaterThan(DEMO_SMALL.events * 0.8);
    expect(sa.units.filter((u) => u.kind === 'store').length).toBe(
      DEMO_SMALL.regions * DEMO_SMALL.storesPerRegion,
    );

    // Owners work in the customer's store; order totals match the order events.
    const db = services.platform.db;
    const mismatched = await db
      .selectFrom('customers')
      .innerJoin('staff', 'staff.id', 'customers.owner_staff_id')
      .select('customers.id')
      .where('customers.tenant_id', '=', a.tenantId)
      .whereRef('staff.org_unit_id', '!=', 'customers.store_id')
      .execute();
    expect(mismatched).toEqual([]);
    const orders = await db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('tenant_id', '=', a.tenantId)
      .where('name', '=', 'order_paid')
      .executeTakeFirstOrThrow();
    const counted = await db
      .selectFrom('customers')
      .select((eb) => eb.fn.sum('order_count').as('n'))
      .where('tenant_id', '=', a.tenantId)
      .executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(Number(orders.n));

    const search = await services.customers.list(a.owner, {
      q: sa.customers[0]?.phone ?? '',
      limit: 5,
      order: 'desc',
    });
    expect(search.ok && search.value.data.length).toBe(1);
    const catalog = await services.events.catalog(a.owner);
    expect(catalog.reduce((s, c) => s + c.volume, 0)).toBe(sa.events.length);

    // Stages and RFM scores follow from the loaded activity once the queued recompute runs.
    await services.platform.jobs.runDue();
    const strata = await services.stratification.distribution(a.owner);
    expect(strata.lifecycle.reduce((s, x) => s + x.count, 0)).toBe(DEMO_SMALL.customers);
    const buyers = await db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('tenant_id', '=', a.tenantId)
      .where('order_count', '>', 0)
      .executeTakeFirstOrThrow();
    expect(DEMO_SMALL.customers - strata.unscored).toBe(Number(buyers.n));
  });

  it('refuses a brand that already has customers', async () => {
    const t = await makeTenant(services, 'Busy');
    await services.customers.create(t.owner, { name: 'x', identities: [{ type: 'user_id', value: 'x' }] });
    const r = await loadDemo(services, t.owner, { scale: DEMO_SMALL });
    expect(!r.ok && r.error.code).toBe('conflict');
  });
});
