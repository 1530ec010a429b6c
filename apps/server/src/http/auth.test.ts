import { addUser, makeTenant, TEST_PASSWORD, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

describe.each(testDialects())('first-run setup on %s', (dialect) => {
  let f: HttpFixture;
  beforeAll(async () => {
    f = await httpFixture(dialect, { isolated: true, setupToken: 'one-time-token' });
  });
  afterAll(() => f.close());

  const body = {
    brandName: '湖畔咖啡',
    ownerName: '林店长',
    email: `owner-${Math.random().toString(36).slice(2)}@example.test`,
    password: 'a long password',
  };

  it('creates the brand and its owner with the printed token, once', async () => {
    expect((await f.anonymous.call('GET', '/api/v1/setup')).json).toEqual({ needed: true });
    const wrong = await f.anonymous.call('POST', '/api/v1/setup', { ...body, token: 'guess' });
    expect([wrong.status, wrong.json.error.code, wrong.json.error.field]).toEqual([
      409,
      'setup_unavailable',
      'body.token',
    ]);

    const res = await f.app.inject({
      remoteAddress: f.remoteAddress,
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, token: 'one-time-token' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ role: 'owner', name: '林店长' });
    expect(res.json().tenant.name).toBe('湖畔咖啡');
    const cookie = res.cookies.find((c) => c.name === 'pond_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

    expect((await f.anonymous.call('GET', '/api/v1/setup')).json).toEqual({ needed: false });
    const again = await f.anonymous.call('POST', '/api/v1/setup', { ...body, token: 'one-time-token' });
    expect([again.status, again.json.error.code]).toEqual([409, 'setup_unavailable']);
    const owner = await f.signIn(body.email, body.password);
    expect((await owner.call('GET', '/api/v1/org-units')).json.data[0]).toMatchObject({
      kind: 'hq',
      name: '湖畔咖啡',
    });
  });
});

describe.each(testDialects())('sign-in, sessions and API keys on %s', (dialect) => {
  let f: HttpFixture;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  beforeAll(async () => {
    f = await httpFixture(dialect);
    tenant = await makeTenant(f.services);
  });
  afterAll(() => f.close());

  it('signs in by email or mobile and refuses a wrong password', async () => {
    const mobile = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const created = await f.services.users.create(tenant.owner, {
      name: 'Mobile user',
      mobile,
      password: TEST_PASSWORD,
      role: 'operator',
      locale: 'zh-CN',
    });
    expect(created.ok).toBe(true);
    await f.signIn(mobile);
    await f.signIn(`+86 ${mobile}`);
    await f.signIn(tenant.ownerEmail.toUpperCase());
    const wrong = await f.anonymous.call('POST', '/api/v1/auth/sign-in', {
      identifier: mobile,
      password: 'wrong one',
    });
    expect([wrong.status, wrong.json.error.code]).toEqual([401, 'invalid_credentials']);
    const nobody = await f.anonymous.call('POST', '/api/v1/auth/sign-in', {
      identifier: `no-${mobile}@body.test`,
      password: 'x',
    });
    expect(nobody.json.error.message).toBe(wrong.json.error.message);
  });

  it('locks an identifier after five failures, and opens it again later', async () => {
    const user = await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'analyst');
    for (let i = 0; i < 5; i++) {
      const res = await f.anonymous.call('POST', '/api/v1/auth/sign-in', {
        identifier: user.email,
        password: 'bad',
      });
      expect(res.status).toBe(401);
    }
    const locked = await f.app.inject({
      remoteAddress: f.remoteAddress,
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { identifier: user.email, password: TEST_PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('rate_limited');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    f.clock.advance(16 * 60_000);
    await f.signIn(user.email);
  });

  it('requires the CSRF token on session writes', async () => {
    const res = await f.app.inject({
      remoteAddress: f.remoteAddress,
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { identifier: tenant.ownerEmail, password: TEST_PASSWORD },
    });
    const cookie = `pond_session=${res.cookies.find((c) => c.name === 'pond_session')?.value}`;
    const body = { name: 'x', orgUnitId: tenant.rootUnitId };
    const without = await f.app.inject({
      remoteAddress: f.remoteAddress,
      method: 'POST',
      url: '/api/v1/staff',
      headers: { cookie },
      payload: body,
    });
    expect([without.statusCode, without.json().error.code]).toEqual([403, 'csrf_failed']);
    const wrong = await f.app.inject({
      remoteAddress: f.remoteAddress,
      method: 'POST',
      url: '/api/v1/staff',
      headers: { cookie, 'x-csrf-token': 'forged' },
      payload: body,
    });
    expect(wrong.statusCode).toBe(403);
    const reads = await f.app.inject({
      remoteAddress: f.remoteAddress,
      method: 'GET',
      url: '/api/v1/staff',
      headers: { cookie },
    });
    expect(reads.statusCode).toBe(200);
    const right = await f.app.inject({
      remoteAddress: f.remoteAddress,
      method: 'POST',
      url: '/api/v1/staff',
      headers: { cookie, 'x-csrf-token': res.json().csrfToken },
      payload: body,
    });
    expect(right.statusCode).toBe(201);
  });

  it('ends sessions on sign-out, password change and disabling', async () => {
    const user = await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'operator');
    const first = await f.signIn(user.email);
    const second = await f.signIn(user.email);
    const changed = await first.call('POST', '/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a brand new password',
    });
    expect(changed.status).toBe(200);
    expect((await first.call('GET', '/api/v1/auth/me')).status).toBe(200);
    expect((await second.call('GET', '/api/v1/auth/me')).status).toBe(401);
    const wrongCurrent = await first.call('POST', '/api/v1/auth/password', {
      currentPassword: 'not it',
      newPassword: 'another new password',
    });
    expect([wrongCurrent.status, wrongCurrent.json.error.field]).toEqual([401, 'body.currentPassword']);

    expect((await first.call('POST', '/api/v1/auth/sign-out')).status).toBe(200);
    expect((await first.call('GET', '/api/v1/auth/me')).status).toBe(401);

    const third = await f.signIn(user.email, 'a brand new password');
    const owner = await f.signIn(tenant.ownerEmail);
    expect((await owner.call('PATCH', `/api/v1/users/${user.id}`, { status: 'disabled' })).status).toBe(200);
    expect((await third.call('GET', '/api/v1/auth/me')).status).toBe(401);
    const refused = await f.anonymous.call('POST', '/api/v1/auth/sign-in', {
      identifier: user.email,
      password: 'a brand new password',
    });
    expect(refused.status).toBe(401);
  });

  it('issues API keys that are hashed at rest, track use and stop at revocation', async () => {
    const owner = await f.signIn(tenant.ownerEmail);
    const created = await owner.call('POST', '/api/v1/api-keys', {
      name: 'CRM sync',
      scopes: ['staff.read'],
    });
    expect(created.status).toBe(201);
    const { secret, apiKey } = created.json;
    expect(secret).toMatch(/^pond_sk_/);
    const row = await f.services.platform.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .executeTakeFirst();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row?.last_used_at).toBeNull();

    const key = f.withApiKey(secret);
    expect((await key.call('GET', '/api/v1/staff')).status).toBe(200);
    const listed = await owner.call('GET', '/api/v1/api-keys');
    expect(listed.json.data.find((k: { id: string }) => k.id === apiKey.id).lastUsedAt).toEqual(
      expect.any(Number),
    );
    expect(JSON.stringify(listed.json)).not.toContain(secret);

    const sessionOnly = await key.call('GET', '/api/v1/auth/me');
    expect([sessionOnly.status, sessionOnly.json.error.code]).toEqual([403, 'forbidden']);

    expect((await owner.call('DELETE', `/api/v1/api-keys/${apiKey.id}`)).json.revokedAt).toEqual(
      expect.any(Number),
    );
    const revoked = await key.call('GET', '/api/v1/staff');
    expect([revoked.status, revoked.json.error.code]).toEqual([401, 'unauthenticated']);
    expect((await owner.call('DELETE', `/api/v1/api-keys/${apiKey.id}`)).status).toBe(409);
  });
});
