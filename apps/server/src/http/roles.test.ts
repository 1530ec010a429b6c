import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

describe.each(testDialects())('roles and data scope on %s', (dialect) => {
  let f: HttpFixture;
  let owner: Caller;
  let manager: Caller;
  let operator: Caller;
  let analyst: Caller;
  const ids = { root: '', s1: '', s2: '', staff1: '', staff2: '', user2: '' };

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const t = await makeTenant(f.services);
    const s1 = await f.services.orgUnits.create(t.owner, {
      parentId: t.rootUnitId,
      name: 'S1',
      kind: 'store',
    });
    const s2 = await f.services.orgUnits.create(t.owner, {
      parentId: t.rootUnitId,
      name: 'S2',
      kind: 'store',
    });
    if (!s1.ok || !s2.ok) throw new Error('setup');
    const staff1 = await f.services.staff.create(t.owner, {
      name: 'One',
      orgUnitId: s1.value.id,
      mobile: '13800000001',
    });
    const staff2 = await f.services.staff.create(t.owner, {
      name: 'Two',
      orgUnitId: s2.value.id,
      mobile: '13800000002',
    });
    if (!staff1.ok || !staff2.ok) throw new Error('setup');
    const m = await addUser(f.services, t.tenantId, s1.value.id, 'store_manager');
    const other = await addUser(f.services, t.tenantId, s2.value.id, 'store_manager');
    const op = await addUser(f.services, t.tenantId, t.rootUnitId, 'operator');
    const an = await addUser(f.services, t.tenantId, t.rootUnitId, 'analyst');
    Object.assign(ids, {
      root: t.rootUnitId,
      s1: s1.value.id,
      s2: s2.value.id,
      staff1: staff1.value.id,
      staff2: staff2.value.id,
      user2: other.id,
    });
    [owner, manager, operator, analyst] = await Promise.all([
      f.signIn(t.ownerEmail),
      f.signIn(m.email),
      f.signIn(op.email),
      f.signIn(an.email),
    ]);
  });
  afterAll(() => f.close());

  it('keeps a store manager inside their store', async () => {
    const units = await manager.call('GET', '/api/v1/org-units');
    expect(units.json.data.map((u: { name: string }) => u.name)).toEqual(['S1']);
    const staff = await manager.call('GET', '/api/v1/staff');
    expect(staff.json.data.map((s: { name: string }) => s.name)).toEqual(['One']);
    expect((await manager.call('GET', `/api/v1/staff/${ids.staff2}`)).status).toBe(404);
    expect((await manager.call('PATCH', `/api/v1/staff/${ids.staff2}`, { name: 'x' })).status).toBe(404);
    expect((await manager.call('POST', '/api/v1/staff', { name: 'x', orgUnitId: ids.s2 })).status).toBe(404);
    expect(
      (await manager.call('POST', `/api/v1/org-units`, { parentId: ids.root, name: 'x', kind: 'store' }))
        .status,
    ).toBe(404);
    const users = await manager.call('GET', '/api/v1/users');
    expect(users.json.data.map((u: { id: string }) => u.id)).not.toContain(ids.user2);
    // … and lets them work inside it.
    const dept = await manager.call('POST', '/api/v1/org-units', {
      parentId: ids.s1,
      name: 'Counter',
      kind: 'department',
    });
    expect(dept.status).toBe(201);
    const moved = await manager.call('PATCH', `/api/v1/staff/${ids.staff1}`, { orgUnitId: dept.json.id });
    expect(moved.json.orgUnitId).toBe(dept.json.id);
  });

  it('answers 403 to roles without the permission, and writes nothing', async () => {
    for (const caller of [operator, analyst]) {
      const res = await caller.call('POST', '/api/v1/staff', { name: 'x', orgUnitId: ids.s1 });
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('forbidden');
    }
    expect((await operator.call('GET', '/api/v1/audit-log')).status).toBe(403);
    expect((await analyst.call('GET', '/api/v1/audit-log')).status).toBe(200);
    const all = await owner.call('GET', `/api/v1/staff?orgUnitId=${ids.s1}`);
    expect(all.json.data.map((s: { name: string }) => s.name)).toEqual(['One']);
  });

  it('masks personal data for roles without pii.view', async () => {
    const asOperator = await operator.call('GET', `/api/v1/staff/${ids.staff2}`);
    expect(asOperator.json.mobile).toBe('+86138****0002');
    const asOwner = await owner.call('GET', `/api/v1/staff/${ids.staff2}`);
    expect(asOwner.json.mobile).toBe('+8613800000002');
  });

  it('lets nobody grant more than they hold', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const admin = await owner.call('POST', '/api/v1/users', {
      name: 'Admin',
      email: `admin-${run}@example.test`,
      password: 'long enough password',
      role: 'admin',
    });
    expect(admin.status).toBe(201);
    const asAdmin = await f.signIn(`admin-${run}@example.test`, 'long enough password');
    const ownerGrant = await asAdmin.call('POST', '/api/v1/users', {
      name: 'Second owner',
      email: `owner2-${run}@example.test`,
      password: 'long enough password',
      role: 'owner',
    });
    expect([ownerGrant.status, ownerGrant.json.error.field]).toEqual([403, 'body.role']);
    const selfDemote = await asAdmin.call('PATCH', `/api/v1/users/${admin.json.id}`, { role: 'staff' });
    expect(selfDemote.status).toBe(403);
  });

  it('holds API keys to their scopes', async () => {
    const created = await owner.call('POST', '/api/v1/api-keys', {
      name: 'read only',
      scopes: ['org.read', 'staff.read'],
    });
    expect(created.status).toBe(201);
    const key = f.withApiKey(created.json.secret);
    expect((await key.call('GET', '/api/v1/staff')).status).toBe(200);
    const write = await key.call('POST', '/api/v1/staff', { name: 'x', orgUnitId: ids.s1 });
    expect([write.status, write.json.error.code]).toEqual([403, 'forbidden']);
    // A key cannot mint a key with permissions it lacks itself.
    const manager = await owner.call('POST', '/api/v1/api-keys', {
      name: 'keys only',
      scopes: ['api_keys.manage'],
    });
    const minted = await f
      .withApiKey(manager.json.secret)
      .call('POST', '/api/v1/api-keys', { name: 'x', scopes: ['api_keys.manage', 'audit.read'] });
    expect([minted.status, minted.json.error.field]).toEqual([403, 'body.scopes']);
  });
});
