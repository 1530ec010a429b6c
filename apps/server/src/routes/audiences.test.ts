import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

describe.each(testDialects())('audiences over HTTP on %s', (dialect) => {
  let f: HttpFixture;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  let owner: SessionCaller;
  let store: string;
  let staff: string;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    tenant = await makeTenant(f.services);
    owner = await f.signIn(tenant.ownerEmail);
    store = (
      await owner.call('POST', '/api/v1/org-units', {
        parentId: tenant.rootUnitId,
        name: '南京店',
        kind: 'store',
      })
    ).json.id;
    staff = (await owner.call('POST', '/api/v1/staff', { name: '李导购', orgUnitId: store })).json.id;
    for (const [name, sourceChannel] of [
      ['甲', '活码'],
      ['乙', '商城'],
    ]) {
      await owner.call('POST', '/api/v1/customers', {
        name,
        sourceChannel,
        ownerStaffId: staff,
        storeId: store,
      });
    }
    await owner.call('POST', '/api/v1/customers', { name: '丙', sourceChannel: '活码' });
  });
  afterAll(() => f.close());

  it('previews, saves and edits rules with relationship and audience conditions', async () => {
    const preview = await owner.call('POST', '/api/v1/audiences/preview', {
      rule: {
        kind: 'all',
        rules: [
          { kind: 'org_unit', unitIds: [tenant.rootUnitId], via: 'store' },
          { kind: 'source_channel', channels: ['活码'] },
        ],
      },
    });
    expect([preview.status, preview.json.count]).toEqual([200, 1]);
    const saved = await owner.call('POST', '/api/v1/audiences', {
      name: '李导购的客户',
      rule: { kind: 'owner_staff', staffIds: [staff] },
    });
    expect([saved.status, saved.json.size, saved.json.archivedAt]).toEqual([201, 2, null]);
    const dependant = await owner.call('POST', '/api/v1/audiences', {
      name: '非李导购的',
      rule: { kind: 'audience', audienceId: saved.json.id, match: 'not_in' },
    });
    expect(dependant.json.size).toBe(1);

    const cycle = await owner.call('PATCH', `/api/v1/audiences/${saved.json.id}`, {
      rule: { kind: 'not', rule: { kind: 'audience', audienceId: dependant.json.id, match: 'in' } },
    });
    expect([cycle.status, cycle.json.error.code, cycle.json.error.field]).toEqual([
      400,
      'invalid_request',
      'body.rule.rule.audienceId',
    ]);
    expect(cycle.json.error.message).toContain('"李导购的客户"');

    const edited = await owner.call('PATCH', `/api/v1/audiences/${saved.json.id}`, {
      name: '南京店客户',
      rule: { kind: 'store', storeIds: [store] },
    });
    expect([edited.status, edited.json.name, edited.json.size]).toEqual([200, '南京店客户', 2]);

    const archive = await owner.call('PATCH', `/api/v1/audiences/${saved.json.id}`, { archived: true });
    expect([archive.status, archive.json.error.code, archive.json.error.field]).toEqual([
      409,
      'conflict',
      'body.archived',
    ]);
    expect(archive.json.error.message).toContain(`"非李导购的" (${dependant.json.id})`);
    const named = await owner.call('GET', `/api/v1/audiences/${saved.json.id}/dependants`);
    expect(named.json).toEqual({
      audiences: [{ id: dependant.json.id, name: '非李导购的', archived: false }],
      autoTagRules: [],
    });
    // Nothing names the dependant: it archives and restores, audited and on the outbox.
    const archived = await owner.call('PATCH', `/api/v1/audiences/${dependant.json.id}`, { archived: true });
    expect([archived.status, archived.json.archivedAt]).toEqual([200, f.clock.now()]);
    const restored = await owner.call('PATCH', `/api/v1/audiences/${dependant.json.id}`, { archived: false });
    expect([restored.status, restored.json.archivedAt, restored.json.size]).toEqual([200, null, 1]);
    const db = f.services.platform.db;
    const audited = await db
      .selectFrom('audit_log')
      .select('action')
      .where('tenant_id', '=', tenant.tenantId)
      .where('target_id', '=', dependant.json.id)
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual([
      'audience.created',
      'audience.archived',
      'audience.restored',
    ]);
    const announced = await db
      .selectFrom('outbox')
      .select('type')
      .where('tenant_id', '=', tenant.tenantId)
      .where('aggregate_id', '=', dependant.json.id)
      .orderBy('id')
      .execute();
    expect(announced.map((e) => e.type)).toEqual([
      'audience.created',
      'audience.archived',
      'audience.restored',
    ]);

    const empty = await owner.call('PATCH', `/api/v1/audiences/${saved.json.id}`, {});
    expect([empty.status, empty.json.error.code]).toEqual([400, 'invalid_request']);
    const unknownKind = await owner.call('POST', '/api/v1/audiences/preview', {
      rule: { kind: 'wecom_group', groupIds: ['g1'] },
    });
    expect([unknownKind.status, unknownKind.json.error.field]).toEqual([400, 'body.rule.kind']);
  });

  it('answers daily sizes for one audience and trends for all', async () => {
    const a = await owner.call('POST', '/api/v1/audiences', {
      name: '活码',
      rule: { kind: 'source_channel', channels: ['活码'] },
      kind: 'static',
    });
    const sizes = await owner.call('GET', `/api/v1/audiences/${a.json.id}/sizes?days=14`);
    expect(sizes.status).toBe(200);
    expect(sizes.json.days).toEqual([
      { day: Math.floor(f.clock.now() / 86_400_000) * 86_400_000, size: 2, entered: 2, exited: 0 },
    ]);
    const trends = await owner.call('GET', '/api/v1/audiences/trends?days=7');
    expect(trends.status).toBe(200);
    const mine = trends.json.data.find((t: { audienceId: string }) => t.audienceId === a.json.id);
    expect(mine.sizes).toEqual([0, 0, 0, 0, 0, 0, 2]);
    const tooLong = await owner.call('GET', `/api/v1/audiences/${a.json.id}/sizes?days=5000`);
    expect([tooLong.status, tooLong.json.error.field]).toEqual([400, 'query.days']);
  });

  it('lets analysts read sizes but not change audiences', async () => {
    const analyst = await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'analyst');
    const caller = await f.signIn(analyst.email);
    const list = await owner.call('GET', '/api/v1/audiences');
    const id = list.json.data[0].id;
    expect((await caller.call('GET', `/api/v1/audiences/${id}/sizes`)).status).toBe(200);
    expect((await caller.call('GET', '/api/v1/audiences/trends')).status).toBe(200);
    const patch = await caller.call('PATCH', `/api/v1/audiences/${id}`, { name: 'x' });
    expect([patch.status, patch.json.error.code]).toEqual([403, 'forbidden']);
  });
});
