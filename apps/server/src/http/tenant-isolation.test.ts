import { api, type Endpoint } from '@pond/contracts';
import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

/**
 * Walks the whole endpoint catalog, so a new endpoint is covered the day it is added: an
 * endpoint taking an id must say here which of tenant A's ids to try and what body to send.
 */
const ID_OF_GROUP: Record<string, keyof typeof ids> = {
  orgUnits: 'unit',
  staff: 'staff',
  users: 'user',
  apiKeys: 'apiKey',
  customers: 'customer',
  merges: 'merge',
  sources: 'source',
};

const VALID_BODY: Record<string, unknown> = {
  'orgUnits.update': { name: 'taken over' },
  'staff.update': { name: 'taken over' },
  'staff.depart': {},
  'users.update': { name: 'taken over' },
  'customers.update': { name: 'taken over' },
  'customers.attachIdentities': { identities: [{ type: 'user_id', value: 'hijack' }] },
  'customers.addNote': { body: 'taken over' },
  'sources.update': { name: 'taken over', rotateKey: true },
};

const ids = { unit: '', staff: '', user: '', apiKey: '', customer: '', merge: '', source: '' };

describe.each(testDialects())('tenant isolation on %s', (dialect) => {
  let f: HttpFixture;
  let b: Caller;
  let snapshotA: () => Promise<unknown>;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const a = await makeTenant(f.services, 'Brand A');
    const store = await f.services.orgUnits.create(a.owner, {
      parentId: a.rootUnitId,
      name: 'A store',
      kind: 'store',
    });
    if (!store.ok) throw new Error('setup');
    const staff = await f.services.staff.create(a.owner, {
      name: 'A staff',
      orgUnitId: store.value.id,
      mobile: '13900000001',
    });
    if (!staff.ok) throw new Error('setup');
    const user = await addUser(f.services, a.tenantId, store.value.id, 'store_manager');
    const key = await f.services.apiKeys.create(a.owner, { name: 'A key', scopes: ['org.read'] });
    if (!key.ok) throw new Error('setup');
    const customer = await f.services.customers.create(a.owner, {
      name: 'A customer',
      phone: '13900000002',
      identities: [],
    });
    const other = await f.services.customers.create(a.owner, { email: 'other@a.test', identities: [] });
    if (!customer.ok || !other.ok) throw new Error('setup');
    const merge = await f.services.customers.manualMerge(
      a.owner,
      customer.value.customer.id,
      other.value.customer.id,
    );
    if (!merge.ok) throw new Error('setup');
    const source = await f.services.sources.create(a.owner, { name: 'A source' });
    if (!source.ok) throw new Error('setup');
    Object.assign(ids, {
      source: source.value.id,
      unit: store.value.id,
      staff: staff.value.id,
      user: user.id,
      apiKey: key.value.apiKey.id,
      customer: customer.value.customer.id,
      merge: String(merge.value.id),
    });
    snapshotA = async () => ({
      units: await f.services.orgUnits.list(a.owner),
      staff: await f.services.staff.get(a.owner, ids.staff),
      keys: await f.services.apiKeys.list(a.owner),
      users: await f.services.users.list(a.owner, { limit: 50, order: 'asc' }),
      customer: await f.services.customers.get(a.owner, ids.customer),
      timeline: await f.services.timeline.list(a.owner, ids.customer, { limit: 50 }),
      merges: await f.services.customers.merges(a.owner, ids.customer),
      sources: await f.services.sources.list(a.owner),
    });
    const tenantB = await makeTenant(f.services, 'Brand B');
    b = await f.signIn(tenantB.ownerEmail);
  });
  afterAll(() => f.close());

  const endpoints = Object.entries(api).flatMap(([group, list]) =>
    Object.entries(list as Record<string, Endpoint>).map(([name, e]) => ({
      key: `${group}.${name}`,
      group,
      e,
    })),
  );

  it.each(endpoints.filter(({ e }) => e.path.includes(':id')))(
    '$key with another tenant’s id answers 404 and changes nothing',
    async ({ key, group, e }) => {
      const kind = ID_OF_GROUP[group];
      expect(kind, `say which id ${key} takes in ID_OF_GROUP`).toBeDefined();
      if (e.body) expect(VALID_BODY[key], `give ${key} a valid body in VALID_BODY`).toBeDefined();
      const before = await snapshotA();
      const url = e.path.replace(':id', ids[kind ?? 'unit']);
      const res = await b.call(e.method, url, e.body ? VALID_BODY[key] : undefined);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
      expect(JSON.stringify(res.json)).not.toContain('A staff');
      expect(await snapshotA()).toEqual(before);
    },
  );

  it.each(endpoints.filter(({ e }) => e.method === 'GET' && !e.path.includes(':')))(
    '$key never lists another tenant’s rows',
    async ({ e }) => {
      const res = await b.call('GET', e.path);
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.json);
      for (const [kind, id] of Object.entries(ids)) if (kind !== 'merge') expect(text).not.toContain(id);
    },
  );

  it('refuses another tenant’s ids inside bodies and filters', async () => {
    const before = await snapshotA();
    const unit = await b.call('POST', '/api/v1/org-units', { parentId: ids.unit, name: 'x', kind: 'store' });
    expect([unit.status, unit.json.error.field]).toEqual([404, 'body.parentId']);
    const staff = await b.call('POST', '/api/v1/staff', { name: 'x', orgUnitId: ids.unit });
    expect([staff.status, staff.json.error.field]).toEqual([404, 'body.orgUnitId']);
    const user = await b.call('POST', '/api/v1/users', {
      name: 'x',
      email: 'x@example.test',
      password: 'long enough password',
      role: 'operator',
      scopeUnitId: ids.unit,
    });
    expect([user.status, user.json.error.field]).toEqual([404, 'body.scopeUnitId']);
    const filtered = await b.call('GET', `/api/v1/staff?orgUnitId=${ids.unit}`);
    expect(filtered.status).toBe(404);
    const merge = await b.call('POST', '/api/v1/customers/merge', {
      survivorId: ids.customer,
      mergedId: ids.customer,
    });
    expect([merge.status, merge.json.error.field]).toEqual([404, 'body.survivorId']);
    const audit = await b.call('GET', `/api/v1/audit-log?targetId=${ids.staff}`);
    expect(audit.json.data).toEqual([]);
    expect(await snapshotA()).toEqual(before);
  });
});
