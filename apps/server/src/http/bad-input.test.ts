import { makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../config.ts';
import { type Caller, type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

describe.each(testDialects())('bad input on %s', (dialect) => {
  let f: HttpFixture;
  let owner: Caller;
  let rootUnitId: string;
  let tenantId: string;

  beforeAll(async () => {
    f = await httpFixture(dialect, { config: testConfig({ bodyLimit: 2048 }) });
    const t = await makeTenant(f.services);
    rootUnitId = t.rootUnitId;
    tenantId = t.tenantId;
    owner = await f.signIn(t.ownerEmail);
  });
  afterAll(() => f.close());

  /** Rows this tenant has that a rejected request could have touched. */
  async function counts() {
    const db = f.services.platform.db;
    const count = async (table: 'staff' | 'org_units' | 'audit_log' | 'outbox') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('tenant_id', '=', tenantId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      staff: await count('staff'),
      units: await count('org_units'),
      audit: await count('audit_log'),
      outbox: await count('outbox'),
    };
  }

  it.each([
    ['malformed JSON', '{"name": "x",', 400, 'malformed_json', undefined],
    ['a wrong type', { name: 42, orgUnitId: 'x' }, 400, 'invalid_request', 'body.name'],
    ['a missing field', { orgUnitId: 'x' }, 400, 'invalid_request', 'body.name'],
    ['an unknown field', { name: 'x', orgUnitId: 'x', salary: 1 }, 400, 'unknown_field', 'body.salary'],
    ['an empty name', { name: '  ', orgUnitId: 'x' }, 400, 'invalid_request', 'body.name'],
    ['a bad email', { name: 'x', orgUnitId: 'x', email: 'nope' }, 400, 'invalid_request', 'body.email'],
    ['an oversize body', { name: 'x'.repeat(4000), orgUnitId: 'x' }, 413, 'payload_too_large', undefined],
  ] as const)('%s is refused with its code, and nothing is written', async (_, body, status, code, field) => {
    const before = await counts();
    const res = await owner.call('POST', '/api/v1/staff', body);
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.field).toBe(field);
    expect(res.json.error.requestId).toEqual(expect.any(String));
    expect(await counts()).toEqual(before);
  });

  it('rejects an invalid mobile number with its field after validation passed', async () => {
    const before = await counts();
    const res = await owner.call('POST', '/api/v1/staff', {
      name: 'x',
      orgUnitId: rootUnitId,
      mobile: '12345678',
    });
    expect([res.status, res.json.error.code, res.json.error.field]).toEqual([
      400,
      'invalid_request',
      'body.mobile',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('rejects a body that is not JSON', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'content-type': 'text/plain' },
      payload: 'identifier=a&password=b',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media_type');
  });

  it('rejects bad query values and cursors', async () => {
    const limit = await owner.call('GET', '/api/v1/staff?limit=100000');
    expect([limit.status, limit.json.error.field]).toEqual([400, 'query.limit']);
    const cursor = await owner.call('GET', '/api/v1/staff?cursor=not-a-cursor');
    expect([cursor.status, cursor.json.error.field]).toEqual([400, 'query.cursor']);
    const unknown = await owner.call('GET', '/api/v1/staff?colour=red');
    expect([unknown.status, unknown.json.error.code]).toEqual([400, 'unknown_field']);
  });

  it('answers unknown routes and unauthenticated calls with the error shape', async () => {
    const missing = await owner.call('GET', '/api/v1/nothing-here');
    expect([missing.status, missing.json.error.code]).toEqual([404, 'not_found']);
    const anonymous = await f.anonymous.call('GET', '/api/v1/staff');
    expect([anonymous.status, anonymous.json.error.code]).toEqual([401, 'unauthenticated']);
    const badKey = await f.withApiKey('pond_sk_forged').call('GET', '/api/v1/staff');
    expect([badKey.status, badKey.json.error.code]).toEqual([401, 'unauthenticated']);
  });

  it('keeps a failed change from writing half of it', async () => {
    const store = await owner.call('POST', '/api/v1/org-units', {
      parentId: rootUnitId,
      name: 'S',
      kind: 'store',
      code: 'S1',
    });
    expect(store.status).toBe(201);
    const before = await counts();
    // The code conflict is found after the name changed in memory: nothing may persist.
    const clash = await owner.call('POST', '/api/v1/org-units', {
      parentId: rootUnitId,
      name: 'T',
      kind: 'store',
      code: 'S1',
    });
    expect([clash.status, clash.json.error.code, clash.json.error.field]).toEqual([
      409,
      'conflict',
      'body.code',
    ]);
    expect(await counts()).toEqual(before);
  });
});
