import { api, type Endpoint } from '@pond/contracts';
import { makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

describe.each(testDialects())('audit log and platform endpoints on %s', (dialect) => {
  let f: HttpFixture;
  let owner: Caller;
  let rootUnitId: string;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const t = await makeTenant(f.services);
    rootUnitId = t.rootUnitId;
    owner = await f.signIn(t.ownerEmail);
  });
  afterAll(() => f.close());

  it('records who changed what, with the diff and the request id', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/org-units',
      headers: { 'x-request-id': 'req-audit-1' },
      payload: { parentId: rootUnitId, name: 'ignored', kind: 'store' },
    });
    expect(res.statusCode).toBe(401); // no credentials: nothing recorded
    const store = await owner.call('POST', '/api/v1/org-units', {
      parentId: rootUnitId,
      name: 'East',
      kind: 'region',
    });
    const staff = await owner.call('POST', '/api/v1/staff', {
      name: 'Li',
      orgUnitId: store.json.id,
      mobile: '13700000000',
    });
    await owner.call('PATCH', `/api/v1/staff/${staff.json.id}`, { title: 'Guide' });
    await owner.call('POST', `/api/v1/staff/${staff.json.id}/depart`, {});

    const log = await owner.call('GET', `/api/v1/audit-log?targetId=${staff.json.id}`);
    expect(log.json.data.map((e: { action: string }) => e.action)).toEqual([
      'staff.departed',
      'staff.updated',
      'staff.created',
    ]);
    const [departed, updated, created] = log.json.data;
    expect(departed.diff.status).toEqual(['active', 'departed']);
    expect(updated.diff).toEqual({ title: [null, 'Guide'] });
    expect(created.diff.mobile[1]).toBe('+86****00'); // personal data masked in the log
    expect(created.actor).toMatchObject({ type: 'user' });
    expect(created.requestId).toEqual(expect.any(String));
  });

  it('keeps the caller’s request id, pages by cursor and filters by action', async () => {
    const cookieCaller = owner;
    for (let i = 0; i < 5; i++)
      await cookieCaller.call('POST', '/api/v1/org-units', {
        parentId: rootUnitId,
        name: `R${i}`,
        kind: 'region',
      });
    const seen: number[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await owner.call(
        'GET',
        `/api/v1/audit-log?action=org_unit.created&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.json.data.map((e: { id: number }) => e.id));
      if (!res.json.nextCursor) break;
      cursor = res.json.nextCursor;
    }
    expect(seen.length).toBe(6);
    expect(new Set(seen).size).toBe(6);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));

    const res = await f.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(res.headers['x-request-id']).toBe('trace-123');
  });

  it('serves health, readiness and metrics', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await f.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    await owner.call('GET', '/api/v1/staff');
    const metrics = await f.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.payload).toMatch(
      /pond_http_requests_total\{method="GET",route="\/api\/v1\/staff",status="200"\} \d+/,
    );
    expect(metrics.payload).toContain('pond_http_request_duration_seconds_bucket');
  });

  it('publishes an OpenAPI 3.1 document with every endpoint of the catalog', async () => {
    const doc = (await f.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const group of Object.values(api)) {
      for (const e of Object.values(group as Record<string, Endpoint>)) {
        const path = e.path.replace(/:([A-Za-z]+)/g, '{$1}');
        expect(doc.paths[path]?.[e.method.toLowerCase()], `${e.method} ${e.path}`).toBeDefined();
      }
    }
    const create = doc.paths['/api/v1/staff'].post;
    expect(create.requestBody.content['application/json'].schema.required).toContain('name');
    const docs = await f.app.inject({ method: 'GET', url: '/api/docs' });
    expect(docs.payload).toContain('swagger-ui');
  });
});
