import { addUser, makeTenant, openTestStorage, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services.ts';

describe.each(testDialects())('org tree and staff on %s', (dialect) => {
  let services: Services;
  let close: () => Promise<void>;
  const clock = simulatedClock();

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    close = opened.close;
    services = createServices({ storage: opened.storage, clock });
  });
  afterAll(() => close());

  it('builds a tree, moves a subtree and keeps paths consistent', async () => {
    const t = await makeTenant(services);
    const east = await services.orgUnits.create(t.owner, {
      parentId: t.rootUnitId,
      name: 'East',
      kind: 'region',
    });
    const west = await services.orgUnits.create(t.owner, {
      parentId: t.rootUnitId,
      name: 'West',
      kind: 'region',
    });
    if (!east.ok || !west.ok) throw new Error('setup failed');
    const store = await services.orgUnits.create(t.owner, {
      parentId: east.value.id,
      name: 'Store 1',
      kind: 'store',
    });
    if (!store.ok) throw new Error('setup failed');
    const counter = await services.orgUnits.create(t.owner, {
      parentId: store.value.id,
      name: 'Counter',
      kind: 'department',
    });
    if (!counter.ok) throw new Error('setup failed');
    expect(counter.value.depth).toBe(3);

    const moved = await services.orgUnits.update(t.owner, store.value.id, { parentId: west.value.id });
    expect(moved.ok && moved.value.parentId).toBe(west.value.id);
    const units = await services.orgUnits.list(t.owner);
    const byId = new Map(units.map((u) => [u.id, u]));
    expect(byId.get(counter.value.id)?.depth).toBe(3);

    // A store manager of West now sees the moved store and its counter, not East.
    const manager = await addUser(services, t.tenantId, west.value.id, 'store_manager');
    const seen = (await services.orgUnits.list(manager.ctx)).map((u) => u.name).sort();
    expect(seen).toEqual(['Counter', 'Store 1', 'West']);

    const cycle = await services.orgUnits.update(t.owner, west.value.id, { parentId: counter.value.id });
    expect(cycle.ok).toBe(false);
    if (!cycle.ok) expect(cycle.error).toMatchObject({ code: 'invalid_request', field: 'body.parentId' });
  });

  it('refuses to delete a unit that still has staff, and deletes it once empty', async () => {
    const t = await makeTenant(services);
    const store = await services.orgUnits.create(t.owner, {
      parentId: t.rootUnitId,
      name: 'S',
      kind: 'store',
    });
    if (!store.ok) throw new Error('setup failed');
    const staff = await services.staff.create(t.owner, {
      name: '王芳',
      orgUnitId: store.value.id,
      mobile: '13800138000',
    });
    expect(staff.ok && staff.value.mobile).toBe('+8613800138000');
    const refused = await services.orgUnits.remove(t.owner, store.value.id);
    expect(refused.ok).toBe(false);
    if (!staff.ok) throw new Error('setup failed');
    await services.staff.update(t.owner, staff.value.id, { orgUnitId: t.rootUnitId });
    expect((await services.orgUnits.remove(t.owner, store.value.id)).ok).toBe(true);
  });

  it('pages staff by cursor, filters by subtree and masks personal data for roles without pii.view', async () => {
    const t = await makeTenant(services);
    const store = await services.orgUnits.create(t.owner, {
      parentId: t.rootUnitId,
      name: 'S',
      kind: 'store',
    });
    if (!store.ok) throw new Error('setup failed');
    for (let i = 0; i < 7; i++) {
      clock.advance(1000);
      await services.staff.create(t.owner, {
        name: `导购${i}`,
        orgUnitId: i < 5 ? store.value.id : t.rootUnitId,
        mobile: `1380013800${i}`,
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await services.staff.list(t.owner, { limit: 2, order: 'desc', sort: 'createdAt', cursor });
      if (!page.ok) throw new Error(page.error.message);
      seen.push(...page.value.data.map((s) => s.name));
      cursor = page.value.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['导购6', '导购5', '导购4', '导购3', '导购2', '导购1', '导购0']);

    const inStore = await services.staff.list(t.owner, {
      limit: 50,
      order: 'asc',
      sort: 'name',
      orgUnitId: store.value.id,
    });
    expect(inStore.ok && inStore.value.data.length).toBe(5);

    const operator = await addUser(services, t.tenantId, t.rootUnitId, 'operator');
    const masked = await services.staff.list(operator.ctx, { limit: 1, order: 'asc', sort: 'createdAt' });
    expect(masked.ok && masked.value.data[0]?.mobile).toBe('+86138****8000');
  });

  it('writes an audit entry and a domain event with every change', async () => {
    const t = await makeTenant(services);
    const created = await services.staff.create(t.owner, { name: 'Li', orgUnitId: t.rootUnitId });
    if (!created.ok) throw new Error('setup failed');
    await services.staff.depart(t.owner, created.value.id, {});
    const log = await services.audit.list(t.owner, { limit: 10, order: 'desc', targetId: created.value.id });
    expect(log.ok && log.value.data.map((e) => e.action)).toEqual(['staff.departed', 'staff.created']);
    if (log.ok) expect(log.value.data[0]?.diff.status).toEqual(['active', 'departed']);
    const events = await services.platform.db
      .selectFrom('outbox')
      .select('type')
      .where('tenant_id', '=', t.tenantId)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['staff.created', 'staff.departed']);
  });

  it('never shows one tenant another tenant’s units or staff', async () => {
    const a = await makeTenant(services, 'A');
    const b = await makeTenant(services, 'B');
    const staff = await services.staff.create(a.owner, { name: 'A staff', orgUnitId: a.rootUnitId });
    if (!staff.ok) throw new Error('setup failed');
    expect((await services.staff.get(b.owner, staff.value.id)).ok).toBe(false);
    expect((await services.orgUnits.get(b.owner, a.rootUnitId)).ok).toBe(false);
    const intoOther = await services.staff.create(b.owner, { name: 'x', orgUnitId: a.rootUnitId });
    expect(!intoOther.ok && intoOther.error.code).toBe('not_found');
  });
});
