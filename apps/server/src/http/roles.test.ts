import { randomUUID } from 'node:crypto';
import { api, type Endpoint, type Permission, type Role, rolePermissions } from '@pond/contracts';
import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

const endpoints = Object.entries(api).flatMap(([group, list]) =>
  Object.entries(list as Record<string, Endpoint>).map(([name, e]) => ({ key: `${group}.${name}`, e })),
);

describe.each(testDialects())('roles and data scope on %s', (dialect) => {
  let f: HttpFixture;
  let tenantId: string;
  const as: Partial<Record<Role | 'admin_s1', Caller>> = {};
  const ids = {
    root: '',
    s1: '',
    s2: '',
    staff1: '',
    staff2: '',
    user1: '',
    user2: '',
    admin1: '',
    owner: '',
  };
  const caller = (who: keyof typeof as) => as[who] as Caller;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const t = await makeTenant(f.services);
    tenantId = t.tenantId;
    const unit = async (name: string) => {
      const r = await f.services.orgUnits.create(t.owner, { parentId: t.rootUnitId, name, kind: 'store' });
      if (!r.ok) throw new Error('setup');
      return r.value.id;
    };
    const [s1, s2] = [await unit('S1'), await unit('S2')];
    const staff = async (name: string, orgUnitId: string, mobile: string) => {
      const r = await f.services.staff.create(t.owner, { name, orgUnitId, mobile });
      if (!r.ok) throw new Error('setup');
      return r.value.id;
    };
    const manager = await addUser(f.services, tenantId, s1, 'store_manager');
    const other = await addUser(f.services, tenantId, s2, 'store_manager');
    const adminS1 = await addUser(f.services, tenantId, s1, 'admin');
    Object.assign(ids, {
      root: t.rootUnitId,
      s1,
      s2,
      staff1: await staff('One', s1, '13800000001'),
      staff2: await staff('Two', s2, '13800000002'),
      user1: manager.id,
      user2: other.id,
      admin1: adminS1.id,
      owner: t.owner.principal.id,
    });
    as.owner = await f.signIn(t.ownerEmail);
    as.store_manager = await f.signIn(manager.email);
    as.admin_s1 = await f.signIn(adminS1.email);
    for (const role of ['operator', 'analyst', 'staff'] as const) {
      as[role] = await f.signIn((await addUser(f.services, tenantId, t.rootUnitId, role)).email);
    }
  });
  afterAll(() => f.close());

  const names = (res: { json: { data: { name: string }[] } }) => res.json.data.map((x) => x.name).sort();

  it('keeps a store manager out of other stores: 404 on their units, staff and users', async () => {
    const m = caller('store_manager');
    expect(names(await m.call('GET', '/api/v1/org-units'))).toEqual(['S1']);
    expect(names(await m.call('GET', '/api/v1/staff'))).toEqual(['One']);
    const users = await m.call('GET', '/api/v1/users');
    expect(users.json.data.map((u: { id: string }) => u.id).sort()).toEqual([ids.user1, ids.admin1].sort());

    const before = await f.snapshot(tenantId);
    const refused: [string, string, unknown][] = [
      ['GET', `/api/v1/org-units/${ids.s2}`, undefined],
      ['PATCH', `/api/v1/org-units/${ids.s2}`, { name: 'x' }],
      ['DELETE', `/api/v1/org-units/${ids.s2}`, undefined],
      ['GET', `/api/v1/org-units/${ids.root}`, undefined],
      ['GET', `/api/v1/staff/${ids.staff2}`, undefined],
      ['PATCH', `/api/v1/staff/${ids.staff2}`, { name: 'x' }],
      ['POST', `/api/v1/staff/${ids.staff2}/depart`, {}],
      ['GET', `/api/v1/staff?orgUnitId=${ids.s2}`, undefined],
      ['POST', '/api/v1/staff', { name: 'x', orgUnitId: ids.s2 }],
      ['PATCH', `/api/v1/staff/${ids.staff1}`, { orgUnitId: ids.s2 }],
      ['POST', '/api/v1/org-units', { parentId: ids.root, name: 'x', kind: 'store' }],
    ];
    for (const [method, url, body] of refused) {
      const res = await m.call(method as 'GET', url, body);
      expect([method, url, res.status, res.json.error?.code]).toEqual([method, url, 404, 'not_found']);
      expect(JSON.stringify(res.json)).not.toContain('Two');
    }
    // An admin scoped to S1 holds users.write, and still cannot reach S2's users.
    const a = caller('admin_s1');
    const userRes = await a.call('PATCH', `/api/v1/users/${ids.user2}`, { name: 'x' });
    expect([userRes.status, userRes.json.error.code]).toEqual([404, 'not_found']);
    const scoped = await a.call('POST', '/api/v1/users', {
      name: 'x',
      email: `x-${randomUUID()}@example.test`,
      password: 'long enough password',
      role: 'staff',
      scopeUnitId: ids.s2,
    });
    expect([scoped.status, scoped.json.error.field]).toEqual([404, 'body.scopeUnitId']);
    expect(await f.snapshot(tenantId)).toEqual(before);
  });

  it('lets a store manager manage inside their store', async () => {
    const m = caller('store_manager');
    const dept = await m.call('POST', '/api/v1/org-units', {
      parentId: ids.s1,
      name: 'Counter',
      kind: 'department',
    });
    expect([dept.status, dept.json.parentId, dept.json.depth]).toEqual([201, ids.s1, 2]);
    const hired = await m.call('POST', '/api/v1/staff', { name: 'Three', orgUnitId: dept.json.id });
    expect([hired.status, hired.json.orgUnitId]).toEqual([201, dept.json.id]);
    const moved = await m.call('PATCH', `/api/v1/staff/${ids.staff1}`, { orgUnitId: dept.json.id });
    expect([moved.status, moved.json.orgUnitId]).toEqual([200, dept.json.id]);
    const departed = await m.call('POST', `/api/v1/staff/${hired.json.id}/depart`, {});
    expect([departed.status, departed.json.status]).toEqual([200, 'departed']);
    expect(names(await m.call('GET', `/api/v1/staff?orgUnitId=${ids.s1}`))).toEqual(['One', 'Three']);
    // Their own scope unit cannot be moved out from under them.
    const moveOwnScope = await m.call('PATCH', `/api/v1/org-units/${ids.s1}`, { parentId: dept.json.id });
    expect([moveOwnScope.status, moveOwnScope.json.error.code]).toEqual([403, 'forbidden']);
  });

  it.each(['operator', 'analyst', 'staff', 'store_manager'] as const)(
    'answers 403 to a %s on every endpoint needing a permission the role lacks',
    async (role) => {
      const held = new Set<Permission>(rolePermissions[role]);
      const denied = endpoints.filter(({ e }) => e.permission && !held.has(e.permission));
      expect(denied.length).toBeGreaterThan(0);
      const before = await f.snapshot(tenantId);
      for (const { key, e } of denied) {
        const url = e.path.replace(':id', e.path.startsWith('/api/v1/merges') ? '1' : ids.staff1);
        const res = await caller(role).call(e.method, url, e.body ? {} : undefined);
        expect([key, res.status, res.json.error?.code]).toEqual([key, 403, 'forbidden']);
      }
      expect(await f.snapshot(tenantId)).toEqual(before);
    },
  );

  it('masks personal data for roles without pii.view', async () => {
    const asOperator = await caller('operator').call('GET', `/api/v1/staff/${ids.staff2}`);
    expect(asOperator.json.mobile).toBe('+86138****0002');
    const asOwner = await caller('owner').call('GET', `/api/v1/staff/${ids.staff2}`);
    expect(asOwner.json.mobile).toBe('+8613800000002');
    const opList = await caller('operator').call('GET', `/api/v1/staff?orgUnitId=${ids.s2}`);
    expect(opList.json.data.map((s: { mobile: string }) => s.mobile)).toEqual(['+86138****0002']);
    const opUsers = await caller('operator').call('GET', '/api/v1/users');
    const emails: string[] = opUsers.json.data.map((u: { email: string }) => u.email);
    expect(emails.length).toBeGreaterThan(3);
    for (const email of emails) expect(email).toMatch(/^[a-z]\*\*\*@example\.test$/);
    const ownerUsers = await caller('owner').call('GET', '/api/v1/users');
    expect(ownerUsers.json.data.map((u: { email: string }) => u.email)).toContain(
      `${ids.user2}@example.test`,
    );
  });

  it('lets nobody grant more than they hold', async () => {
    const run = randomUUID().slice(0, 8);
    const newUser = (role: Role) => ({
      name: role,
      email: `${role}-${run}@example.test`,
      password: 'long enough password',
      role,
    });
    const admin = await caller('owner').call('POST', '/api/v1/users', newUser('admin'));
    expect([admin.status, admin.json.role]).toEqual([201, 'admin']);
    const asAdmin = await f.signIn(`admin-${run}@example.test`, 'long enough password');
    const before = await f.snapshot(tenantId);
    const ownerGrant = await asAdmin.call('POST', '/api/v1/users', newUser('owner'));
    expect([ownerGrant.status, ownerGrant.json.error.field]).toEqual([403, 'body.role']);
    const promote = await asAdmin.call('PATCH', `/api/v1/users/${ids.user1}`, { role: 'owner' });
    expect([promote.status, promote.json.error.field]).toEqual([403, 'body.role']);
    const touchOwner = await asAdmin.call('PATCH', `/api/v1/users/${ids.owner}`, { status: 'disabled' });
    expect(touchOwner.status).toBe(403);
    const selfDemote = await asAdmin.call('PATCH', `/api/v1/users/${admin.json.id}`, { role: 'staff' });
    expect(selfDemote.status).toBe(403);
    expect(await f.snapshot(tenantId)).toEqual(before);
    // What an admin holds, it may hand out.
    const peer = await asAdmin.call('POST', '/api/v1/users', {
      ...newUser('admin'),
      email: `peer-${run}@example.test`,
    });
    expect([peer.status, peer.json.role]).toEqual([201, 'admin']);
  });

  it('holds API keys to their scopes', async () => {
    const scopes: Permission[] = ['org.read', 'staff.read'];
    const key = await f.apiKeyCaller(caller('owner'), scopes);
    expect(names(await key.call('GET', '/api/v1/staff'))).toEqual(expect.arrayContaining(['One', 'Two']));
    const before = await f.snapshot(tenantId);
    for (const { key: name, e } of endpoints) {
      const outside = e.auth === 'session' || (e.permission !== undefined && !scopes.includes(e.permission));
      if (!outside) continue;
      const url = e.path.replace(':id', e.path.startsWith('/api/v1/merges') ? '1' : ids.staff1);
      const res = await key.call(e.method, url, e.body ? {} : undefined);
      expect([name, res.status, res.json.error?.code]).toEqual([name, 403, 'forbidden']);
    }
    expect(await f.snapshot(tenantId)).toEqual(before);
    // A key cannot mint a key with permissions it lacks itself.
    const keyMaker = await f.apiKeyCaller(caller('owner'), ['api_keys.manage']);
    const minted = await keyMaker.call('POST', '/api/v1/api-keys', {
      name: 'x',
      scopes: ['api_keys.manage', 'audit.read'],
    });
    expect([minted.status, minted.json.error.field]).toEqual([403, 'body.scopes']);
  });
});
