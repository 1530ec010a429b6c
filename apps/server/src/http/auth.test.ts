import { randomUUID } from 'node:crypto';
import { SESSION_TTL_MS, THROTTLE } from '@pond/core';
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
    email: `owner-${randomUUID()}@example.test`,
    password: 'a long password',
  };

  it('creates the brand and its owner with the printed token, once', async () => {
    expect((await f.anonymous.call('GET', '/api/v1/setup')).json).toEqual({ needed: true });
    for (const token of ['guess', 'one-time-tokeN', 'one-time-token-and-more']) {
      const wrong = await f.anonymous.call('POST', '/api/v1/setup', { ...body, token });
      expect([wrong.status, wrong.json.error.code, wrong.json.error.field]).toEqual([
        409,
        'setup_unavailable',
        'body.token',
      ]);
    }
    expect(await f.services.platform.db.selectFrom('tenants').select('id').execute()).toEqual([]);

    const res = await f.inject({
      method: 'POST',
      url: '/api/v1/setup',
      headers: { 'x-request-id': 'setup-1' },
      payload: { ...body, token: 'one-time-token' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ role: 'owner', name: '林店长', email: body.email });
    expect(res.json().tenant.name).toBe('湖畔咖啡');
    const cookie = res.cookies.find((c) => c.name === 'pond_session');
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    expect(cookie?.secure).toBeFalsy();
    // The cookie it set is a working session.
    const me = await f.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `pond_session=${cookie?.value}` },
    });
    expect(me.json().user.email).toBe(body.email);

    expect((await f.anonymous.call('GET', '/api/v1/setup')).json).toEqual({ needed: false });
    const again = await f.anonymous.call('POST', '/api/v1/setup', {
      ...body,
      email: 'second@example.test',
      token: 'one-time-token',
    });
    expect([again.status, again.json.error.code]).toEqual([409, 'setup_unavailable']);
    expect((await f.services.platform.db.selectFrom('tenants').select('id').execute()).length).toBe(1);
    const owner = await f.signIn(body.email, body.password);
    expect((await owner.call('GET', '/api/v1/org-units')).json.data).toEqual([
      expect.objectContaining({ kind: 'hq', name: '湖畔咖啡', parentId: null }),
    ]);
    const audit = await owner.call('GET', '/api/v1/audit-log?action=tenant.created');
    expect(audit.json.data).toEqual([
      expect.objectContaining({
        target: { type: 'tenant', id: res.json().tenant.id },
        actor: { type: 'user', id: res.json().user.id, name: '林店长' },
        requestId: 'setup-1',
        ip: f.remoteAddress,
      }),
    ]);
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

  const signIn = (identifier: string, password: string, remoteAddress = f.remoteAddress) =>
    f.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { identifier, password },
      remoteAddress,
    });

  it('signs in by email or mobile and refuses a wrong password', async () => {
    const mobile = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const created = await f.services.users.create(tenant.owner, {
      name: 'Mobile user',
      mobile,
      password: TEST_PASSWORD,
      role: 'operator',
      locale: 'zh-CN',
    });
    if (!created.ok) throw new Error('setup');
    for (const identifier of [mobile, `+86 ${mobile}`, `+86-${mobile.slice(0, 3)}-${mobile.slice(3)}`]) {
      expect((await f.signIn(identifier)).me.user.id).toBe(created.value.id);
    }
    const byEmail = await f.signIn(tenant.ownerEmail.toUpperCase());
    expect(byEmail.me.user.id).toBe(tenant.owner.principal.id);
    expect(byEmail.me.permissions).toContain('pii.view');

    const wrong = await signIn(mobile, 'wrong one');
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'invalid_credentials']);
    expect(wrong.cookies).toEqual([]);
    const nobody = await signIn(`nobody-${randomUUID()}@example.test`, 'x');
    expect(nobody.json().error).toEqual({ ...wrong.json().error, requestId: nobody.json().error.requestId });
  });

  it('locks an identifier after five failures, even for the right password, then opens it again', async () => {
    const user = await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'analyst');
    for (let i = 0; i < THROTTLE.maxPerIdentifier; i++) {
      expect((await signIn(user.email, `bad ${i}`)).statusCode).toBe(401);
    }
    // From another address too: the identifier itself is locked.
    for (const address of [f.remoteAddress, '192.0.2.77']) {
      const locked = await signIn(user.email, TEST_PASSWORD, address);
      expect([locked.statusCode, locked.json().error.code]).toEqual([429, 'rate_limited']);
      expect(Number(locked.headers['retry-after'])).toBe(THROTTLE.lockMs / 1000);
      expect(locked.cookies).toEqual([]);
    }
    f.clock.advance(THROTTLE.lockMs - 60_000);
    expect(Number((await signIn(user.email, TEST_PASSWORD)).headers['retry-after'])).toBe(60);
    f.clock.advance(60_000);
    expect((await signIn(user.email, TEST_PASSWORD)).statusCode).toBe(200);
    // A success starts the count afresh: one more failure does not lock again.
    expect((await signIn(user.email, 'bad again')).statusCode).toBe(401);
    expect((await signIn(user.email, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('locks a client address that fails across many identifiers', async () => {
    const address = `2001:db8::${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}`;
    for (let i = 0; i < THROTTLE.maxPerIp; i++) {
      expect((await signIn(`spray-${i}-${randomUUID()}@example.test`, 'x', address)).statusCode).toBe(401);
    }
    expect((await signIn(tenant.ownerEmail, TEST_PASSWORD, address)).statusCode).toBe(429);
    expect((await signIn(tenant.ownerEmail, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('requires the session’s own CSRF token on session writes', async () => {
    const owner = await f.signIn(tenant.ownerEmail);
    const other = await f.signIn(tenant.ownerEmail);
    const before = await f.counts(tenant.tenantId);
    const post = (headers: Record<string, string>) =>
      f.inject({
        method: 'POST',
        url: '/api/v1/staff',
        headers: { cookie: owner.cookie, ...headers },
        payload: { name: 'csrf', orgUnitId: tenant.rootUnitId },
      });
    const wrongHeaders: Record<string, string>[] = [
      {},
      { 'x-csrf-token': 'forged' },
      { 'x-csrf-token': other.csrfToken },
    ];
    for (const headers of wrongHeaders) {
      const res = await post(headers);
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'csrf_failed']);
    }
    expect(await f.counts(tenant.tenantId)).toEqual(before);
    const reads = await f.inject({ method: 'GET', url: '/api/v1/staff', headers: { cookie: owner.cookie } });
    expect(reads.statusCode).toBe(200);
    const right = await post({ 'x-csrf-token': owner.csrfToken });
    expect([right.statusCode, right.json().name]).toEqual([201, 'csrf']);
  });

  it('ends sessions on sign-out, password change, disabling and expiry', async () => {
    const user = await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'operator');
    const first = await f.signIn(user.email);
    const second = await f.signIn(user.email);
    const changed = await first.call('POST', '/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a brand new password',
    });
    expect(changed.status).toBe(200);
    expect((await first.call('GET', '/api/v1/auth/me')).status).toBe(200);
    const ended = await second.call('GET', '/api/v1/auth/me');
    expect([ended.status, ended.json.error.code]).toEqual([401, 'unauthenticated']);
    expect((await signIn(user.email, TEST_PASSWORD)).statusCode).toBe(401);
    const wrongCurrent = await first.call('POST', '/api/v1/auth/password', {
      currentPassword: 'not it',
      newPassword: 'another new password',
    });
    expect([wrongCurrent.status, wrongCurrent.json.error.field]).toEqual([401, 'body.currentPassword']);

    const out = await first.call('POST', '/api/v1/auth/sign-out');
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/pond_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await first.call('GET', '/api/v1/auth/me')).status).toBe(401);

    const third = await f.signIn(user.email, 'a brand new password');
    const owner = await f.signIn(tenant.ownerEmail);
    expect((await owner.call('PATCH', `/api/v1/users/${user.id}`, { status: 'disabled' })).status).toBe(200);
    expect((await third.call('GET', '/api/v1/auth/me')).status).toBe(401);
    const refused = await signIn(user.email, 'a brand new password');
    expect([refused.statusCode, refused.json().error.code]).toEqual([401, 'invalid_credentials']);

    f.clock.advance(SESSION_TTL_MS - 1000);
    expect((await owner.call('GET', '/api/v1/auth/me')).status).toBe(200);
    f.clock.advance(1000);
    expect((await owner.call('GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('issues API keys that are hashed at rest, track use and stop at revocation', async () => {
    const owner = await f.signIn(tenant.ownerEmail);
    const created = await owner.call('POST', '/api/v1/api-keys', {
      name: 'CRM sync',
      scopes: ['staff.read', 'staff.write'],
    });
    expect(created.status).toBe(201);
    const { secret, apiKey } = created.json;
    expect(secret).toMatch(/^pond_sk_[A-Za-z0-9_-]{32}$/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey).toMatchObject({
      name: 'CRM sync',
      scopes: ['staff.read', 'staff.write'],
      lastUsedAt: null,
      revokedAt: null,
    });
    const row = () =>
      f.services.platform.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', apiKey.id)
        .executeTakeFirstOrThrow();
    const stored = await row();
    expect(JSON.stringify(stored)).not.toContain(secret.slice(apiKey.prefix.length));
    expect(stored.last_used_at).toBeNull();

    const key = f.withApiKey(secret);
    const used = await key.call('GET', '/api/v1/staff');
    expect(used.status).toBe(200);
    expect((await row()).last_used_at).toBe(f.clock.now());
    // API keys need no CSRF token; they are not sent by browsers on their own.
    const write = await key.call('POST', '/api/v1/staff', { name: 'by key', orgUnitId: tenant.rootUnitId });
    expect([write.status, write.json.name]).toEqual([201, 'by key']);
    const listed = await owner.call('GET', '/api/v1/api-keys');
    expect(listed.json.data.find((k: { id: string }) => k.id === apiKey.id).lastUsedAt).toBe(f.clock.now());
    expect(JSON.stringify(listed.json)).not.toContain(secret);

    const sessionOnly = await key.call('GET', '/api/v1/auth/me');
    expect([sessionOnly.status, sessionOnly.json.error.code]).toEqual([403, 'forbidden']);
    const garbled = await f.anonymous.call('GET', '/api/v1/staff', undefined, {
      authorization: `Token ${secret}`,
    });
    expect(garbled.status).toBe(401);

    const revoked = await owner.call('DELETE', `/api/v1/api-keys/${apiKey.id}`);
    expect(revoked.json.revokedAt).toBe(f.clock.now());
    const after = await key.call('GET', '/api/v1/staff');
    expect([after.status, after.json.error.code]).toEqual([401, 'unauthenticated']);
    const twice = await owner.call('DELETE', `/api/v1/api-keys/${apiKey.id}`);
    expect([twice.status, twice.json.error.code]).toEqual([409, 'conflict']);
  });
});
