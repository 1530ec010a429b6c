import { api, type Endpoint } from '@pond/contracts';
import { makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

const endpoints = Object.values(api).flatMap((group) => Object.values(group as Record<string, Endpoint>));
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

describe.each(testDialects())('health, metrics, OpenAPI and request ids on %s', (dialect) => {
  let f: HttpFixture;
  let owner: SessionCaller;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    owner = await f.signIn((await makeTenant(f.services)).ownerEmail);
  });
  afterAll(() => f.close());

  it('serves liveness and readiness', async () => {
    const health = await f.inject({ method: 'GET', url: '/healthz' });
    expect([health.statusCode, health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await f.inject({ method: 'GET', url: '/readyz' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('counts requests by route template and status in Prometheus format', async () => {
    const metric = async (labels: string) => {
      const res = await f.inject({ method: 'GET', url: '/metrics' });
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const line = res.payload.split('\n').find((l) => l.startsWith(`pond_http_requests_total{${labels}}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const ok = 'method="GET",route="/api/v1/staff/:id",status="404"';
    const before = await metric(ok);
    await owner.call('GET', '/api/v1/staff/stf_missing_1');
    await owner.call('GET', '/api/v1/staff/stf_missing_2');
    // Both ids count under the one route template, not as two series.
    expect(await metric(ok)).toBe(before + 2);
    const res = await f.inject({ method: 'GET', url: '/metrics' });
    expect(res.payload).toMatch(
      /pond_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/staff\/:id"/,
    );
    expect(res.payload).toContain('pond_process_cpu_user_seconds_total');
    expect(res.payload).not.toContain('stf_missing_1');
  });

  it('publishes an OpenAPI 3.1 document with every endpoint of the catalog', async () => {
    const doc = (await f.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths as Record<string, Record<string, unknown>>).flatMap((p) =>
      Object.values(p),
    );
    expect(operations.length).toBe(endpoints.length);
    const ids = new Set<string>();
    for (const e of endpoints) {
      const op = doc.paths[openApiPath(e.path)]?.[e.method.toLowerCase()];
      expect(op, `${e.method} ${e.path}`).toBeDefined();
      expect(op.summary).toBe(e.summary);
      expect(op.responses[String(e.status ?? 200)], `${e.method} ${e.path} status`).toBeDefined();
      if (e.auth === 'public') expect(op.security).toEqual([]);
      if (e.permission) expect(op['x-permission']).toBe(e.permission);
      if (e.path.includes(':id')) {
        expect(op.parameters).toContainEqual(
          expect.objectContaining({ name: 'id', in: 'path', required: true }),
        );
      }
      expect(Boolean(op.requestBody), `${e.method} ${e.path} body`).toBe(Boolean(e.body));
      ids.add(op.operationId);
    }
    expect(ids.size).toBe(endpoints.length);
    expect(ids).toContain('users.list');
    const create = doc.paths['/api/v1/staff'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['name', 'orgUnitId']);
    const list = doc.paths['/api/v1/staff'].get.parameters.map((p: { name: string }) => p.name);
    expect(list).toEqual(expect.arrayContaining(['limit', 'cursor', 'orgUnitId', 'q']));
    const docs = await f.inject({ method: 'GET', url: '/api/docs' });
    expect(docs.payload).toContain('swagger-ui');
  });

  it('echoes a caller’s request id, and makes one up when it is missing or unsafe', async () => {
    const given = await f.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(given.headers['x-request-id']).toBe('trace-123');
    const failed = await owner.call('GET', '/api/v1/staff/nope', undefined, { 'x-request-id': 'trace-456' });
    expect([failed.headers['x-request-id'], failed.json.error.requestId]).toEqual(['trace-456', 'trace-456']);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const made = await f.inject({ method: 'GET', url: '/healthz' });
    expect(made.headers['x-request-id']).toMatch(uuid);
    for (const unsafe of ['has spaces', 'x'.repeat(65), 'line\u2028break', '<script>']) {
      const res = await f.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': unsafe } });
      expect(res.headers['x-request-id']).toMatch(uuid);
    }
    const a = await f.inject({ method: 'GET', url: '/healthz' });
    expect(a.headers['x-request-id']).not.toBe(made.headers['x-request-id']);
  });
});

describe.each(testDialects())('when the database is gone on %s', (dialect) => {
  it('answers 503 from /readyz, stays live, and hides the failure from API callers', async () => {
    const f = await httpFixture(dialect);
    try {
      expect((await f.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      await f.services.platform.db.destroy();
      const ready = await f.inject({ method: 'GET', url: '/readyz' });
      expect([ready.statusCode, ready.json().status]).toEqual([503, 'not_ready']);
      expect((await f.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const res = await f.withApiKey('pond_sk_whatever').call('GET', '/api/v1/staff', undefined, {
        'x-request-id': 'boom-1',
      });
      expect([res.status, res.json]).toEqual([
        500,
        { error: { code: 'internal', message: 'something went wrong on our side', requestId: 'boom-1' } },
      ]);
    } finally {
      await f.app.close();
    }
  });
});
