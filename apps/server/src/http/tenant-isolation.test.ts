import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { api, type Endpoint, Permission } from '@pond/contracts';
import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Caller, type HttpFixture, httpFixture } from '../testing/http-fixture.ts';
import { seedWeCom } from '../testing/wecom.ts';
import { seedLiveCodeAndTransfer } from '../testing/wecom-live-codes.ts';

/**
 * Walks the whole endpoint catalog, so a new endpoint is covered the day it is added: an
 * endpoint taking an id must say here which of tenant A's ids to try and what body to send,
 * and a list filter naming an id must say which of A's ids it takes.
 */
const ID_OF_GROUP: Record<string, Kind> = {
  orgUnits: 'unit',
  staff: 'staff',
  users: 'user',
  apiKeys: 'apiKey',
  customers: 'customer',
  merges: 'merge',
  sources: 'source',
  privacy: 'customer',
  imports: 'import',
  attributes: 'attribute',
  customerTags: 'customer',
  customerAudiences: 'customer',
  customerStratification: 'customer',
  tagGroups: 'tagGroup',
  tags: 'tag',
  autoTagRules: 'autoTagRule',
  audiences: 'audience',
  wecomCallbacks: 'wecomCallback',
  lossAlerts: 'lossAlert',
  customerGroups: 'wecomGroup',
  customerWeCom: 'customer',
  liveCodes: 'liveCode',
  transfers: 'transfer',
  wecomTagSync: 'tagGroup',
};

const ID_OF_FILTER: Record<string, Kind> = {
  orgUnitId: 'unit',
  storeId: 'unit',
  ownerStaffId: 'staff',
  customerId: 'customer',
  targetId: 'staff',
  actorId: 'user',
  tagId: 'tag',
  audienceId: 'audience',
  assigneeId: 'staff',
};

const VALID_BODY: Record<string, unknown> = {
  'orgUnits.update': { name: 'taken over' },
  'staff.update': { name: 'taken over' },
  'staff.depart': {},
  'users.update': { name: 'taken over' },
  'customers.update': { name: 'taken over' },
  'customers.attachIdentities': { identities: [{ type: 'user_id', value: 'hijack' }] },
  'customers.addNote': { body: 'taken over' },
  'sources.update': { rotateKey: true },
  'privacy.recordConsent': { purpose: 'marketing', channel: 'sms', status: 'withdrawn' },
  'privacy.erase': { confirm: 'x', reason: 'taken over' },
  'imports.start': { mapping: { phone: 'phone' } },
  'attributes.update': { label: 'taken over' },
  'customerTags.add': { tagIds: ['tag_taken_over'] },
  'customerTags.remove': { tagIds: ['tag_taken_over'] },
  'tagGroups.update': { name: 'taken over' },
  'tags.update': { name: 'taken over', archived: true },
  'wecomTagSync.set': { synced: true },
  'tags.apply': { customerIds: ['cus_taken_over'] },
  'tags.remove': { customerIds: ['cus_taken_over'] },
  'autoTagRules.update': { enabled: false },
  'lossAlerts.update': { status: 'closed', note: 'taken over' },
  'audiences.update': { name: 'taken over', archived: true },
  'liveCodes.update': { name: 'taken over' },
  'transfers.retry': {},
};

type Kind = keyof typeof ids;
const ids = {
  unit: '',
  staff: '',
  user: '',
  apiKey: '',
  customer: '',
  merge: '',
  source: '',
  import: '',
  attribute: '',
  tagGroup: '',
  tag: '',
  autoTagRule: '',
  audience: '',
  wecomCallback: '',
  lossAlert: '',
  wecomGroup: '',
  liveCode: '',
  transfer: '',
};
/** Every name tenant A's rows carry contains this, so a leak of any of them shows. */
const MARK = `tenant-a-${randomUUID().slice(0, 8)}`;

const endpoints = Object.entries(api).flatMap(([group, list]) =>
  Object.entries(list as Record<string, Endpoint>).map(([name, e]) => ({
    key: `${group}.${name}`,
    group,
    e,
  })),
);

