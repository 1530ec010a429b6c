import { must, openTestStorage, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedTenant, emulatedTenant } from './emulator-fixture.ts';
import { dayOf } from './schedule.ts';

const DAY = 86_400_000;

describe.each(testDialects())('live codes against the WeCom emulator on %s', (dialect) => {
  let e: EmulatedTenant;
  let closeStorage: () => Promise<void>;
  let users: string[];
  let tagId: string;
  let codeId: string;
  let state: string;

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    closeStorage = opened.close;
    e = await emulatedTenant(opened.storage, 7);
    users = [...e.staff.keys()].sort();
    const group = must(await e.services.tags.createGroup(e.t.owner, { name: '渠道' }));
    tagId = must(
      await e.services.tags.create(e.t.owner, { groupId: group.id, name: '门店海报', color: 'blue' }),
    ).id;
  });
  afterAll(async () => {
    await e.close();
    await closeStorage();
  });

  const way = (configId: string) => e.emulator.corp.contactWays.get(configId);
  const codeRow = () =>
    e.services.platform.db
      .selectFrom('wecom_live_codes')
      .selectAll()
      .where('id', '=', codeId)
      .executeTakeFirstOrThrow();

  it('creates the contact way in WeCom with the pool, a state and the QR code', async () => {
    const [a, b] = users;
    const code = must(
      await e.services.wecomLiveCodes.create(e.t.owner, {
        name: '门店海报 A',
        pool: [{ staffId: e.staff.get(a ?? '') ?? '', dailyCap: 1 }, { staffId: e.staff.get(b ?? '') ?? '' }],
        welcome: {
          text: '你好 {name}，欢迎！',
          attachments: [{ type: 'link', title: '新人礼', url: 'https://example.com/gift' }],
        },
        tagIds: [tagId],
        autoRemark: '海报-{name}',
      }),
    );
    codeId = code.id;
    state = code.state;
    expect(state).toMatch(/^lc[0-9a-f]{16}$/);
    expect(code.qrCode).toContain(code.configId);
    const w = way(code.configId);
    expect(w?.state).toBe(state);
    expect(w?.users).toEqual([a, b].sort());
    expect(w?.type).toBe(2);
    expect(code.pool.map((m) => m.out)).toEqual([null, null]);
  });

  it('refuses a second code with the same state, and shows WeCom’s own refusal precisely', async () => {
    const staffId = e.staff.get(users[0] ?? '') ?? '';
    const dup = await e.services.wecomLiveCodes.create(e.t.owner, {
      name: 'dup',
      state,
      pool: [{ staffId }],
    });
    expect(dup.ok ? null : [dup.error.code, dup.error.field]).toEqual(['conflict', 'body.state']);
    // A staff member WeCom does not know: 60111 comes back with its meaning.
    const ghost = must(
      await e.services.staff.create(e.t.owner, {
        name: '幽灵',
        orgUnitId: e.t.rootUnitId,
        wecomUserId: 'ghost',
      }),
    );
    const before = await e.services.platform.db.selectFrom('wecom_live_codes').select('id').execute();
    const r = await e.services.wecomLiveCodes.create(e.t.owner, {
      name: 'ghost',
      pool: [{ staffId: ghost.id }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_request');
      expect(r.error.message).toContain('errcode 60111');
      expect(r.error.field).toBe('body.pool');
    }
    expect(await e.services.platform.db.selectFrom('wecom_live_codes').select('id').execute()).toHaveLength(
      before.length,
    );
    const noUserId = must(
      await e.services.staff.create(e.t.owner, { name: '无', orgUnitId: e.t.rootUnitId }),
    );
    const r2 = await e.services.wecomLiveCodes.create(e.t.owner, {
      name: 'x',
      pool: [{ staffId: noUserId.id }],
    });
    expect(r2.ok ? null : [r2.error.code, r2.error.field]).toEqual([
      'invalid_request',
      'body.pool.0.staffId',
    ]);
  });

  it('attributes an add through the code, tags, remarks and sends the welcome message with the WelcomeCode', async () => {
    const row = await codeRow();
    const added = await e.emulator.corp.addExternalContact({ configId: row.config_id });
    expect(added.delivery.delivered).toBe(true);
    expect(added.state).toBe(state);
    await e.drain();
    const customer = await e.services.platform.db
      .selectFrom('customer_identities as i')
      .innerJoin('customers as c', 'c.id', 'i.customer_id')
      .select(['c.id', 'c.source_channel', 'c.name'])
      .where('i.tenant_id', '=', e.t.tenantId)
      .where('i.value', '=', added.externalUserId)
      .executeTakeFirstOrThrow();
    expect(customer.source_channel).toBe(`wecom:${state}`);
    const tags = await e.services.platform.db
      .selectFrom('customer_tags')
      .select(['tag_id', 'source', 'source_ref'])
      .where('customer_id', '=', customer.id)
      .execute();
    expect(tags).toEqual([{ tag_id: tagId, source: 'event', source_ref: codeId }]);
    const sent = e.emulator.corp.welcomeMessages.filter((m) => m.externalUserId === added.externalUserId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body.text).toEqual({ content: `你好 ${customer.name ?? ''}，欢迎！` });
    expect(sent[0]?.body.attachments).toEqual([
      { msgtype: 'link', link: { title: '新人礼', url: 'https://example.com/gift' } },
    ]);
    const follow = e.emulator.corp.follow(added.userId, added.externalUserId);
    expect(follow?.remark).toBe([...`海报-${customer.name ?? ''}`].slice(0, 20).join(''));
    const adds = must(
      await e.services.wecomLiveCodes.adds.list(e.t.owner, codeId, { limit: 50, order: 'desc' }),
    );
    expect(adds.data.map((a) => [a.externalUserId, a.welcome])).toEqual([[added.externalUserId, 'sent']]);
  });

  it('follows the added customer through a merge and an un-merge', async () => {
    const [add] = must(
      await e.services.wecomLiveCodes.adds.list(e.t.owner, codeId, { limit: 50, order: 'desc' }),
    ).data;
    const original = add?.customer?.id ?? '';
    const survivor = must(await e.services.customers.create(e.t.owner, { name: '合并后', identities: [] }));
    const merge = must(await e.services.customers.manualMerge(e.t.owner, survivor.customer.id, original));
    const listed = async () =>
      must(await e.services.wecomLiveCodes.adds.list(e.t.owner, codeId, { limit: 50, order: 'desc' })).data[0]
        ?.customer?.id;
    expect(await listed()).toBe(survivor.customer.id);
    must(await e.services.customers.unmerge(e.t.owner, merge.id));
    expect(await listed()).toBe(original);
  });

  it('takes a capped member out of the contact way until midnight', async () => {
    const row = await codeRow();
    const [a, b] = users;
    // The first add went to the first member in the rotation, who has a cap of 1.
    expect(way(row.config_id)?.users).toEqual([b]);
    const view = must(await e.services.wecomLiveCodes.get(e.t.owner, codeId));
    expect(view.pool.map((m) => [m.userId, m.addsToday, m.out])).toEqual([
      [a, 1, 'capped'],
      [b, 0, null],
    ]);
    expect(view.activeUserIds).toEqual([b]);
  });

  it('records an expired WelcomeCode instead of sending it late', async () => {
    const row = await codeRow();
    const added = await e.emulator.corp.addExternalContact({ configId: row.config_id });
    expect(added.userId).toBe(users[1]);
    // The callback is taken in at once, but the job runs 25 s later.
    e.clock.advance(25_000);
    await e.drain();
    const adds = must(
      await e.services.wecomLiveCodes.adds.list(e.t.owner, codeId, { limit: 50, order: 'desc' }),
    );
    expect(adds.data[0]?.welcome).toBe('expired');
    expect(e.emulator.corp.welcomeMessages.some((m) => m.externalUserId === added.externalUserId)).toBe(
      false,
    );
  });

  it('counts losses and retention per day, and brings the capped member back the next day', async () => {
    const firstAdd = must(
      await e.services.wecomLiveCodes.adds.list(e.t.owner, codeId, { limit: 50, order: 'asc' }),
    ).data[0];
    if (!firstAdd) throw new Error('no add');
    await e.emulator.corp.customerDeletesStaff(firstAdd.staffUserId, firstAdd.externalUserId);
    await e.drain();
    const today = dayOf(e.clock.now());
    let stats = must(await e.services.wecomLiveCodes.stats(e.t.owner, codeId, { days: 30 }));
    expect(stats.totals).toMatchObject({ adds: 2, lost: 1, welcomeSent: 1, welcomeFailed: 1 });
    expect(stats.days.at(-1)).toEqual({
      day: today,
      adds: 2,
      lost: 1,
      deletions: 1,
      retained7: null,
      retained30: null,
    });
    expect(stats.days).toHaveLength(30);
    e.clock.advance(8 * DAY);
    await e.drain();
    stats = must(await e.services.wecomLiveCodes.stats(e.t.owner, codeId, { days: 30 }));
    expect(stats.days.find((d) => d.day === today)?.retained7).toBe(0.5);
    expect(stats.totals.retained30).toBeNull();
    const row = await codeRow();
    expect(way(row.config_id)?.users).toEqual(users.slice(0, 2).sort());
  });

  it('updates the contact way when the pool changes and deletes it in WeCom', async () => {
    const c = users[2] ?? '';
    const updated = must(
      await e.services.wecomLiveCodes.update(e.t.owner, codeId, {
        pool: [
          {
            staffId: e.staff.get(c) ?? '',
            schedule: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }],
          },
        ],
      }),
    );
    expect(updated.activeUserIds).toEqual([c]);
    expect(way(updated.configId)?.users).toEqual([c]);
    const audit = await e.services.platform.db
      .selectFrom('audit_log')
      .select('action')
      .where('tenant_id', '=', e.t.tenantId)
      .where('target_id', '=', codeId)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['wecom.live_code_created', 'wecom.live_code_updated']);
    const removed = must(await e.services.wecomLiveCodes.remove(e.t.owner, codeId));
    expect(removed.status).toBe('deleted');
    expect(way(updated.configId)).toBeUndefined();
    const stats = must(await e.services.wecomLiveCodes.stats(e.t.owner, codeId, { days: 30 }));
    expect(stats.totals.adds).toBe(2);
  });
  it('follows schedules: a member joins the contact way when their window opens and leaves when it closes', async () => {
    const [c, d] = users.slice(2, 4);
    const hour = 3_600_000;
    // The next full hour in China time, and the window from then for one hour, every day.
    const open = Math.ceil((e.clock.now() + 8 * hour + 1) / hour) * hour - 8 * hour;
    const hh = (t: number) => new Date(t + 8 * hour).toISOString().slice(11, 16);
    const code = must(
      await e.services.wecomLiveCodes.create(e.t.owner, {
        name: '排班',
        pool: [
          {
            staffId: e.staff.get(c ?? '') ?? '',
            schedule: [
              {
                weekdays: [1, 2, 3, 4, 5, 6, 7],
                from: hh(open),
                to: hh(open + hour) === '00:00' ? '24:00' : hh(open + hour),
              },
            ],
          },
          { staffId: e.staff.get(d ?? '') ?? '' },
        ],
      }),
    );
    expect(code.pool.map((m) => m.out)).toEqual(['off_schedule', null]);
    expect(way(code.configId)?.users).toEqual([d]);
    e.clock.set(open);
    await e.drain();
    expect(way(code.configId)?.users).toEqual([c, d].sort());
    e.clock.set(open + hour);
    await e.drain();
    expect(way(code.configId)?.users).toEqual([d]);
    const changes = await e.services.platform.db
      .selectFrom('outbox')
      .select('payload')
      .where('tenant_id', '=', e.t.tenantId)
      .where('type', '=', 'wecom.live_code_pool_changed')
      .where('aggregate_id', '=', code.id)
      .execute();
    expect(changes).toHaveLength(2);
    // The always-available member leaves: nobody is available, so the employed member stays.
    must(await e.services.staff.depart(e.t.owner, e.staff.get(d ?? '') ?? '', {}));
    await e.drain();
    expect(way(code.configId)?.users).toEqual([c]);
  });
});
