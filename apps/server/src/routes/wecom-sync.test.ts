import { weComGateways } from '@pond/core';
import { makeTenant, testDialects } from '@pond/testing';
import { startWeComEmulator, type WeComEmulator } from '@pond/wecom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

/** A full sync of the emulated corp through the API: contacts and relationships, then groups. */
describe.each(testDialects())('WeCom full sync on %s', (dialect) => {
  let f: HttpFixture;
  let emulator: WeComEmulator;
  let owner: SessionCaller;
  let tenantId: string;

  beforeAll(async () => {
    emulator = await startWeComEmulator({ seed: 23, generate: { staff: 5, customers: 30, groups: 3 } });
    f = await httpFixture(dialect, { deps: { wecomGateway: weComGateways() } });
    const t = await makeTenant(f.services);
    tenantId = t.tenantId;
    owner = await f.signIn(t.ownerEmail);
    const saved = await owner.call('PUT', '/api/v1/wecom/config', {
      corpId: emulator.corpId,
      secret: emulator.secret,
      token: 'SyncToken1',
      encodingAesKey: 'SyncKey0123456789abcdefghijklmnopqrstuvwxyz',
      apiBaseUrl: emulator.url,
    });
    expect(saved.status).toBe(200);
    // One member is known to Pond: the customers they follow get them as owner.
    const first = [...emulator.corp.users.values()].find((u) => u.customerContact && u.status === 1);
    await owner.call('POST', '/api/v1/staff', {
      name: first?.name ?? 'x',
      orgUnitId: t.rootUnitId,
      wecomUserId: first?.userId,
    });
  });
  const customerCount = async () =>
    Number(
      (
        await f.services.platform.db
          .selectFrom('customers')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  afterAll(async () => {
    await emulator?.close();
    await f?.close();
  });

  it('brings every visible relationship and group into Pond, and a second run creates nobody', async () => {
    const started = await owner.call('POST', '/api/v1/wecom/sync');
    expect(started.status).toBe(202);
    expect((await owner.call('POST', '/api/v1/wecom/sync')).status).toBe(409);
    await f.services.platform.jobs.runDue();
    const done = (await owner.call('GET', '/api/v1/wecom/sync')).json.sync;
    const visibleMembers = new Set(
      [...emulator.corp.users.values()]
        .filter((u) => u.status === 1 && u.customerContact)
        .map((u) => u.userId),
    );
    const follows = [...emulator.corp.follows.values()].filter((r) => visibleMembers.has(r.userId));
    const externals = new Set(follows.map((r) => r.externalUserId));
    expect(done).toMatchObject({
      status: 'done',
      phase: 'done',
      members: visibleMembers.size,
      membersDone: visibleMembers.size,
    });
    expect(done.relationships).toBe(follows.length);
    expect(done.groups).toBe(emulator.corp.groups.size);
    const db = f.services.platform.db;
    // The directory: a unit per department below the top, a staff member per member.
    const departments = [...emulator.corp.departments.values()];
    const ids = new Set(departments.map((d) => d.id));
    const units = await db
      .selectFrom('org_units')
      .select(['code', 'kind'])
      .where('tenant_id', '=', tenantId)
      .where('code', 'like', 'wecom-%')
      .execute();
    expect(units).toHaveLength(departments.filter((d) => ids.has(d.parentId)).length);
    expect(done.unitsCreated).toBe(units.length);
    expect(done.staffCreated).toBeGreaterThan(0);
    const unlinked = await db
      .selectFrom('wecom_relationships')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('staff_id', 'is', null)
      .execute();
    expect(unlinked).toEqual([]);
    const rels = await db
      .selectFrom('wecom_relationships')
      .select(['external_userid', 'status'])
      .where('tenant_id', '=', tenantId)
      .execute();
    expect(rels).toHaveLength(follows.length);
    expect(new Set(rels.map((r) => r.external_userid))).toEqual(externals);
    const groups = await owner.call('GET', '/api/v1/wecom/groups?limit=50');
    expect(groups.json.data).toHaveLength(emulator.corp.groups.size);

    const customersBefore = await customerCount();
    f.clock.advance(60_000);
    expect((await owner.call('POST', '/api/v1/wecom/sync')).status).toBe(202);
    await f.services.platform.jobs.runDue();
    const again = (await owner.call('GET', '/api/v1/wecom/sync')).json.sync;
    expect(again).toMatchObject({
      status: 'done',
      unitsCreated: 0,
      staffCreated: 0,
      customersCreated: 0,
      relationships: follows.length,
    });
    const customersAfter = await customerCount();
    expect(customersAfter).toBe(customersBefore);
  });

  it('marks departed the staff members who left the corp, and only them', async () => {
    const db = f.services.platform.db;
    const staffOf = async (userId: string) =>
      db
        .selectFrom('staff')
        .select(['id', 'status', 'departed_at'])
        .where('tenant_id', '=', tenantId)
        .where('wecom_userid', '=', userId)
        .executeTakeFirstOrThrow();
    const members = [...emulator.corp.users.values()].filter((u) => u.status === 1);
    const leaver = members[0]?.userId ?? '';
    const stayer = members[1]?.userId ?? '';
    expect((await staffOf(leaver)).status).toBe('active');
    emulator.corp.staffLeaves(leaver);
    f.clock.advance(60_000);
    expect((await owner.call('POST', '/api/v1/wecom/sync')).status).toBe(202);
    await f.services.platform.jobs.runDue();
    expect((await owner.call('GET', '/api/v1/wecom/sync')).json.sync).toMatchObject({ status: 'done' });
    const left = await staffOf(leaver);
    expect(left).toMatchObject({ status: 'departed', departed_at: expect.any(Number) });
    expect((await staffOf(stayer)).status).toBe('active');
    const audited = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target_id'])
      .where('tenant_id', '=', tenantId)
      .where('action', '=', 'staff.departed')
      .execute();
    expect(audited).toEqual([{ action: 'staff.departed', actor_id: 'wecom-sync', target_id: left.id }]);
  });
});
