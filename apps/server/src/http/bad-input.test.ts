import { api, type Endpoint } from '@pond/contracts';
import { encodeCursor } from '@pond/storage';
import { makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testConfig } from '../config.ts';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

const endpoints = Object.entries(api).flatMap(([group, list]) =>
  Object.entries(list as Record<string, Endpoint>).map(([name, e]) => ({ key: `${group}.${name}`, e })),
);
/** A path with a syntactically valid id (the handler never runs on bad input anyway). */
const pathOf = (e: Endpoint) => e.path.replace(':id', e.path.startsWith('/api/v1/merges') ? '1' : 'x');
const withBody = endpoints.filter(({ e }) => e.body);
const withCursor = endpoints.filter(({ e }) => e.query instanceof z.ZodObject && 'cursor' in e.query.shape);

describe.each(testDialects())('bad input on %s', (dialect) => {
  let f: HttpFixture;
  let owner: SessionCaller;
  let rootUnitId: string;
  let tenantId: string;
  let customerId: string;

  beforeAll(async () => {
    f = await httpFixture(dialect, { config: testConfig({ bodyLimit: 2048 }) });
    const t = await makeTenant(f.services);
    rootUnitId = t.rootUnitId;
    tenantId = t.tenantId;
    owner = await f.signIn(t.ownerEmail);
    const c = await f.services.customers.create(t.owner, { name: 'C', identities: [] });
    if (!c.ok) throw new Error('setup');
    customerId = c.value.customer.id;
  });
  afterAll(() => f.close());

  /** Runs `send` and checks it wrote nothing at all for the tenant (rows, audit, outbox). */
  async function writesNothing<T>(send: () => Promise<T>): Promise<T> {
    const before = await f.counts(tenantId);
    const out = await send();
    expect(await f.counts(tenantId)).toEqual(before);
    return out;
  }

  it.each([
    ['malformed JSON', '{"name": "x",', 400, 'malformed_json', undefined],
    ['a wrong type', { name: 42, orgUnitId: 'x' }, 400, 'invalid_request', 'body.name'],
    ['a missing field', { orgUnitId: 'x' }, 400, 'invalid_request', 'body.name'],
    ['an unknown field', { name: 'x', orgUnitId: 'x', salary: 1 }, 400, 'unknown_field', 'body.salary'],
    ['an empty name', { name: '  ', orgUnitId: 'x' }, 400, 'invalid_request', 'body.name'],
    ['a bad email', { name: 'x', orgUnitId: 'x', email: 'nope' }, 400, 'invalid_request', 'body.email'],
    ['a JSON array', [{ name: 'x' }], 400, 'invalid_request', 'body'],
    ['an empty JSON body', '', 400, 'malformed_json', undefined],
    ['an oversize body', { name: 'x'.repeat(4000), orgUnitId: 'x' }, 413, 'payload_too_large', undefined],
  ] as const)('%s is refused with its code, and nothing is written', async (_, body, status, code, field) => {
    const res = await writesNothing(() => owner.call('POST', '/api/v1/staff', body));
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.field).toBe(field);
    expect(res.json.error.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers a missing body with the body as the field at fault', async () => {
    const res = await writesNothing(() =>
      f.inject({
        method: 'POST',
        url: '/api/v1/staff',
        headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken },
      }),
    );
    expect([res.statusCode, res.json().error.code, res.json().error.field]).toEqual([
      400,
      'invalid_request',
      'body',
    ]);
  });

  it.each(withBody)('$key refuses malformed JSON and non-JSON bodies, writing nothing', async ({ e }) => {
    const send = (contentType: string, payload: string) =>
      writesNothing(() =>
        f.inject({
          method: e.method,
          url: pathOf(e),
          headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken, 'content-type': contentType },
          payload,
        }),
      );
    const malformed = await send('application/json', '{"name":');
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'malformed_json']);
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await send(type, 'name=x');
      expect([type, res.statusCode, res.json().error.code]).toEqual([type, 415, 'unsupported_media_type']);
    }
  });

  it('rejects an invalid mobile number with its field after validation passed', async () => {
    const staff = await writesNothing(() =>
      owner.call('POST', '/api/v1/staff', { name: 'x', orgUnitId: rootUnitId, mobile: '12345678' }),
    );
    expect([staff.status, staff.json.error.code, staff.json.error.field]).toEqual([
      400,
      'invalid_request',
      'body.mobile',
    ]);
    const user = await writesNothing(() =>
      owner.call('POST', '/api/v1/users', {
        name: 'x',
        mobile: '+86 123 4567 8901',
        password: 'long enough password',
        role: 'staff',
      }),
    );
    expect([user.status, user.json.error.field]).toEqual([400, 'body.mobile']);
    const letters = await writesNothing(() =>
      owner.call('POST', '/api/v1/staff', { name: 'x', orgUnitId: rootUnitId, mobile: 'call me' }),
    );
    expect([letters.status, letters.json.error.field]).toEqual([400, 'body.mobile']);
  });

  it.each(withCursor)('$key refuses cursors it did not issue', async ({ e }) => {
    const url = e.path.replace(':id', customerId);
    const forged = [
      'not-a-cursor',
      encodeCursor('x', 'y'),
      encodeCursor(null, null as unknown as string),
      encodeCursor(1.5, 1.5),
      encodeCursor(1e300, 'x'),
      Buffer.from('{"a":1}').toString('base64url'),
    ];
    for (const cursor of forged) {
      const res = await owner.call('GET', `${url}?cursor=${cursor}`);
      expect([cursor, res.status, res.json.error?.field]).toEqual([cursor, 400, 'query.cursor']);
    }
  });

  it('rejects bad query values and path parameters', async () => {
    const limit = await owner.call('GET', '/api/v1/staff?limit=100000');
    expect([limit.status, limit.json.error.field]).toEqual([400, 'query.limit']);
    const notNumber = await owner.call('GET', '/api/v1/audit-log?limit=many');
    expect([notNumber.status, notNumber.json.error.field]).toEqual([400, 'query.limit']);
    const order = await owner.call('GET', '/api/v1/users?order=sideways');
    expect([order.status, order.json.error.field]).toEqual([400, 'query.order']);
    const unknown = await owner.call('GET', '/api/v1/staff?colour=red');
    expect([unknown.status, unknown.json.error.code, unknown.json.error.field]).toEqual([
      400,
      'unknown_field',
      'query.colour',
    ]);
    const mergeId = await writesNothing(() => owner.call('POST', '/api/v1/merges/abc/unmerge'));
    expect([mergeId.status, mergeId.json.error.field]).toEqual([400, 'params.id']);
    const longId = await owner.call('GET', `/api/v1/staff/${'x'.repeat(65)}`);
    expect([longId.status, longId.json.error.field]).toEqual([400, 'params.id']);
  });

  it('answers unknown routes and unauthenticated calls with the error shape', async () => {
    const missing = await owner.call('GET', '/api/v1/nothing-here');
    expect([missing.status, missing.json.error.code]).toEqual([404, 'not_found']);
    const anonymous = await f.anonymous.call('GET', '/api/v1/staff');
    expect([anonymous.status, anonymous.json.error.code]).toEqual([401, 'unauthenticated']);
    const badKey = await f.withApiKey('pond_sk_forged').call('GET', '/api/v1/staff');
    expect([badKey.status, badKey.json.error.code]).toEqual([401, 'unauthenticated']);
    const basic = await f.anonymous.call('GET', '/api/v1/staff', undefined, { authorization: 'Basic eDp5' });
    expect([basic.status, basic.json.error.code]).toEqual([401, 'unauthenticated']);
  });

  it('keeps a failed change from writing half of it', async () => {
    const store = await owner.call('POST', '/api/v1/org-units', {
      parentId: rootUnitId,
      name: 'S',
      kind: 'store',
      code: 'S1',
    });
    expect(store.status).toBe(201);
    // The parent moves before the code clash is found: the move must not persist either.
    const region = await owner.call('POST', '/api/v1/org-units', {
      parentId: rootUnitId,
      name: 'R',
      kind: 'region',
    });
    const clash = await writesNothing(() =>
      owner.call('PATCH', `/api/v1/org-units/${region.json.id}`, { parentId: store.json.id, code: 'S1' }),
    );
    expect([clash.status, clash.json.error.code, clash.json.error.field]).toEqual([
      409,
      'conflict',
      'body.code',
    ]);
    const after = await owner.call('GET', `/api/v1/org-units/${region.json.id}`);
    expect([after.json.parentId, after.json.depth]).toEqual([rootUnitId, 1]);
  });
});
