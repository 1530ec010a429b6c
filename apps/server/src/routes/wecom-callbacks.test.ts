import { createServer } from 'node:net';
import { weComGateways } from '@pond/core';
import { makeTenant, type TestTenant, testDialects } from '@pond/testing';
import { sealCallback, startWeComEmulator, type WeComEmulator } from '@pond/wecom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

const TOKEN = 'PondTestToken2026';

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
const AES_KEY = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456';

/**
 * End to end: the emulated corp's actions push encrypted callbacks to Pond's real HTTP
 * listener; Pond stores, processes (reading details back from the emulator's API) and shows
 * the result through its own API.
 */
describe.each(testDialects())('WeCom callbacks from the emulator on %s', (dialect) => {
  let f: HttpFixture;
  let emulator: WeComEmulator;
  let owner: SessionCaller;
  let t: TestTenant;
  let callbackUrl: string;
  let userId: string;
  let staffId: string;

  beforeAll(async () => {
    emulator = await startWeComEmulator({
      seed: 7,
      generate: { staff: 4, customers: 6, groups: 1 },
      callbackRetryDelayMs: 50,
    });
    // Pond knows its public address, so the connection check can probe the callback URL.
    const port = await freePort();
    f = await httpFixture(dialect, {
      deps: { wecomGateway: weComGateways(), publicUrl: `http://127.0.0.1:${port}` },
    });
    const address = await f.app.listen({ host: '127.0.0.1', port });
    t = await makeTenant(f.services);
    owner = await f.signIn(t.ownerEmail);
    const saved = await owner.call('PUT', '/api/v1/wecom/config', {
      corpId: emulator.corpId,
      agentId: emulator.agentId,
      secret: emulator.secret,
      token: TOKEN,
      encodingAesKey: AES_KEY,
      apiBaseUrl: emulator.url,
    });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    callbackUrl = `${address}${saved.json.callbackPath}`;
    userId = [...emulator.corp.users.keys()][0] ?? '';
    const staff = await owner.call('POST', '/api/v1/staff', {
      name: '李导购',
      orgUnitId: t.rootUnitId,
      wecomUserId: userId,
    });
    staffId = staff.json.id;
    emulator.setCallback({ url: callbackUrl, token: TOKEN, encodingAesKey: AES_KEY });
  });
  afterAll(async () => {
    await emulator?.close();
    await f?.close();
  });

  /** Lets the worker process what arrived. */
  const settle = async () => {
    await f.services.platform.jobs.runDue();
    await f.services.platform.outbox.drain();
  };

  it('shows the configuration masked, and the connection check passes against the emulator', async () => {
    const shown = await owner.call('GET', '/api/v1/wecom/config');
    expect(shown.json).toMatchObject({ configured: true, corpId: emulator.corpId, secretsEncrypted: true });
    expect(JSON.stringify(shown.json)).not.toContain(emulator.secret);
    expect(JSON.stringify(shown.json)).not.toContain(AES_KEY);
    const check = await owner.call('POST', '/api/v1/wecom/config/check');
    expect(check.status).toBe(200);
    expect(check.json.items.find((i: { name: string }) => i.name === 'token')).toMatchObject({
      status: 'ok',
    });
    expect(
      check.json.items
        .filter((i: { name: string }) => i.name === 'callback')
        .map((i: { status: string }) => i.status),
    ).toContain('ok');
    expect(check.json.ok).toBe(true);
  });

  it('names what is wrong when the app lacks the customer-contact permission', async () => {
    emulator.behaviour.customerContactPermission = false;
    try {
      const check = await owner.call('POST', '/api/v1/wecom/config/check');
      expect(check.json.ok).toBe(false);
      expect(check.json.items.find((i: { name: string }) => i.name === 'permission')).toMatchObject({
        status: 'failed',
        errcode: 48002,
      });
    } finally {
      emulator.behaviour.customerContactPermission = true;
    }
  });

  it('passes WeCom’s URL verification', async () => {
    const v = await emulator.verifyCallbackUrl();
    expect(v).toMatchObject({ ok: true, status: 200 });
  });

  it('a customer adding a staff member, then deleting them, flows into customers, relationships, loss alerts and events', async () => {
    const added = await emulator.corp.addExternalContact({ userId, state: 'store-qr-1' });
    expect(added.delivery).toMatchObject({ delivered: true, attempts: [200] });
    await settle();
    const contact = emulator.corp.customers.get(added.externalUserId);
    const found = await owner.call('GET', `/api/v1/customers?q=${encodeURIComponent(contact?.name ?? '')}`);
    const customer = found.json.data.find((c: { name: string }) => c.name === contact?.name);
    expect(customer).toMatchObject({ ownerStaffId: staffId, sourceChannel: 'wecom:store-qr-1' });
    const ties = await owner.call('GET', `/api/v1/customers/${customer.id}/wecom`);
    expect(ties.json.relationships).toMatchObject([
      { staffId, status: 'active', state: 'store-qr-1', externalUserId: added.externalUserId },
    ]);

    const lost = await emulator.corp.customerDeletesStaff(userId, added.externalUserId);
    expect(lost.delivered).toBe(true);
    await settle();
    const after = await owner.call('GET', `/api/v1/customers/${customer.id}/wecom`);
    expect(after.json.relationships[0].status).toBe('deleted_by_customer');
    const alerts = await owner.call('GET', '/api/v1/wecom/loss-alerts?status=open');
    expect(alerts.json.data).toMatchObject([
      {
        kind: 'deleted_by_customer',
        customer: { id: customer.id },
        task: { status: 'open', assignee: { id: staffId } },
      },
    ]);
    const timeline = await owner.call('GET', `/api/v1/customers/${customer.id}/timeline`);
    const names = timeline.json.data
      .filter((i: { kind: string }) => i.kind === 'event')
      .map((i: { name: string }) => i.name);
    expect(names).toEqual(['WeCom Contact Lost', 'WeCom Contact Added']);
  });

  it('customer groups: creation, joins and dismissal become groups, memberships and events', async () => {
    const externals = [...emulator.corp.customers.keys()].slice(0, 2);
    const created = await emulator.corp.createGroup({
      owner: userId,
      name: '会员福利群',
      externalUserIds: [externals[0] ?? ''],
    });
    expect(created.delivery.delivered).toBe(true);
    await settle();
    const joined = await emulator.corp.joinGroup(created.chatId, externals[1] ?? '', { via: 'qrcode' });
    expect(joined.delivered).toBe(true);
    await settle();
    const groups = await owner.call('GET', '/api/v1/wecom/groups');
    const group = groups.json.data.find((g: { chatId: string }) => g.chatId === created.chatId);
    expect(group).toMatchObject({
      name: '会员福利群',
      status: 'active',
      externalCount: 2,
      owner: { staffId },
    });
    const detail = await owner.call('GET', `/api/v1/wecom/groups/${group.id}`);
    const newcomer = detail.json.members.find((m: { memberId: string }) => m.memberId === externals[1]);
    expect(newcomer).toMatchObject({ kind: 'external', status: 'member', joinScene: 3 });
    expect(newcomer.customerId).toMatch(/^cus_/);
    await emulator.corp.dismissGroup(created.chatId);
    await settle();
    const gone = await owner.call('GET', `/api/v1/wecom/groups/${group.id}`);
    expect(gone.json.status).toBe('dismissed');
    expect(gone.json.members.every((m: { status: string }) => m.status === 'left')).toBe(true);
    const events = await owner.call('GET', `/api/v1/customers/${newcomer.customerId}/timeline`);
    const names = events.json.data
      .filter((i: { kind: string }) => i.kind === 'event')
      .map((i: { name: string }) => i.name);
    expect(names).toEqual(['WeCom Group Left', 'WeCom Group Joined']);
  });

  it('a failing detail read is retried with back-off, visible in the inbox meanwhile', async () => {
    emulator.failNext('externalcontact/get', 48002, 1);
    const added = await emulator.corp.addExternalContact({ userId });
    expect(added.delivery.delivered).toBe(true);
    await settle();
    const inbox = await owner.call('GET', '/api/v1/wecom/callbacks?limit=1');
    expect(inbox.json.data[0]).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(inbox.json.data[0].lastError).toContain('48002');
    f.clock.advance(2_000);
    await settle();
    const again = await owner.call('GET', `/api/v1/wecom/callbacks?limit=1`);
    expect(again.json.data[0]).toMatchObject({ status: 'processed', attempts: 2, lastError: null });
  });

  it('refuses forged, foreign and malformed requests over HTTP, and a replay stores nothing new', async () => {
    const keys = { token: TOKEN, encodingAesKey: AES_KEY, receiveId: emulator.corpId };
    const xml = `<xml><ToUserName><![CDATA[${emulator.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${Math.floor(f.clock.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event><Id><![CDATA[etTAG1]]></Id><TagType><![CDATA[tag]]></TagType><ChangeType><![CDATA[create]]></ChangeType></xml>`;
    const sealed = sealCallback(keys, xml, { now: () => f.clock.now() });
    const send = (query: string, body: string) =>
      fetch(`${callbackUrl}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    const q = `msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`;
    const count = async () => (await owner.call('GET', '/api/v1/wecom/callbacks/stats')).json.byStatus;
    const before = await count();

    const forged = await send(
      `msg_signature=${'0'.repeat(40)}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
      sealed.xml,
    );
    expect([forged.status, await forged.text()]).toEqual([401, 'bad_signature']);
    const unknown = await fetch(callbackUrl.replace(/[^/]+$/, 'nosuchtenantkey0'), {
      method: 'POST',
      body: sealed.xml,
    });
    expect(unknown.status).toBe(404);
    const malformed = await send(q, '<xml><Encrypt>');
    expect(malformed.status).toBe(400);
    const foreign = sealCallback({ ...keys, receiveId: 'wwSomeOtherCorp01' }, xml, {
      now: () => f.clock.now(),
    });
    const other = await send(
      `msg_signature=${foreign.msgSignature}&timestamp=${foreign.timestamp}&nonce=${foreign.nonce}`,
      foreign.xml,
    );
    expect(other.status).toBe(403);
    expect(await count()).toEqual(before);

    const ok = await send(q, sealed.xml);
    expect([ok.status, await ok.text()]).toEqual([200, '']);
    const replay = await send(q, sealed.xml);
    expect(replay.status).toBe(200);
    await settle();
    const after = await count();
    expect(after.processed).toBe((before.processed ?? 0) + 1);
    const stats = (await owner.call('GET', '/api/v1/wecom/callbacks/stats')).json;
    expect(stats.rejectedByReason).toMatchObject({
      bad_signature: 1,
      bad_xml: 1,
      wrong_receiveid: 1,
      replayed: 1,
    });
    const rejections = await owner.call('GET', '/api/v1/wecom/callback-rejections?limit=10');
    expect(rejections.json.data[0]).toMatchObject({ reason: 'replayed' });
  });
});
