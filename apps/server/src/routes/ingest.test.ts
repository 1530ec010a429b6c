import { ingestVariants, makeTenant } from '@pond/testing';
import { Analytics } from '@segment/analytics-node';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../config.ts';
import { type HttpFixture, httpFixture } from '../testing/http-fixture.ts';

describe.each(ingestVariants())('Segment-compatible ingestion on $name', ({ dialect, ingestThread }) => {
  let f: HttpFixture;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  let writeKey: string;
  let sourceId: string;

  beforeAll(async () => {
    f = await httpFixture(dialect, { ingestThread });
    tenant = await makeTenant(f.services);
    const source = await f.services.sources.create(tenant.owner, { name: 'Mall' });
    if (!source.ok) throw new Error('setup');
    writeKey = source.value.writeKey;
    sourceId = source.value.id;
  });
  afterAll(() => f.close());

  const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const post = (
    url: string,
    payload: unknown,
    headers: Record<string, string> = { authorization: basic(writeKey) },
  ) =>
    f.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const eventsOf = (messageIds: string[]) =>
    f.services.platform.db
      .selectFrom('events')
      .selectAll()
      .where('tenant_id', '=', tenant.tenantId)
      .where('message_id', 'in', messageIds)
      .orderBy('id')
      .execute();
  const uid = () => Math.random().toString(36).slice(2, 10);

  it('stores every call type and resolves the people behind them', async () => {
    const u = uid();
    const calls: [string, Record<string, unknown>][] = [
      [
        'identify',
        {
          userId: `u-${u}`,
          traits: { name: '王芳', phone: '13800138000', email: 'Wang@Example.com', city: '杭州' },
        },
      ],
      ['track', { userId: `u-${u}`, event: 'Order Completed', properties: { total: 99.5 } }],
      ['page', { anonymousId: `a-${u}`, name: 'Home', properties: { path: '/' } }],
      ['screen', { anonymousId: `a-${u}`, name: 'Cart' }],
      ['group', { userId: `u-${u}`, groupId: 'g-1', traits: { name: 'VIP' } }],
      ['alias', { userId: `u-${u}`, previousId: `a-${u}` }],
    ];
    const ids: string[] = [];
    for (const [type, body] of calls) {
      const messageId = `${type}-${u}`;
      ids.push(messageId);
      const res = await post(`/v1/${type}`, { ...body, messageId });
      expect([type, res.statusCode, res.json().accepted]).toEqual([type, 200, 1]);
    }
    const rows = await eventsOf(ids);
    expect(rows.map((r) => [r.type, r.name])).toEqual([
      ['identify', ''],
      ['track', 'Order Completed'],
      ['page', 'Home'],
      ['screen', 'Cart'],
      ['group', 'g-1'],
      ['alias', ''],
    ]);
    // After the alias, the anonymous visitor and the user are one customer.
    const customerIds = new Set((await eventsOf(ids)).map((r) => r.customer_id));
    expect(customerIds.size).toBe(1);
    const list = await f.services.customers.list(tenant.owner, {
      q: 'wang@example.com',
      limit: 5,
      order: 'desc',
    });
    expect(list.ok && list.value.data.map((c) => [c.name, c.city, c.phone])).toEqual([
      ['王芳', '杭州', '+8613800138000'],
    ]);
  });

  it('accepts the write key three ways and refuses unknown or disabled keys', async () => {
    const body = { userId: 'k', event: 'E' };
    expect(
      (await post('/v1/track', { ...body, messageId: uid() }, { 'x-write-key': writeKey })).statusCode,
    ).toBe(200);
    expect((await post('/v1/track', { ...body, messageId: uid(), writeKey }, {})).statusCode).toBe(200);
    const unknown = await post('/v1/track', body, { authorization: basic('wk_forged') });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'invalid_write_key']);
    const none = await post('/v1/track', body, {});
    expect(none.statusCode).toBe(401);
    const other = await f.services.sources.create(tenant.owner, { name: 'Old app' });
    if (!other.ok) throw new Error('setup');
    await f.services.sources.update(tenant.owner, other.value.id, { disabled: true });
    expect((await post('/v1/track', body, { authorization: basic(other.value.writeKey) })).statusCode).toBe(
      401,
    );
  });

  it('stops accepting a key as soon as its source is disabled or the key rotated', async () => {
    const s = await f.services.sources.create(tenant.owner, { name: 'Kiosk' });
    if (!s.ok) throw new Error('setup');
    const send = (key: string) =>
      post('/v1/track', { userId: 'kiosk', event: 'E', messageId: uid() }, { authorization: basic(key) });
    expect((await send(s.value.writeKey)).statusCode).toBe(200);
    const rotated = await f.services.sources.update(tenant.owner, s.value.id, { rotateKey: true });
    if (!rotated.ok) throw new Error('rotate');
    expect((await send(s.value.writeKey)).statusCode).toBe(401);
    expect((await send(rotated.value.writeKey)).statusCode).toBe(200);
    await f.services.sources.update(tenant.owner, s.value.id, { disabled: true });
    expect((await send(rotated.value.writeKey)).statusCode).toBe(401);
    await f.services.sources.update(tenant.owner, s.value.id, { disabled: false });
    expect((await send(rotated.value.writeKey)).statusCode).toBe(200);
  });

  it('keeps the valid messages of a batch and reports the others', async () => {
    const u = uid();
    const res = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: `b-${u}`, event: 'Viewed', messageId: `ok1-${u}` },
        { type: 'track', userId: `b-${u}`, messageId: `bad1-${u}` },
        { type: 'identify', messageId: `bad2-${u}` },
        { type: 'launch', userId: 'x' },
        { type: 'identify', userId: `b-${u}`, traits: { phone: '12345' }, messageId: `bad3-${u}` },
        { type: 'page', anonymousId: `b-${u}`, messageId: `ok2-${u}`, timestamp: 'yesterday' },
        {
          type: 'page',
          anonymousId: `b-${u}`,
          messageId: `ok3-${u}`,
          properties: { big: 'x'.repeat(33_000) },
        },
        { type: 'track', userId: `b-${u}`, event: 'Viewed', messageId: `ok1-${u}` },
      ],
      context: { library: { name: 'test' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, accepted: 1, duplicates: 1 });
    expect(res.json().rejected.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
      [1, 'event'],
      [2, 'userId'],
      [3, 'type'],
      [4, 'traits.phone'],
      [5, 'timestamp'],
      [6, ''],
    ]);
    const [stored] = await eventsOf([`ok1-${u}`]);
    expect(JSON.parse(stored?.context ?? '{}')).toEqual({ library: { name: 'test' } });
    const debug = await f.services.events.debugger(tenant.owner, { limit: 20 });
    expect(debug.filter((d) => d.status === 'rejected').map((d) => d.field)).toEqual(
      expect.arrayContaining(['event', 'traits.phone']),
    );
  });

  it('enforces size limits the way Segment does', async () => {
    const tooBig = await post('/v1/track', {
      userId: 'x',
      event: 'E',
      properties: { blob: 'x'.repeat(40_000) },
    });
    expect([tooBig.statusCode, tooBig.json().error.code]).toEqual([400, 'payload_too_large']);
    const malformed = await post('/v1/track', '{"userId":');
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'malformed_json']);
    const many = await post('/v1/batch', {
      batch: Array.from({ length: 2501 }, (_, i) => ({
        type: 'track',
        userId: 'm',
        event: 'E',
        messageId: `many-${i}`,
      })),
    });
    expect(many.statusCode).toBe(200);
    expect([many.json().accepted, many.json().rejected.length]).toEqual([0, 2501]);
  });

  it('drops a repeated messageId within the window and accepts it after', async () => {
    const messageId = `dup-${uid()}`;
    const body = { userId: 'd', event: 'E', messageId };
    expect((await post('/v1/track', body)).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await post('/v1/track', body)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    f.clock.advance(f.services.dedupeWindowMs + 60_000);
    await f.services.ingest.pruneMessageIds(f.services.dedupeWindowMs);
    expect((await post('/v1/track', body)).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await eventsOf([messageId])).length).toBe(2);
  });

  it('corrects client clock skew from sentAt', async () => {
    const messageId = `skew-${uid()}`;
    const now = f.clock.now();
    // The client's clock runs one hour fast: its event time moves back by the same hour.
    const clientNow = now + 3_600_000;
    await post('/v1/track', {
      userId: 's',
      event: 'E',
      messageId,
      timestamp: new Date(clientNow - 5_000).toISOString(),
      sentAt: new Date(clientNow).toISOString(),
    });
    const [row] = await eventsOf([messageId]);
    expect(row?.timestamp).toBe(now - 5_000);
    expect(row?.source_id).toBe(sourceId);
  });

  it('answers 429 with Retry-After past the backlog bound', async () => {
    const tight = await httpFixture(dialect, { config: testConfig({}, { maxInFlight: 1 }) });
    try {
      const t = await makeTenant(tight.services);
      const source = await tight.services.sources.create(t.owner, { name: 'S' });
      if (!source.ok) throw new Error('setup');
      const send = (i: number) =>
        tight.app.inject({
          method: 'POST',
          url: '/v1/batch',
          headers: { authorization: basic(source.value.writeKey), 'content-type': 'application/json' },
          payload: {
            batch: Array.from({ length: 200 }, (_, j) => ({
              type: 'track',
              userId: `p${j}`,
              event: 'E',
              messageId: `bp-${i}-${j}`,
            })),
          },
        });
      // Hold the database so the first request waits for it, as under a write backlog.
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const lock = tight.services.platform.db.transaction().execute(async (trx) => {
        await sql`lock table sources in access exclusive mode`.execute(trx).catch(() => undefined);
        await held;
      });
      await new Promise((r) => setTimeout(r, 50));
      const first = send(1);
      await new Promise((r) => setTimeout(r, 50));
      const second = await send(2);
      expect([second.statusCode, second.json().error.code, second.headers['retry-after']]).toEqual([
        429,
        'overloaded',
        '1',
      ]);
      release();
      await lock;
      expect((await first).statusCode).toBe(200);
      expect((await send(3)).statusCode).toBe(200);
    } finally {
      await tight.close();
    }
  });

  it('works with the official @segment/analytics-node client, unchanged', async () => {
    const url = await f.app.listen({ host: '127.0.0.1', port: 0 });
    const analytics = new Analytics({ writeKey, host: url, path: '/v1/batch', flushAt: 5, maxRetries: 0 });
    const u = uid();
    analytics.identify({ userId: `sdk-${u}`, traits: { name: 'SDK 用户', email: `sdk-${u}@example.com` } });
    analytics.track({ userId: `sdk-${u}`, event: 'Product Viewed', properties: { sku: 'A1', price: 12 } });
    analytics.page({ anonymousId: `anon-${u}`, name: 'Landing' });
    analytics.alias({ userId: `sdk-${u}`, previousId: `anon-${u}` });
    await analytics.closeAndFlush({ timeout: 10_000 });
    const rows = await f.services.platform.db
      .selectFrom('events')
      .selectAll()
      .where('tenant_id', '=', tenant.tenantId)
      .where('received_at', '>=', f.clock.now())
      .where('type', 'in', ['identify', 'track', 'page', 'alias'])
      .execute();
    const mine = rows.filter(
      (r) => r.message_id && JSON.parse(r.context).library?.name === '@segment/analytics-node',
    );
    expect(mine.map((r) => r.type).sort()).toEqual(['alias', 'identify', 'page', 'track']);
    expect(new Set(mine.map((r) => r.customer_id)).size).toBe(1);
    // Sending the same messages again is dropped as duplicates.
    const again = await post('/v1/batch', {
      batch: mine.map((r) => ({
        type: r.type,
        userId: `sdk-${u}`,
        event: r.name || 'x',
        previousId: `anon-${u}`,
        groupId: 'g',
        messageId: r.message_id,
      })),
    });
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 4 });
  });
});
