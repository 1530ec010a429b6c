import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryReplayStore, openCallbackXml, verifyUrl } from '../callback.ts';
import { WeComClient } from '../client/client.ts';
import type { CallbackKeys } from '../crypto.ts';
import { type CallbackEvent, parseCallbackEvent } from '../events.ts';
import { performRandomActivity } from './activity.ts';
import { generateCorp } from './generate.ts';
import { startWeComEmulator, type WeComEmulator, type WeComEmulatorOptions } from './server.ts';

const TOKEN = 'pondToken123';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

interface Receiver {
  url: string;
  events: CallbackEvent[];
  rejected: string[];
  /** Statuses to answer with, in order; afterwards 200. "hang" never answers. */
  script: (number | 'hang')[];
  server: Server;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function receiver(corpId: string): Promise<Receiver> {
  const keys: CallbackKeys = { token: TOKEN, encodingAesKey: AES_KEY, receiveId: corpId };
  const replay = new MemoryReplayStore();
  const r: Receiver = { url: '', events: [], rejected: [], script: [], server: createServer() };
  r.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Percent-decoding only, as SPEC §1.2 asks (URLSearchParams would turn "+" into " ").
      const params = new Map(
        (req.url?.split('?')[1] ?? '').split('&').map((p) => {
          const [k, v] = p.split('=');
          return [k ?? '', decodeURIComponent(v ?? '')] as const;
        }),
      );
      const q = {
        msgSignature: params.get('msg_signature') ?? '',
        timestamp: params.get('timestamp') ?? '',
        nonce: params.get('nonce') ?? '',
      };
      if (req.method === 'GET') {
        const result = verifyUrl(keys, { ...q, echostr: params.get('echostr') ?? '' });
        res.writeHead(result.ok ? 200 : 400).end(result.ok ? result.message : result.error);
        return;
      }
      const step = r.script.shift();
      if (step === 'hang') return;
      if (step !== undefined && step !== 200) {
        res.writeHead(step).end();
        return;
      }
      const opened = openCallbackXml(
        keys,
        { ...q, body: Buffer.concat(chunks).toString('utf8') },
        { replay, maxSkewSeconds: 300 },
      );
      if (opened.ok) r.events.push(parseCallbackEvent(opened.message));
      else r.rejected.push(opened.error);
      res.writeHead(opened.ok || opened.error === 'replayed' ? 200 : 400).end();
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/wecom/callback`;
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        r.server.closeAllConnections();
        r.server.close(() => resolve());
      }),
  );
  return r;
}

async function setup(options: WeComEmulatorOptions = {}) {
  const emulator: WeComEmulator = await startWeComEmulator({ seed: 3, callbackRetryDelayMs: 10, ...options });
  cleanup.push(() => emulator.close());
  const r = await receiver(emulator.corpId);
  emulator.setCallback({ url: r.url, token: TOKEN, encodingAesKey: AES_KEY });
  const client = new WeComClient({ baseUrl: emulator.url, corpId: emulator.corpId, secret: emulator.secret });
  return { emulator, corp: emulator.corp, r, client };
}

describe('emulator callbacks', () => {
  it('passes the GET URL verification of a correct receiver, and fails a wrong one', async () => {
    const { emulator } = await setup();
    const check = await emulator.verifyCallbackUrl();
    expect(check.ok).toBe(true);
    expect(check.body).toBe(check.expected);
    emulator.setCallback({ url: `${emulator.url}/nowhere`, token: TOKEN, encodingAesKey: AES_KEY });
    expect(await emulator.verifyCallbackUrl()).toMatchObject({ ok: false, status: 404 });
  });

  it('add_external_contact through a contact way carries State and a usable WelcomeCode', async () => {
    const { corp, r, client } = await setup();
    const users = [...corp.users.keys()].slice(0, 2);
    const { configId } = await client.addContactWay({ type: 2, scene: 2, users, state: 'ch_42' });
    const added = await corp.addExternalContact({ configId });
    expect(added.delivery).toMatchObject({ delivered: true, attempts: [200] });
    const event = r.events.at(-1);
    expect(event).toMatchObject({
      kind: 'add_external_contact',
      corpId: corp.corpId,
      userId: added.userId,
      externalUserId: added.externalUserId,
      state: 'ch_42',
      welcomeCode: added.welcomeCode,
    });
    if (event?.kind !== 'add_external_contact') throw new Error('wrong event');
    await client.sendWelcomeMessage({ welcomeCode: event.welcomeCode ?? '', text: '欢迎' });
    const detail = await client.getExternalContact(added.externalUserId);
    expect(detail.followUsers[0]).toMatchObject({ userId: added.userId, state: 'ch_42', addWay: 1 });
  });

  it('half adds, edits, both kinds of deletion', async () => {
    const { corp, r, client } = await setup();
    const follow = [...corp.follows.values()][0];
    if (!follow) throw new Error('no follow');
    const userId = follow.userId;
    const half = await corp.addExternalContact({ userId, half: true, welcomeCode: false });
    expect(r.events.at(-1)).toMatchObject({
      kind: 'add_half_external_contact',
      externalUserId: half.externalUserId,
    });
    expect(r.events.at(-1)).not.toHaveProperty('welcomeCode');
    const tag = corp.tagGroups[0]?.tags[0]?.id ?? '';
    await corp.editContact({
      userId,
      externalUserId: follow.externalUserId,
      remark: '李总',
      addTagIds: [tag],
    });
    expect(r.events.at(-1)).toMatchObject({
      kind: 'edit_external_contact',
      userId,
      externalUserId: follow.externalUserId,
    });
    const detail = await client.getExternalContact(follow.externalUserId);
    expect(detail.followUsers.find((f) => f.userId === userId)).toMatchObject({ remark: '李总' });
    await corp.customerDeletesStaff(userId, follow.externalUserId);
    expect(r.events.at(-1)).toMatchObject({
      kind: 'del_follow_user',
      userId,
      externalUserId: follow.externalUserId,
    });
    await expect(
      client.markTag({ userId, externalUserId: follow.externalUserId, addTagIds: [tag] }),
    ).rejects.toMatchObject({
      errcode: 84061,
    });
    await corp.staffDeletesCustomer(userId, half.externalUserId);
    expect(r.events.at(-1)).toMatchObject({ kind: 'del_external_contact', byTransfer: false });
    expect(r.rejected).toEqual([]);
  });

  it('group create, join by QR code, removal, rename, dismiss', async () => {
    const { corp, r, client } = await setup();
    const owner = [...corp.users.keys()][0] ?? '';
    const customers = corp.followsOf(owner).map((f) => f.externalUserId);
    const { chatId } = await corp.createGroup({
      owner,
      name: '新品体验群',
      externalUserIds: customers.slice(0, 1),
    });
    expect(r.events.at(-1)).toMatchObject({ kind: 'chat_create', chatId });
    const joiner = [...corp.customers.keys()].find((id) => !customers.includes(id)) ?? '';
    await corp.joinGroup(chatId, joiner, { via: 'qrcode', state: 'grp_qr' });
    const join = r.events.at(-1);
    expect(join).toMatchObject({
      kind: 'chat_update',
      chatId,
      updateDetail: 'add_member',
      joinScene: 3,
      memChangeCnt: 1,
      memChangeList: [joiner],
    });
    const detail = await client.getGroupChat(chatId);
    expect(detail.members.find((m) => m.userId === joiner)).toMatchObject({
      type: 2,
      joinScene: 3,
      state: 'grp_qr',
    });
    expect(join?.kind === 'chat_update' && join.curMemVer).toBe(detail.memberVersion);
    await corp.quitGroup(chatId, joiner, { removed: true });
    expect(r.events.at(-1)).toMatchObject({ kind: 'chat_update', updateDetail: 'del_member', quitScene: 1 });
    await corp.joinGroup(chatId, joiner);
    expect(r.events.at(-1)).toMatchObject({ joinScene: 0 });
    await corp.quitGroup(chatId, joiner);
    expect(r.events.at(-1)).toMatchObject({ quitScene: 0 });
    await corp.renameGroup(chatId, '老客群');
    expect(r.events.at(-1)).toMatchObject({ updateDetail: 'change_name' });
    await corp.dismissGroup(chatId);
    expect(r.events.at(-1)).toMatchObject({ kind: 'chat_dismiss', chatId });
    await expect(client.getGroupChat(chatId)).rejects.toMatchObject({ errcode: 40058 });
  });

  it('tag library changes made in the console', async () => {
    const { corp, r, client } = await setup();
    const { group } = await corp.createTagGroup('季节', ['春', '夏']);
    expect(r.events.at(-1)).toMatchObject({
      kind: 'tag_change',
      tagChange: 'create',
      id: group.groupId,
      tagType: 'tag_group',
    });
    const { tag } = await corp.addTag(group.groupId, '秋');
    expect(r.events.at(-1)).toMatchObject({ tagChange: 'create', id: tag.id, tagType: 'tag' });
    await corp.renameTag(tag.id, '秋季');
    expect(r.events.at(-1)).toMatchObject({ tagChange: 'update', tagType: 'tag' });
    await corp.shuffleTags(group.groupId);
    expect(r.events.at(-1)).toMatchObject({ tagChange: 'shuffle', id: group.groupId });
    await corp.deleteTag(group.groupId);
    expect(r.events.at(-1)).toMatchObject({ tagChange: 'delete', tagType: 'tag_group' });
    expect((await client.getCorpTagList()).some((g) => g.groupId === group.groupId)).toBe(false);
  });

  it('transfer refusals and limits push transfer_fail; completed in-service transfers remove the old relation', async () => {
    const { corp, r, client, emulator } = await setup({ takeoverCustomerLimit: 1000 });
    const [a, b] = [...corp.users.keys()];
    const theirs = corp.followsOf(a ?? '').map((f) => f.externalUserId);
    await client.transferCustomers({
      handoverUserId: a ?? '',
      takeoverUserId: b ?? '',
      externalUserIds: theirs,
    });
    await corp.settleTransfers({ refused: [theirs[0] ?? ''] });
    expect(r.events.filter((e) => e.kind === 'transfer_fail')).toMatchObject([
      { failReason: 'customer_refused', userId: b, externalUserId: theirs[0] },
    ]);
    expect(r.events.filter((e) => e.kind === 'del_external_contact')).toHaveLength(theirs.length - 1);
    expect(
      r.events
        .filter((e) => e.kind === 'del_external_contact')
        .every((e) => e.kind === 'del_external_contact' && e.byTransfer),
    ).toBe(true);
    emulator.corp.deps.takeoverCustomerLimit = 0;
    await client.transferCustomers({
      handoverUserId: a ?? '',
      takeoverUserId: b ?? '',
      externalUserIds: [theirs[0] ?? ''],
    });
    await corp.settleTransfers();
    expect(r.events.at(-1)).toMatchObject({ kind: 'transfer_fail', failReason: 'customer_limit_exceed' });
  });
});

describe('delivery', () => {
  it('retries a failing receiver, 3 attempts in total', async () => {
    const { corp, r } = await setup();
    const userId = [...corp.users.keys()][0] ?? '';
    r.script.push(500, 503);
    const ok = await corp.addExternalContact({ userId });
    expect(ok.delivery.attempts).toEqual([500, 503, 200]);
    expect(ok.delivery.delivered).toBe(true);
    expect(r.events).toHaveLength(1);
    r.script.push(500, 500, 500);
    const lost = await corp.addExternalContact({ userId });
    expect(lost.delivery).toMatchObject({ delivered: false, attempts: [500, 500, 500] });
  });

  it('treats a receiver slower than the time limit as failed and tries again with the same request', async () => {
    const { corp, r } = await setup({ callbackTimeoutMs: 800 });
    const userId = [...corp.users.keys()][0] ?? '';
    r.script.push('hang');
    const result = await corp.addExternalContact({ userId });
    expect(result.delivery.attempts).toEqual(['timeout', 200]);
    expect(r.events).toHaveLength(1);
    expect(r.rejected).toEqual([]);
  });

  it('pushes nothing without a callback URL, and still changes the corp', async () => {
    const { corp, emulator, r } = await setup();
    emulator.setCallback(null);
    const userId = [...corp.users.keys()][0] ?? '';
    const result = await corp.addExternalContact({ userId });
    expect(result.delivery).toMatchObject({ skipped: true, delivered: false, attempts: [] });
    expect(corp.follow(userId, result.externalUserId)).toBeDefined();
    expect(r.events).toHaveLength(0);
  });

  it('is signed for this corp only: another corp rejects it', async () => {
    const { corp } = await setup();
    const other = await receiver('wwsomeoneelse');
    corp.setCallback({ url: other.url, token: TOKEN, encodingAesKey: AES_KEY });
    const result = await corp.addExternalContact({ userId: [...corp.users.keys()][0] ?? '' });
    expect(other.rejected).toEqual(['wrong_receiveid', 'wrong_receiveid', 'wrong_receiveid']);
    expect(result.delivery.attempts).toEqual([400, 400, 400]);
  });
});

describe('live activity', () => {
  const EVENT_OF: Record<string, string> = {
    add_via_contact_way: 'add_external_contact',
    add_direct: 'add_external_contact',
    add_second_staff: 'add_external_contact',
    customer_deletes_staff: 'del_follow_user',
    staff_deletes_customer: 'del_external_contact',
    edit_contact: 'edit_external_contact',
    join_group: 'chat_update',
    quit_group: 'chat_update',
  };

  it('every action changes the corp and pushes its callback', async () => {
    const { corp, r, client } = await setup();
    await client.addContactWay({
      type: 2,
      scene: 2,
      users: [...corp.users.keys()].slice(0, 3),
      state: 'demo_code',
    });
    const records = [];
    for (let i = 0; i < 40; i += 1) records.push(await performRandomActivity(corp));
    expect(records.every((x) => x.delivery.delivered)).toBe(true);
    expect(r.events.map((e) => e.kind)).toEqual(records.map((x) => EVENT_OF[x.kind]));
    expect(new Set(records.map((x) => x.kind)).size).toBeGreaterThanOrEqual(5);
    const viaCode = records.find((x) => x.kind === 'add_via_contact_way');
    expect(corp.follow(viaCode?.userId ?? '', viaCode?.externalUserId ?? '')?.state).toBe('demo_code');
    const deleted = records.find((x) => x.kind === 'customer_deletes_staff');
    if (deleted) expect(corp.follow(deleted.userId ?? '', deleted.externalUserId ?? '')).toBeUndefined();
  });

  it('runs on a timer until maxActions and stops with close', async () => {
    const { emulator, r } = await setup();
    const seen: string[] = [];
    emulator.startActivity({ intervalMs: 20, maxActions: 3, onAction: (x) => seen.push(x.kind) });
    for (let i = 0; i < 100 && seen.length < 3; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toHaveLength(3);
    expect(r.events).toHaveLength(3);
  });

  it('stops only once an action under way has delivered, and reports nothing after', async () => {
    // The receiver holds the first callback until it times out: the action is under way for a second.
    const { emulator, r } = await setup({ callbackTimeoutMs: 1000, callbackAttempts: 1 });
    r.script.push('hang');
    const seen: string[] = [];
    const handle = emulator.startActivity({ intervalMs: 10, onAction: (x) => seen.push(x.kind) });
    // The receiver took its scripted step: the first callback is hanging.
    for (let i = 0; i < 400 && r.script.length > 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(r.script).toHaveLength(0);
    expect(seen).toHaveLength(0);
    await handle.stop();
    expect(seen).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toHaveLength(1);
  });
});

describe('seeded corp', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    const now = Date.UTC(2026, 0, 1);
    expect(generateCorp({ seed: 9, now })).toEqual(generateCorp({ seed: 9, now }));
    expect(generateCorp({ seed: 9, now }).corpId).not.toBe(generateCorp({ seed: 10, now }).corpId);
    const a = await startWeComEmulator({ seed: 5, now: () => now });
    const b = await startWeComEmulator({ seed: 5, now: () => now });
    cleanup.push(
      () => a.close(),
      () => b.close(),
    );
    const added = await Promise.all(
      [a, b].map((e) => e.corp.addExternalContact({ userId: [...e.corp.users.keys()][0] ?? '' })),
    );
    expect(added[0]?.externalUserId).toBe(added[1]?.externalUserId);
    expect(added[0]?.welcomeCode).toBe(added[1]?.welcomeCode);
  });

  it('has the requested shape with realistic relations', () => {
    const corp = generateCorp({ seed: 2, departments: 6, staff: 30, customers: 400, groups: 8 });
    expect(corp.departments).toHaveLength(7);
    expect(corp.users).toHaveLength(30);
    expect(new Set(corp.users.map((u) => u.userId)).size).toBe(30);
    expect(corp.customers).toHaveLength(400);
    expect(corp.follows.length).toBeGreaterThan(400);
    expect(corp.groups).toHaveLength(8);
    expect(corp.customers.every((c) => /^w[mo][A-Za-z0-9]{26}AAAA$/.test(c.externalUserId))).toBe(true);
    const tagIds = new Set(corp.tagGroups.flatMap((g) => g.tags.map((t) => t.id)));
    expect(corp.follows.every((f) => f.tagIds.every((t) => tagIds.has(t)))).toBe(true);
    expect(corp.groups.every((g) => g.members[0]?.userId === g.owner)).toBe(true);
  });
});

describe('emulator HTTP surface', () => {
  it('answers WeCom errors for missing token, bad JSON and unknown APIs', async () => {
    const { emulator } = await setup();
    const get = async (path: string, init?: RequestInit) =>
      (await fetch(`${emulator.url}/cgi-bin/${path}`, init)).json();
    expect(await get('department/list')).toMatchObject({ errcode: 41001 });
    expect(await get('department/list?access_token=forged')).toMatchObject({ errcode: 40014 });
    const { access_token: token } = (await get(
      `gettoken?corpid=${emulator.corpId}&corpsecret=${emulator.secret}`,
    )) as {
      access_token: string;
    };
    expect(await get(`gettoken?corpid=${emulator.corpId}&corpsecret=${emulator.secret}`)).toMatchObject({
      access_token: token,
      expires_in: expect.any(Number),
    });
    expect(
      await get(`externalcontact/mark_tag?access_token=${token}`, { method: 'POST', body: '{oops' }),
    ).toMatchObject({
      errcode: 47001,
      errmsg: expect.stringContaining('Warning: wrong json format.'),
    });
    expect(await get(`nope/nothing?access_token=${token}`)).toMatchObject({ errcode: 48001 });
  });
});