describe.each(testDialects())('tenant isolation on %s', (dialect) => {
  let f: HttpFixture;
  let tenantA: string;
  let writeKeyA: string;
  const callers: Record<string, Caller> = {};

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const a = await makeTenant(f.services, `${MARK} brand`);
    tenantA = a.tenantId;
    const must = <T>(r: { ok: true; value: T } | { ok: false }): T => {
      if (!r.ok) throw new Error('setup failed');
      return r.value;
    };
    const store = must(
      await f.services.orgUnits.create(a.owner, {
        parentId: a.rootUnitId,
        name: `${MARK} store`,
        kind: 'store',
      }),
    );
    const staff = must(
      await f.services.staff.create(a.owner, {
        name: `${MARK} staff`,
        orgUnitId: store.id,
        mobile: '13900000001',
      }),
    );
    const user = await addUser(f.services, a.tenantId, store.id, 'store_manager');
    const key = must(await f.services.apiKeys.create(a.owner, { name: `${MARK} key`, scopes: ['org.read'] }));
    const customer = must(
      await f.services.customers.create(a.owner, {
        name: `${MARK} customer`,
        phone: '13900000002',
        identities: [],
      }),
    );
    const other = must(
      await f.services.customers.create(a.owner, { email: `${MARK}@a.test`, identities: [] }),
    );
    const merge = must(
      await f.services.customers.manualMerge(a.owner, customer.customer.id, other.customer.id),
    );
    const source = must(await f.services.sources.create(a.owner, { name: `${MARK} source` }));
    const upload = must(
      await f.services.imports.upload(
        a.owner,
        { fileName: `${MARK}.csv` },
        Readable.from(['phone\n13800000000\n']),
      ),
    );
    const attribute = must(
      await f.services.attributes.create(a.owner, {
        key: `a_${MARK.slice(-8)}`,
        label: `${MARK} attribute`,
        type: 'string',
      }),
    );
    const tagGroup = must(await f.services.tags.createGroup(a.owner, { name: `${MARK} group` }));
    const tag = must(
      await f.services.tags.create(a.owner, { groupId: tagGroup.id, name: `${MARK} tag`, color: 'red' }),
    );
    must(await f.services.tags.tagCustomer(a.owner, customer.customer.id, [tag.id]));
    const autoTag = must(
      await f.services.tags.create(a.owner, { groupId: tagGroup.id, name: `${MARK} auto`, color: 'blue' }),
    );
    const autoTagRule = must(
      await f.services.autoTags.create(a.owner, {
        name: `${MARK} rule`,
        rule: { kind: 'tags', match: 'any', tagIds: [tag.id] },
        tagId: autoTag.id,
        removeWhenUnmatched: true,
      }),
    );
    const audience = must(
      await f.services.savedAudiences.create(a.owner, {
        name: `${MARK} audience`,
        rule: { kind: 'tags', match: 'any', tagIds: [tag.id] },
        kind: 'dynamic',
      }),
    );
    expect(audience.size).toBe(1);
    writeKeyA = source.writeKey;
    const ingested = must(
      await f.services.ingest.ingest(
        { id: source.id, tenantId: a.tenantId },
        [
          { userId: `${MARK}-user`, event: `${MARK} Event`, properties: { [MARK]: 1 } },
          { userId: `${MARK}-user` }, // rejected: no event name, kept for the debugger
        ],
        'track',
      ),
    );
    expect([ingested.accepted, ingested.rejected.length]).toEqual([1, 1]);
    Object.assign(ids, {
      unit: store.id,
      staff: staff.id,
      user: user.id,
      apiKey: key.apiKey.id,
      customer: customer.customer.id,
      merge: String(merge.id),
      source: source.id,
      import: upload.id,
      attribute: attribute.key,
      tagGroup: tagGroup.id,
      tag: tag.id,
      autoTagRule: autoTagRule.id,
      audience: audience.id,
    });
    const wecom = await seedWeCom(f.services, a.owner, MARK, store.id);
    Object.assign(ids, {
      wecomCallback: wecom.failedCallbackId,
      lossAlert: wecom.lossAlertId,
      wecomGroup: wecom.groupId,
    });
    const seeded = await seedLiveCodeAndTransfer(f.services, a.tenantId, MARK, staff.id);
    Object.assign(ids, { liveCode: seeded.liveCodeId, transfer: seeded.transferId });

    const b = await makeTenant(f.services, 'Brand B');
    callers.session = await f.signIn(b.ownerEmail);
    callers.apiKey = await f.apiKeyCaller(callers.session, Permission.options);
  });
  afterAll(() => f.close());

  /** Nothing of tenant A's, by name, tenant id or write key. */
  function expectNoTraceOfA(body: unknown) {
    const text = JSON.stringify(body);
    expect(text).not.toContain(MARK);
    expect(text).not.toContain(tenantA);
    expect(text).not.toContain(writeKeyA);
  }

  describe.each(['session', 'apiKey'])('as tenant B with a %s', (how) => {
    it.each(endpoints.filter(({ e }) => /:(id|key)\b/.test(e.path)))(
      '$key with another tenant’s id answers 404 and changes nothing',
      async ({ key, group, e }) => {
        const caller = callers[how] as Caller;
        const kind = ID_OF_GROUP[group];
        expect(kind, `say which id ${key} takes in ID_OF_GROUP`).toBeDefined();
        if (e.body) expect(VALID_BODY[key], `give ${key} a valid body in VALID_BODY`).toBeDefined();
        const before = await f.snapshot(tenantA);
        const path = e.path.replace(/:(id|key)\b/, ids[kind ?? 'unit']);
        const res = await caller.call(e.method, path, VALID_BODY[key]);
        expect([res.status, res.json.error?.code]).toEqual([404, 'not_found']);
        expectNoTraceOfA(res.json);
        expect(await f.snapshot(tenantA)).toEqual(before);
      },
    );

    it.each(endpoints.filter(({ e }) => e.method === 'GET' && !e.path.includes(':')))(
      '$key never lists another tenant’s rows',
      async ({ e }) => {
        const res = await (callers[how] as Caller).call('GET', e.path);
        if (e.auth === 'session' && how === 'apiKey') {
          expect(res.status).toBe(403);
          return;
        }
        expect(res.status).toBe(200);
        expectNoTraceOfA(res.json);
        const text = JSON.stringify(res.json);
        for (const [kind, id] of Object.entries(ids))
          if (kind !== 'merge' && kind !== 'wecomCallback') expect(text).not.toContain(id);
      },
    );

    const filters = endpoints.flatMap(({ key, e }) =>
      e.method === 'GET' && e.query instanceof z.ZodObject
        ? Object.keys(e.query.shape)
            .filter((name) => name.endsWith('Id'))
            .map((name) => ({ key, name, e }))
        : [],
    );
    it.each(filters)('$key?$name= another tenant’s id finds nothing of theirs', async ({ key, name, e }) => {
      const kind = ID_OF_FILTER[name];
      expect(kind, `say which id the ${name} filter of ${key} takes in ID_OF_FILTER`).toBeDefined();
      const url = `${e.path.replace(':id', ids.customer)}?${name}=${ids[kind ?? 'unit']}`;
      const res = await (callers[how] as Caller).call('GET', url);
      expect([200, 404]).toContain(res.status);
      // A file export answers its header row alone; a JSON list answers an empty page.
      if (res.status === 200 && typeof res.json === 'string')
        expect(res.json.trim().split('\r\n').length).toBe(1);
      else if (res.status === 200) expect(res.json.data).toEqual([]);
      expectNoTraceOfA(res.json);
    });
  });

  it('refuses another tenant’s ids inside bodies, and writes nothing', async () => {
    const b = callers.session as Caller;
    const before = await f.snapshot(tenantA);
    const me = await b.call('GET', '/api/v1/auth/me');
    const bUnit = (
      await b.call('POST', '/api/v1/org-units', {
        parentId: me.json.user.scopeUnitId,
        name: 'B store',
        kind: 'store',
      })
    ).json.id as string;
    const bUser = (
      await b.call('POST', '/api/v1/users', {
        name: 'B user',
        email: `b-${randomUUID()}@example.test`,
        password: 'long enough password',
        role: 'operator',
      })
    ).json.id as string;
    const bStaff = (await b.call('POST', '/api/v1/staff', { name: 'B staff', orgUnitId: bUnit })).json
      .id as string;
    const bCustomer = (await b.call('POST', '/api/v1/customers', { name: 'B customer' })).json.customer
      .id as string;
    expect([bUnit, bUser, bStaff, bCustomer].every(Boolean)).toBe(true);

    const attempts: [string, string, unknown, string][] = [
      ['POST', '/api/v1/org-units', { parentId: ids.unit, name: 'x', kind: 'store' }, 'body.parentId'],
      ['POST', '/api/v1/staff', { name: 'x', orgUnitId: ids.unit }, 'body.orgUnitId'],
      [
        'POST',
        '/api/v1/users',
        {
          name: 'x',
          email: 'x@example.test',
          password: 'long enough password',
          role: 'operator',
          scopeUnitId: ids.unit,
        },
        'body.scopeUnitId',
      ],
      ['PATCH', `/api/v1/users/${bUser}`, { scopeUnitId: ids.unit }, 'body.scopeUnitId'],
      ['PATCH', `/api/v1/users/${bUser}`, { staffId: ids.staff }, 'body.staffId'],
      ['PATCH', `/api/v1/staff/${bStaff}`, { orgUnitId: ids.unit }, 'body.orgUnitId'],
      ['PATCH', `/api/v1/org-units/${bUnit}`, { parentId: ids.unit }, 'body.parentId'],
      ['POST', '/api/v1/customers', { name: 'x', ownerStaffId: ids.staff }, 'body.ownerStaffId'],
      ['PATCH', `/api/v1/customers/${bCustomer}`, { storeId: ids.unit }, 'body.storeId'],
      [
        'POST',
        '/api/v1/customers/merge',
        { survivorId: ids.customer, mergedId: bCustomer },
        'body.survivorId',
      ],
      ['POST', '/api/v1/customers/merge', { survivorId: bCustomer, mergedId: ids.customer }, 'body.mergedId'],
      ['POST', `/api/v1/customers/${bCustomer}/tags`, { tagIds: [ids.tag] }, 'body.tagIds.0'],
      ['POST', '/api/v1/tags', { groupId: ids.tagGroup, name: 'x' }, 'body.groupId'],
      [
        'POST',
        '/api/v1/auto-tag-rules',
        { name: 'x', rule: { kind: 'attribute', field: 'city', op: 'exists' }, tagId: ids.tag },
        'body.tagId',
      ],
      [
        'POST',
        '/api/v1/audiences/overlap',
        { audienceIds: [ids.audience, ids.audience] },
        'body.audienceIds.0',
      ],
      [
        'POST',
        '/api/v1/audiences/explain',
        { rule: { kind: 'attribute', field: 'city', op: 'exists' }, customerId: ids.customer },
        'body.customerId',
      ],
      [
        'POST',
        '/api/v1/audiences/preview',
        { rule: { kind: 'tags', match: 'any', tagIds: [ids.tag] } },
        'body.rule.tagIds.0',
      ],
      [
        'POST',
        '/api/v1/audiences/preview',
        { rule: { kind: 'owner_staff', staffIds: [ids.staff] } },
        'body.rule.staffIds.0',
      ],
      [
        'POST',
        '/api/v1/audiences/preview',
        { rule: { kind: 'all', rules: [{ kind: 'store', storeIds: [ids.unit] }] } },
        'body.rule.rules.0.storeIds.0',
      ],
      [
        'POST',
        '/api/v1/audiences',
        { name: 'x', rule: { kind: 'org_unit', unitIds: [ids.unit] } },
        'body.rule.unitIds.0',
      ],
      [
        'POST',
        '/api/v1/audiences',
        { name: 'x', rule: { kind: 'audience', audienceId: ids.audience, match: 'in' } },
        'body.rule.audienceId',
      ],
    ];
    for (const [method, url, body, field] of attempts) {
      const res = await b.call(method as 'POST', url, body);
      expect([method, url, res.status, res.json.error?.field]).toEqual([method, url, 404, field]);
      expectNoTraceOfA(res.json);
    }
    // B's tag put on A's customer: the customer is not among B's, and nothing changes.
    const bGroup = (await b.call('POST', '/api/v1/tag-groups', { name: 'B group' })).json.id as string;
    const bTag = (await b.call('POST', '/api/v1/tags', { groupId: bGroup, name: 'B tag' })).json.id as string;
    const bulk = await b.call('POST', `/api/v1/tags/${bTag}/apply`, {
      customerIds: [ids.customer, bCustomer],
    });
    expect(bulk.json).toEqual({ changed: 1, unchanged: 0, notFound: [ids.customer] });
    const byAudience = await b.call('POST', `/api/v1/tags/${bTag}/apply`, { audienceId: ids.audience });
    expect([byAudience.status, byAudience.json.error?.field]).toEqual([404, 'body.audienceId']);
    // A's identifiers attach to B's own customer as B's: they never reach A's profile.
    const attach = await b.call('POST', `/api/v1/customers/${bCustomer}/identities`, {
      identities: [{ type: 'phone', value: '13900000002' }],
    });
    expect(attach.status).toBe(200);
    expect(attach.json.customer.id).toBe(bCustomer);
    expect(attach.json.merged).toEqual([]);
    expect(await f.snapshot(tenantA)).toEqual(before);
  });

  it('keeps A’s write key from reading anything through the API', async () => {
    const res = await f.withApiKey(writeKeyA).call('GET', '/api/v1/customers');
    expect([res.status, res.json.error.code]).toEqual([401, 'unauthenticated']);
  });
});
