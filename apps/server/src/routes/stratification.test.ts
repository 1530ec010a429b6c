import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

const settle = async (f: HttpFixture) => {
  await f.services.platform.outbox.drain();
  await f.services.platform.jobs.runDue();
  await f.services.platform.outbox.drain();
};

describe.each(testDialects())('stratification over HTTP on %s', (dialect) => {
  let f: HttpFixture;
  let owner: SessionCaller;
  let analyst: SessionCaller;
  let manager: SessionCaller;
  let tenantId: string;
  let inStore: string;

  beforeAll(async () => {
    // A private schema on PostgreSQL: timers fire on this file's clock only.
    f = await httpFixture(dialect, { isolated: true });
    const t = await makeTenant(f.services);
    tenantId = t.tenantId;
    owner = await f.signIn(t.ownerEmail);
    analyst = await f.signIn((await addUser(f.services, tenantId, t.rootUnitId, 'analyst')).email);
    const store = await owner.call('POST', '/api/v1/org-units', {
      parentId: t.rootUnitId,
      name: '南京店',
      kind: 'store',
    });
    manager = await f.signIn((await addUser(f.services, tenantId, store.json.id, 'store_manager')).email);
    inStore = (await owner.call('POST', '/api/v1/customers', { name: '店内', storeId: store.json.id })).json
      .customer.id;
    await owner.call('POST', '/api/v1/customers', { name: '总部' });
    await settle(f);
  });
  afterAll(() => f.close());

  it('answers the default model, and lets readers read but not change it', async () => {
    const got = await analyst.call('GET', '/api/v1/stratification');
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      version: 0,
      isDefault: true,
      run: null,
      lifecycle: { newWithinDays: 30, atRiskAfterDays: 60, churnedAfterDays: 180 },
      rfm: { recencyDays: [30, 90, 180, 365] },
    });
    const put = await analyst.call('PUT', '/api/v1/stratification', { lifecycle: got.json.lifecycle });
    expect([put.status, put.json.error.code]).toEqual([403, 'forbidden']);
  });

  it('refuses bad models with the field at fault and writes nothing', async () => {
    const model = (await owner.call('GET', '/api/v1/stratification')).json;
    const before = await f.counts(tenantId);
    const cases: [unknown, string][] = [
      [{ lifecycle: { ...model.lifecycle, newWithinDays: 0 } }, 'body.lifecycle.newWithinDays'],
      [{ lifecycle: { ...model.lifecycle, churnedAfterDays: 30 } }, 'body.lifecycle.churnedAfterDays'],
      [{ rfm: { ...model.rfm, recencyDays: [30, 90, 180] } }, 'body.rfm.recencyDays'],
      [{ rfm: { ...model.rfm, frequencyOrders: [2, 3, 3, 10] } }, 'body.rfm.frequencyOrders.2'],
      [{ rfm: { ...model.rfm, highFrom: 6 } }, 'body.rfm.highFrom'],
      [{ lifecycle: { ...model.lifecycle, inactivityBasis: 'visits' } }, 'body.lifecycle.inactivityBasis'],
      [{}, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await owner.call('PUT', '/api/v1/stratification', body);
      expect([field, res.status, res.json.error?.field]).toEqual([field, 400, field]);
    }
    expect(await f.counts(tenantId)).toEqual(before);
  });

  it('changes the model, recomputes in the background and shows the run’s progress', async () => {
    const model = (await owner.call('GET', '/api/v1/stratification')).json;
    const put = await owner.call('PUT', '/api/v1/stratification', {
      lifecycle: { ...model.lifecycle, newWithinDays: 7, atRiskAfterDays: 20 },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ version: 1, isDefault: false, run: { status: 'queued', processed: 0 } });
    f.clock.advance(8 * 86_400_000);
    await settle(f);
    const after = await owner.call('GET', '/api/v1/stratification');
    expect(after.json.run).toMatchObject({ status: 'done', total: 2, processed: 2, modelVersion: 1 });
    const again = await owner.call('POST', '/api/v1/stratification/recompute');
    expect([again.status, again.json.status]).toEqual([202, 'queued']);
  });

  it('counts stages within the caller’s scope and explains one customer', async () => {
    const all = await owner.call('GET', '/api/v1/stratification/distribution');
    expect(all.status).toBe(200);
    expect(all.json.total).toBe(2);
    expect(all.json.lifecycle).toHaveLength(5);
    expect(all.json.segments).toHaveLength(8);
    const scoped = await manager.call('GET', '/api/v1/stratification/distribution');
    expect(scoped.json.total).toBe(1);
    const one = await manager.call('GET', `/api/v1/customers/${inStore}/stratification`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ customerId: inStore, lifecycleStage: 'active', rfm: { recency: null } });
    expect(one.json.checks.map((c: { stage: string }) => c.stage)).toEqual([
      'churned',
      'at_risk',
      'loyal',
      'new',
      'active',
    ]);
    const missing = await owner.call('GET', '/api/v1/customers/cus_missing/stratification');
    expect([missing.status, missing.json.error.code]).toEqual([404, 'not_found']);
  });

  it('refuses a lifecycle stage sent as input: it is computed', async () => {
    const res = await owner.call('POST', '/api/v1/customers', { name: 'x', lifecycleStage: 'loyal' });
    expect([res.status, res.json.error.code, res.json.error.field]).toEqual([
      400,
      'unknown_field',
      'body.lifecycleStage',
    ]);
  });
});
