import { randomBytes } from 'node:crypto';
import {
  makeTenant,
  must,
  openTestStorage,
  type SimulatedClock,
  settle,
  simulatedClock,
  type TestTenant,
  testDialects,
} from '@pond/testing';
import { sealCallback, toXml } from '@pond/wecom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services.ts';

const CORP = 'ww6a112864f8022910';
const TOKEN = 'kz7Yx62CH8SaLN';
const AES_KEY = 'cD0d7jx4tYvVtzqrmh3Dm3QFCXe6f8SlHoMtMh3qQEP';
const keys = { token: TOKEN, encodingAesKey: AES_KEY, receiveId: CORP };

/** A decrypted customer-contact event as WeCom writes it. */
function contactEvent(changeType: string, fields: Record<string, string>, at: number) {
  return toXml('xml', {
    ToUserName: CORP,
    FromUserName: 'sys',
    CreateTime: Math.floor(at / 1000),
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: changeType,
    ...fields,
  });
}

describe.each(testDialects())('WeCom callbacks into the domain on %s', (dialect) => {
  let services: Services;
  let close: () => Promise<void>;
  let clock: SimulatedClock;
  let t: TestTenant;
  let key: string;
  let staffId: string;

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    clock = simulatedClock(Date.UTC(2026, 10, 20, 8));
    services = createServices({
      storage: opened.storage,
      clock,
      secretKey: randomBytes(32),
      wecomGateway: () => {
        throw new Error('no REST calls without a secret');
      },
    });
    close = opened.close;
    t = await makeTenant(services);
    const saved = must(
      await services.wecom.config.save(t.owner, {
        corpId: CORP,
        token: TOKEN,
        encodingAesKey: AES_KEY,
        apiBaseUrl: 'https://qyapi.weixin.qq.com',
      }),
    );
    key = saved.callbackPath?.split('/').pop() ?? '';
    staffId = must(
      await services.staff.create(t.owner, {
        name: '张三',
        orgUnitId: t.rootUnitId,
        wecomUserId: 'zhangsan',
      }),
    ).id;
  });
  afterAll(() => close());

  const post = (xml: string, opts: { nonce?: string; timestamp?: string; keys?: typeof keys } = {}) => {
    const sealed = sealCallback(opts.keys ?? keys, xml, { now: () => clock.now(), ...opts });
    return {
      sealed,
      send: (
        over: Partial<{ msg_signature: string; timestamp: string; nonce: string }> = {},
        body = sealed.xml,
      ) =>
        services.wecom.receiver.receive(
          key,
          { msg_signature: sealed.msgSignature, timestamp: sealed.timestamp, nonce: sealed.nonce, ...over },
          body,
          '203.0.113.9',
        ),
    };
  };

  const customerOf = (external: string) =>
    services.platform.db
      .selectFrom('customer_identities')
      .innerJoin('customers', 'customers.id', 'customer_identities.customer_id')
      .select(['customers.id', 'customers.public_id', 'customers.owner_staff_id', 'customers.source_channel'])
      .where('customer_identities.tenant_id', '=', t.tenantId)
      .where('customer_identities.type', '=', 'wecom_external_userid')
      .where('customer_identities.value', '=', external)
      .executeTakeFirst();

  it('stores secrets sealed and shows them masked', async () => {
    const row = await services.platform.db
      .selectFrom('wecom_configs')
      .selectAll()
      .where('tenant_id', '=', t.tenantId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    expect(JSON.stringify(row)).not.toContain(AES_KEY);
    const shown = await services.wecom.config.get(t.owner);
    expect(shown.token).not.toBe(TOKEN);
    expect(shown.encodingAesKey?.slice(0, 3)).toBe(AES_KEY.slice(0, 3));
    expect(shown.encodingAesKey).not.toContain(AES_KEY.slice(3, -3));
  });

  it('turns an added contact into a customer, a relationship and a customer event, once per delivery', async () => {
    const at = clock.now();
    const xml = contactEvent(
      'add_external_contact',
      { UserID: 'ZhangSan', ExternalUserID: 'wmAdd001', State: 'store-qr', WelcomeCode: 'WC' },
      at,
    );
    const first = await post(xml).send();
    expect(first).toMatchObject({ status: 200, body: '' });
    // WeCom delivers the same event again with new request parameters: known, not re-processed.
    const again = await post(xml, { nonce: '777' }).send();
    expect(again.status).toBe(200);
    await settle(services);
    const customer = await customerOf('wmAdd001');
    expect(customer).toMatchObject({ owner_staff_id: staffId, source_channel: 'wecom:store-qr' });
    const rel = await services.platform.db
      .selectFrom('wecom_relationships')
      .selectAll()
      .where('tenant_id', '=', t.tenantId)
      .where('external_userid', '=', 'wmAdd001')
      .execute();
    expect(rel).toHaveLength(1);
    expect(rel[0]).toMatchObject({
      status: 'active',
      staff_id: staffId,
      state: 'store-qr',
      added_at: Math.floor(at / 1000) * 1000,
    });
    const events = await services.platform.db
      .selectFrom('events')
      .select(['name', 'properties'])
      .where('tenant_id', '=', t.tenantId)
      .where('customer_id', '=', customer?.id ?? 0)
      .execute();
    expect(events.map((e) => e.name)).toEqual(['WeCom Contact Added']);
    const inbox = must(await services.wecom.inbox.callbacks(t.owner, { limit: 10, order: 'desc' }));
    expect(inbox.data[0]).toMatchObject({
      status: 'processed',
      duplicates: 1,
      changeType: 'add_external_contact',
    });
    const timeline = must(await services.timeline.list(t.owner, customer?.public_id ?? '', { limit: 10 }));
    expect(timeline.data.some((i) => i.kind === 'event' && i.name === 'WeCom Contact Added')).toBe(true);
    const audience = must(
      await services.audiences.preview(t.owner, { rule: { kind: 'event', name: 'WeCom Contact Added' } }),
    );
    expect(audience.count).toBe(1);
  });

  it('a customer deleting the staff member raises a loss alert with a win-back task for the owner', async () => {
    clock.advance(60_000);
    const r = await post(
      contactEvent('del_follow_user', { UserID: 'zhangsan', ExternalUserID: 'wmAdd001' }, clock.now()),
    ).send();
    expect(r.status).toBe(200);
    await settle(services);
    const rel = await services.platform.db
      .selectFrom('wecom_relationships')
      .select('status')
      .where('tenant_id', '=', t.tenantId)
      .where('external_userid', '=', 'wmAdd001')
      .executeTakeFirstOrThrow();
    expect(rel.status).toBe('deleted_by_customer');
    const alerts = must(await services.wecom.lossAlerts.list(t.owner, { limit: 10, order: 'desc' }));
    expect(alerts.data).toHaveLength(1);
    expect(alerts.data[0]).toMatchObject({
      kind: 'deleted_by_customer',
      status: 'open',
      task: { status: 'open', assignee: { id: staffId } },
    });
    const announced = await services.platform.db
      .selectFrom('outbox')
      .select('aggregate_id')
      .where('tenant_id', '=', t.tenantId)
      .where('type', '=', 'wecom.loss_alert_opened')
      .execute();
    expect(announced.map((r) => r.aggregate_id)).toEqual([alerts.data[0]?.id]);
    const done = must(
      await services.wecom.lossAlerts.update(t.owner, alerts.data[0]?.id ?? '', {
        taskStatus: 'done',
        note: '已电话回访',
      }),
    );
    expect(done.task.status).toBe('done');
    // The customer adds the staff member back: the alert is won back by itself.
    clock.advance(60_000);
    await post(
      contactEvent('add_external_contact', { UserID: 'zhangsan', ExternalUserID: 'wmAdd001' }, clock.now()),
    ).send();
    await settle(services);
    const after = must(await services.wecom.lossAlerts.list(t.owner, { limit: 10, order: 'desc' }));
    expect(after.data[0]?.status).toBe('won_back');
  });

  it('group joins and leaves become memberships and customer events', async () => {
    clock.advance(60_000);
    const chat = (detail: string, extra: Record<string, string | string[]>) =>
      toXml('xml', {
        ToUserName: CORP,
        FromUserName: 'sys',
        CreateTime: Math.floor(clock.now() / 1000),
        MsgType: 'event',
        Event: 'change_external_chat',
        ChatId: 'wrChat01',
        ChangeType: 'update',
        UpdateDetail: detail,
        ...extra,
      });
    expect(
      (
        await post(
          chat('add_member', { JoinScene: '3', MemChangeCnt: '2', MemChangeList: ['wmAdd001', 'wmNew002'] }),
        ).send()
      ).status,
    ).toBe(200);
    await settle(services);
    const groups = must(await services.wecom.views.groups(t.owner, { limit: 10, order: 'desc' }));
    expect(groups.data[0]).toMatchObject({ chatId: 'wrChat01', externalCount: 2 });
    clock.advance(1000);
    await post(chat('del_member', { QuitScene: '0', MemChangeCnt: '1', MemChangeList: ['wmNew002'] })).send();
    await settle(services);
    const detail = must(await services.wecom.views.group(t.owner, groups.data[0]?.id ?? ''));
    expect(detail.members.map((m) => [m.memberId, m.status]).sort()).toEqual([
      ['wmAdd001', 'member'],
      ['wmNew002', 'left'],
    ]);
    const newcomer = await customerOf('wmNew002');
    const names = await services.platform.db
      .selectFrom('events')
      .select('name')
      .where('customer_id', '=', newcomer?.id ?? 0)
      .orderBy('id')
      .execute();
    expect(names.map((n) => n.name)).toEqual(['WeCom Group Joined', 'WeCom Group Left']);
  });

  it('refuses forged, stale, foreign, malformed and replayed requests, logging why and storing nothing', async () => {
    const count = async () =>
      Number(
        (
          await services.platform.db
            .selectFrom('wecom_callbacks')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('tenant_id', '=', t.tenantId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const xml = contactEvent(
      'edit_external_contact',
      { UserID: 'zhangsan', ExternalUserID: 'wmAdd001' },
      clock.now(),
    );
    const p = post(xml);
    expect(await p.send({ msg_signature: 'f'.repeat(40) })).toMatchObject({
      status: 401,
      reason: 'bad_signature',
    });
    const stale = post(xml, { timestamp: String(Math.floor(clock.now() / 1000) - 3600) });
    expect(await stale.send()).toMatchObject({ status: 401, reason: 'stale_timestamp' });
    const foreign = post(xml, { keys: { ...keys, receiveId: 'wwOtherCorp00001' } });
    expect(await foreign.send()).toMatchObject({ status: 403, reason: 'wrong_receiveid' });
    expect(await p.send({}, '<xml><nope/></xml>')).toMatchObject({ status: 400 });
    expect(await p.send({ nonce: '' })).toMatchObject({ status: 400, reason: 'missing_parameters' });
    expect(await services.wecom.receiver.receive('unknownkey123', {}, '', null)).toMatchObject({
      status: 404,
    });
    expect(await count()).toBe(before);
    expect(await p.send()).toMatchObject({ status: 200, body: '' });
    expect(await p.send()).toMatchObject({ status: 200, reason: 'replayed' });
    expect(await count()).toBe(before + 1);
    const stats = await services.wecom.inbox.stats(t.owner);
    expect(stats.rejectedByReason).toMatchObject({
      bad_signature: 1,
      stale_timestamp: 1,
      wrong_receiveid: 1,
      bad_xml: 1,
      missing_parameters: 1,
      replayed: 1,
    });
  });

  it('answers the URL check with the decrypted echo', async () => {
    const sealed = sealCallback(keys, '1616140317555161061', { now: () => clock.now() });
    const r = await services.wecom.receiver.verify(
      key,
      // A form decoder may have turned "+" into " ": repaired.
      {
        msg_signature: sealed.msgSignature,
        timestamp: sealed.timestamp,
        nonce: sealed.nonce,
        echostr: sealed.encrypted.replaceAll('+', ' '),
      },
      null,
    );
    expect(r).toMatchObject({ status: 200, body: '1616140317555161061' });
  });
});
