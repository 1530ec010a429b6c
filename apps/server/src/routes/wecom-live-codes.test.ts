import { addUser, makeTenant, testDialects } from '@pond/testing';
import type { WeComEmulator } from '@pond/wecom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';
import { connectEmulator } from '../testing/wecom-live-codes.ts';

describe.each(testDialects())('live codes and transfers over HTTP on %s', (dialect) => {
  let f: HttpFixture;
  let owner: SessionCaller;
  let emulator: WeComEmulator;
  let staff: { id: string; userId: string }[];
  let tenantId: string;
  let root: string;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const t = await makeTenant(f.services);
    tenantId = t.tenantId;
    root = t.rootUnitId;
    owner = await f.signIn(t.ownerEmail);
    ({ emulator, staff } = await connectEmulator(f.services, t.owner, t.rootUnitId));
  });
  afterAll(async () => {
    await emulator.close();
    await f.close();
  });

  const codes = async () =>
    (
      await f.services.platform.db
        .selectFrom('wecom_live_codes')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .execute()
    ).length;
  const pool = () => [{ staffId: staff[0]?.id }];

  it('refuses bad input with the field at fault before calling WeCom', async () => {
    const calls = emulator.callCount('externalcontact/add_contact_way');
    const cases: [unknown, string][] = [
      [{ name: 'x', pool: [] }, 'body.pool'],
      [{ name: 'x', state: 'has space', pool: pool() }, 'body.state'],
      [{ name: 'x', state: 'x'.repeat(31), pool: pool() }, 'body.state'],
      [{ name: 'x', pool: [{ staffId: staff[0]?.id, dailyCap: 0 }] }, 'body.pool.0.dailyCap'],
      [
        {
          name: 'x',
          pool: [{ staffId: staff[0]?.id, schedule: [{ weekdays: [8], from: '09:00', to: '18:00' }] }],
        },
        'body.pool.0.schedule.0.weekdays.0',
      ],
      [
        {
          name: 'x',
          pool: [{ staffId: staff[0]?.id, schedule: [{ weekdays: [1], from: '18:00', to: '09:00' }] }],
        },
        'body.pool.0.schedule.0.to',
      ],
      [
        {
          name: 'x',
          pool: pool(),
          welcome: { attachments: Array.from({ length: 10 }, () => ({ type: 'video', mediaId: 'm' })) },
        },
        'body.welcome.attachments',
      ],
      [{ name: 'x', pool: pool(), welcome: { text: '好'.repeat(1334) } }, 'body.welcome.text'],
      [{ name: 'x', pool: pool(), welcome: { attachments: [] } }, 'body.welcome.text'],
      [
        {
          name: 'x',
          pool: pool(),
          welcome: {
            attachments: [{ type: 'miniprogram', title: 't', picMediaId: 'p', appId: 'x', page: '/' }],
          },
        },
        'body.welcome.attachments.0.appId',
      ],
      [{ name: 'x', pool: [{ staffId: 'stf_nobody' }] }, 'body.pool.0.staffId'],
      [{ name: 'x', pool: pool(), tagIds: ['tag_nobody'] }, 'body.tagIds.0'],
    ];
    for (const [body, field] of cases) {
      const res = await owner.call('POST', '/api/v1/wecom/live-codes', body);
      expect([field, res.status >= 400 && res.status < 500, res.json.error?.field]).toEqual([
        field,
        true,
        field,
      ]);
    }
    expect(emulator.callCount('externalcontact/add_contact_way')).toBe(calls);
    expect(await codes()).toBe(0);
  });

  it('answers WeCom’s refusals with its errcode: configuration 409, other failures 502', async () => {
    emulator.behaviour.ipTrusted = false;
    const ip = await owner.call('POST', '/api/v1/wecom/live-codes', { name: 'x', pool: pool() });
    emulator.behaviour.ipTrusted = true;
    expect([ip.status, ip.json.error.code]).toEqual([409, 'conflict']);
    expect(ip.json.error.message).toContain('errcode 60020');
    emulator.failNext('externalcontact/add_contact_way', 301002);
    const other = await owner.call('POST', '/api/v1/wecom/live-codes', { name: 'x', pool: pool() });
    expect([other.status, other.json.error.code]).toEqual([502, 'upstream_error']);
    expect(other.json.error.message).toContain('errcode 301002');
    expect(await codes()).toBe(0);
    const made = await owner.call('POST', '/api/v1/wecom/live-codes', { name: '门店', pool: pool() });
    expect(made.status).toBe(201);
    expect(made.json.pool[0].userId).toBe(staff[0]?.userId);
    const search = async (q: string) =>
      (await owner.call('GET', `/api/v1/wecom/live-codes?q=${encodeURIComponent(q)}`)).json.data.length;
    expect([await search('门'), await search('%'), await search(made.json.state)]).toEqual([1, 0, 1]);
  });

  it('lets staff read live codes but not change them or transfer customers', async () => {
    const u = await addUser(f.services, tenantId, root, 'staff');
    const caller = await f.signIn(u.email);
    expect((await caller.call('GET', '/api/v1/wecom/live-codes')).status).toBe(200);
    const create = await caller.call('POST', '/api/v1/wecom/live-codes', { name: 'x', pool: pool() });
    expect([create.status, create.json.error.code]).toEqual([403, 'forbidden']);
    const transfer = await caller.call('GET', '/api/v1/wecom/transfers');
    expect(transfer.status).toBe(403);
  });

  it('refuses a message on a resigned transfer and an empty transfer', async () => {
    const msg = await owner.call('POST', '/api/v1/wecom/transfers', {
      kind: 'resigned',
      handoverUserId: 'someone',
      takeoverStaffId: staff[1]?.id,
      externalUserIds: ['wm1'],
      message: 'hi',
    });
    expect([msg.status, msg.json.error.field]).toEqual([400, 'body.message']);
    const empty = await owner.call('POST', '/api/v1/wecom/transfers', {
      kind: 'in_service',
      handoverUserId: 'someone',
      takeoverStaffId: staff[1]?.id,
    });
    expect([empty.status, empty.json.error.field]).toEqual([400, 'body.externalUserIds']);
  });
});
