import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

describe.each(testDialects())('custom attributes on %s', (dialect) => {
  let f: HttpFixture;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  let owner: SessionCaller;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    tenant = await makeTenant(f.services);
    owner = await f.signIn(tenant.ownerEmail);
    for (const body of [
      { key: 'vip_tier', label: '会员层级', type: 'enum', options: ['gold', 'silver'] },
      { key: 'shoe_size', label: '鞋码', type: 'number' },
      { key: 'newsletter', label: 'Newsletter', type: 'boolean' },
      { key: 'wedding_day', label: '纪念日', type: 'date' },
      { key: 'interests', label: '兴趣', type: 'list', options: ['跑步', '瑜伽', '户外'] },
      { key: 'nickname', label: '昵称备注', type: 'string' },
    ]) {
      const res = await owner.call('POST', '/api/v1/attributes', body);
      expect(res.status, JSON.stringify(res.json)).toBe(201);
    }
  });
  afterAll(() => f.close());

  it('lists definitions and refuses ones that cannot work, with the field at fault', async () => {
    const list = await owner.call('GET', '/api/v1/attributes');
    expect(list.json.data.map((d: { key: string; type: string }) => `${d.key}:${d.type}`)).toEqual([
      'interests:list',
      'newsletter:boolean',
      'nickname:string',
      'shoe_size:number',
      'vip_tier:enum',
      'wedding_day:date',
    ]);
    const attempts: [unknown, number, string, string][] = [
      [{ key: 'Bad-Key', label: 'x', type: 'string' }, 400, 'invalid_request', 'body.key'],
      [{ key: 'level', label: 'x', type: 'enum' }, 400, 'invalid_request', 'body.options'],
      [{ key: 'level', label: 'x', type: 'number', options: ['a'] }, 400, 'invalid_request', 'body.options'],
      [{ key: 'level', label: 'x', type: 'colour' }, 400, 'invalid_request', 'body.type'],
      [{ key: 'shoe_size', label: 'again', type: 'number' }, 409, 'conflict', 'body.key'],
    ];
    for (const [body, status, code, field] of attempts) {
      const res = await owner.call('POST', '/api/v1/attributes', body);
      expect([res.status, res.json.error?.code, res.json.error?.field]).toEqual([status, code, field]);
    }
    const options = await owner.call('PATCH', '/api/v1/attributes/shoe_size', { options: ['38'] });
    expect([options.status, options.json.error.field]).toEqual([400, 'body.options']);
    const missing = await owner.call('PATCH', '/api/v1/attributes/no_such', { label: 'x' });
    expect(missing.status).toBe(404);
    const renamed = await owner.call('PATCH', '/api/v1/attributes/vip_tier', {
      label: 'VIP 层级',
      options: ['gold', 'silver', 'bronze'],
    });
    expect(renamed.json).toMatchObject({
      key: 'vip_tier',
      type: 'enum',
      options: ['gold', 'silver', 'bronze'],
    });
  });

  it('keeps typed values on customers, refuses wrong ones by field and removes with null', async () => {
    const created = await owner.call('POST', '/api/v1/customers', {
      name: '林小雨',
      phone: '13811112222',
      attributes: { vip_tier: 'gold', shoe_size: 37.5, interests: ['跑步', '瑜伽', '跑步'] },
    });
    expect(created.status).toBe(201);
    const id = created.json.customer.id as string;
    expect(created.json.customer.attributes).toEqual({
      vip_tier: 'gold',
      shoe_size: 37.5,
      interests: ['跑步', '瑜伽'],
    });

    const wrong: [Record<string, unknown>, string][] = [
      [{ shoe_size: '37' }, 'body.attributes.shoe_size'],
      [{ vip_tier: 'platinum' }, 'body.attributes.vip_tier'],
      [{ newsletter: 'yes' }, 'body.attributes.newsletter'],
      [{ wedding_day: '2020-02-30' }, 'body.attributes.wedding_day'],
      [{ interests: ['滑雪'] }, 'body.attributes.interests'],
      [{ undefined_one: 1 }, 'body.attributes.undefined_one'],
    ];
    for (const [attributes, field] of wrong) {
      const res = await owner.call('PATCH', `/api/v1/customers/${id}`, { name: '不应保存', attributes });
      expect([res.status, res.json.error?.code, res.json.error?.field]).toEqual([
        400,
        'invalid_request',
        field,
      ]);
    }
    const unchanged = await owner.call('GET', `/api/v1/customers/${id}`);
    expect(unchanged.json.name).toBe('林小雨');

    const updated = await owner.call('PATCH', `/api/v1/customers/${id}`, {
      attributes: { shoe_size: null, newsletter: true, wedding_day: '2020-10-01' },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.attributes).toEqual({
      vip_tier: 'gold',
      interests: ['跑步', '瑜伽'],
      newsletter: true,
      wedding_day: '2020-10-01',
    });
    const audit = await owner.call('GET', `/api/v1/audit-log?targetId=${id}&action=customer.updated`);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.json.data[0])).toContain('wedding_day');
  });

  it('imports attribute columns converted to their types and suggests them by label', async () => {
    const csv = [
      '手机号,VIP 层级,鞋码,兴趣,纪念日,Newsletter',
      '13822223333,silver,38,跑步，户外,2021/5/20,是',
      '13822224444,diamond,abc,,,',
    ].join('\r\n');
    const up = await f.app.inject({
      method: 'POST',
      url: '/api/v1/imports?fileName=attrs.csv',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken, 'content-type': 'text/csv' },
      payload: Buffer.from(csv),
    });
    expect(up.statusCode).toBe(201);
    const job = up.json();
    expect(job.suggestedMapping).toEqual({
      手机号: 'phone',
      'VIP 层级': 'attribute:vip_tier',
      鞋码: 'attribute:shoe_size',
      兴趣: 'attribute:interests',
      纪念日: 'attribute:wedding_day',
      Newsletter: 'attribute:newsletter',
    });
    const undefinedTarget = await owner.call('POST', `/api/v1/imports/${job.id}/start`, {
      mapping: { 手机号: 'phone', 鞋码: 'attribute:foot' },
    });
    expect([undefinedTarget.status, undefinedTarget.json.error.field]).toEqual([400, 'body.mapping.鞋码']);

    const started = await owner.call('POST', `/api/v1/imports/${job.id}/start`, {
      mapping: job.suggestedMapping,
    });
    expect(started.status).toBe(202);
    await f.services.imports.settled(job.id);
    const done = await owner.call('GET', `/api/v1/imports/${job.id}`);
    expect(done.json).toMatchObject({ status: 'done', createdRows: 1, failedRows: 1 });
    const errors = await owner.call('GET', `/api/v1/imports/${job.id}/errors`);
    expect(errors.json.data.map((e: { column: string }) => e.column).sort()).toEqual(['VIP 层级', '鞋码']);
    const found = await f.services.customers.list(tenant.owner, { limit: 5, order: 'asc', q: '13822223333' });
    expect(found.ok && found.value.data[0]?.attributes).toEqual({
      vip_tier: 'silver',
      shoe_size: 38,
      interests: ['跑步', '户外'],
      wedding_day: '2021-05-20',
      newsletter: true,
    });
  });

  it('keeps identify traits that name a defined attribute and fit its type', async () => {
    const source = await owner.call('POST', '/api/v1/sources', { name: 'Mall' });
    const r = await f.services.ingest.ingest(
      { id: source.json.id, tenantId: tenant.tenantId },
      [
        {
          userId: 'u-traits',
          traits: { shoe_size: 41, vip_tier: 'not-a-tier', newsletter: 'false', other: 'x' },
        },
      ],
      'identify',
    );
    expect(r.ok && r.value.accepted).toBe(1);
    const found = await f.services.customers.list(tenant.owner, { limit: 5, order: 'asc', q: 'u-traits' });
    expect(found.ok && found.value.data[0]?.attributes).toEqual({ shoe_size: 41, newsletter: false });
  });

  it('lets an analyst read definitions but not change them', async () => {
    const analyst = await f.signIn(
      (await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'analyst')).email,
    );
    expect((await analyst.call('GET', '/api/v1/attributes')).status).toBe(200);
    const res = await analyst.call('POST', '/api/v1/attributes', { key: 'x', label: 'x', type: 'string' });
    expect([res.status, res.json.error.code]).toEqual([403, 'forbidden']);
  });
});
