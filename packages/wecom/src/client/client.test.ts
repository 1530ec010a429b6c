import { afterEach, describe, expect, it } from 'vitest';
import { startWeComEmulator, type WeComEmulator, type WeComEmulatorOptions } from '../emulator/server.ts';
import { WeComClient } from './client.ts';
import { isConfigError, isRelationshipGone, WeComApiError } from './errors.ts';
import type { WeComClientOptions } from './transport.ts';

const START = Date.UTC(2026, 2, 2, 2, 0, 0);

interface Setup {
  emulator: WeComEmulator;
  client: WeComClient;
  sleeps: number[];
  clock: { t: number };
}

const running: WeComEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function setup(
  emulatorOptions: WeComEmulatorOptions = {},
  clientOptions: Partial<WeComClientOptions> = {},
): Promise<Setup> {
  const clock = { t: START };
  const now = () => clock.t;
  const emulator = await startWeComEmulator({ seed: 7, now, ...emulatorOptions });
  running.push(emulator);
  const sleeps: number[] = [];
  const client = new WeComClient({
    baseUrl: emulator.url,
    corpId: emulator.corpId,
    secret: emulator.secret,
    now,
    // Sleeping moves the shared clock: no real waiting.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    ...clientOptions,
  });
  return { emulator, client, sleeps, clock };
}

describe('access token', () => {
  it('is cached, and concurrent callers share one gettoken', async () => {
    const { emulator, client } = await setup();
    const results = await Promise.all(Array.from({ length: 25 }, () => client.listFollowUsers()));
    expect(new Set(results.map((r) => r.length))).toEqual(new Set([12]));
    expect(emulator.callCount('gettoken')).toBe(1);
    expect(emulator.callCount('externalcontact/get_follow_user_list')).toBe(25);
    await client.listDepartments();
    expect(emulator.callCount('gettoken')).toBe(1);
  });

  it('is refreshed before it expires, with the margin', async () => {
    const { emulator, client, clock } = await setup({ tokenTtlSeconds: 7200 });
    await client.listFollowUsers();
    clock.t += (7200 - 301) * 1000;
    await client.listFollowUsers();
    expect(emulator.callCount('gettoken')).toBe(1);
    clock.t += 2000;
    await client.listFollowUsers();
    expect(emulator.callCount('gettoken')).toBe(2);
  });

  it('is refreshed once and the call retried once on 42001 and on 40014', async () => {
    const { emulator, client } = await setup();
    await client.listFollowUsers();
    emulator.expireTokens();
    await expect(client.listFollowUsers()).resolves.toHaveLength(12);
    expect(emulator.callCount('gettoken')).toBe(2);
    emulator.revokeTokens();
    await Promise.all([client.listFollowUsers(), client.listDepartments(), client.listFollowUsers()]);
    expect(emulator.callCount('gettoken')).toBe(3);
    expect(emulator.callCount('externalcontact/get_follow_user_list')).toBe(1 + 2 + 4);
  });

  it('retries exactly once: a second token error is thrown', async () => {
    const { emulator, client } = await setup();
    emulator.failNext('department/list', 40014, 2);
    const error = await client.listDepartments().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComApiError);
    expect(error).toMatchObject({ errcode: 40014, api: 'department/list' });
    expect(emulator.callCount('department/list')).toBe(2);
  });

  it('does not hammer gettoken after a bad secret', async () => {
    const { emulator, client, clock } = await setup({}, { secret: 'wrong' });
    const error = await client.listFollowUsers().catch((e: unknown) => e);
    expect(error).toMatchObject({ errcode: 40001, api: 'gettoken' });
    expect(isConfigError(error)).toBe(true);
    await expect(client.listFollowUsers()).rejects.toMatchObject({ errcode: 40001 });
    expect(emulator.callCount('gettoken')).toBe(1);
    clock.t += 61_000;
    await expect(client.listFollowUsers()).rejects.toMatchObject({ errcode: 40001 });
    expect(emulator.callCount('gettoken')).toBe(2);
  });
});

describe('concurrency', () => {
  it('keeps at most maxConcurrentRequests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        const response = await fetch(input, init);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return response;
      } finally {
        inFlight -= 1;
      }
    };
    const { client, emulator } = await setup({}, { fetch: counting, maxConcurrentRequests: 3 });
    const results = await Promise.all(Array.from({ length: 20 }, () => client.listDepartments()));
    expect(results.every((r) => r.length === 5)).toBe(true);
    expect(peak).toBe(3);
    expect(emulator.callCount('department/list')).toBe(20);
  });
});

describe('back-off', () => {
  it('waits out a 45009 block and retries', async () => {
    const { emulator, client, sleeps } = await setup({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) await client.listDepartments();
    await expect(client.listDepartments()).resolves.toHaveLength(5);
    expect(sleeps).toEqual([60_000]);
    expect(emulator.callCount('department/list')).toBe(5);
  });

  it('gives up on 45009 after the configured retries', async () => {
    const { emulator, client, sleeps } = await setup({}, { frequencyRetries: 1 });
    emulator.failNext('department/list', 45009, 2);
    await expect(client.listDepartments()).rejects.toMatchObject({ errcode: 45009 });
    expect(sleeps).toEqual([60_000]);
  });

  it('backs off exponentially on -1 and 45033, at most 3 times', async () => {
    const { emulator, client, sleeps } = await setup();
    emulator.failNext('department/list', -1, 2);
    await expect(client.listDepartments()).resolves.toHaveLength(5);
    expect(sleeps).toEqual([1000, 2000]);
    emulator.failNext('department/list', 45033, 4);
    await expect(client.listDepartments()).rejects.toMatchObject({ errcode: 45033 });
    expect(sleeps).toEqual([1000, 2000, 1000, 2000, 4000]);
  });
});

describe('checkConnection', () => {
  it('passes on a good configuration', async () => {
    const { client } = await setup();
    expect(await client.checkConnection()).toEqual({ ok: true, followUserCount: 12, warnings: [] });
  });

  it('names each problem precisely', async () => {
    const badCorp = await setup({}, { corpId: 'wwnotmycorp' });
    expect(await badCorp.client.checkConnection()).toMatchObject({
      ok: false,
      problem: 'bad_corpid',
      step: 'gettoken',
      errcode: 40013,
    });
    const badSecret = await setup({}, { secret: 'nope' });
    expect(await badSecret.client.checkConnection()).toMatchObject({
      ok: false,
      problem: 'bad_secret',
      errcode: 40001,
    });
    const ip = await setup({ ipTrusted: false });
    expect(await ip.client.checkConnection()).toMatchObject({
      ok: false,
      problem: 'ip_not_trusted',
      step: 'externalcontact/get_follow_user_list',
      errcode: 60020,
    });
    const permission = await setup({ customerContactPermission: false });
    expect(await permission.client.checkConnection()).toMatchObject({
      ok: false,
      problem: 'missing_permission',
      errcode: 48002,
    });
  });

  it('reports an unreachable server as a network problem', async () => {
    const { emulator, client } = await setup();
    await emulator.close();
    running.splice(running.indexOf(emulator), 1);
    const result = await client.checkConnection();
    expect(result).toMatchObject({ ok: false, problem: 'network', step: 'gettoken' });
  });

  it('can be fixed at runtime', async () => {
    const { emulator, client } = await setup({ ipTrusted: false });
    expect((await client.checkConnection()).ok).toBe(false);
    emulator.behaviour.ipTrusted = true;
    expect((await client.checkConnection()).ok).toBe(true);
  });
});

describe('directory', () => {
  it('departments, members and ids', async () => {
    const { client } = await setup();
    const departments = await client.listDepartments();
    expect(departments.map((d) => d.id)).toEqual([1, 2, 3, 4, 5]);
    expect(departments[1]).toMatchObject({ id: 2, name: '销售一部', nameEn: 'Sales I', parentId: 1 });
    expect(await client.listDepartments(2)).toHaveLength(1);
    expect(await client.listDepartmentRefs()).toHaveLength(5);
    expect(await client.getDepartment(3)).toMatchObject({ id: 3, name: '销售二部' });
    await expect(client.getDepartment(99)).rejects.toMatchObject({ errcode: 60123 });
    const inDept = await client.listUsersInDepartment(2);
    expect(inDept.length).toBe(3);
    const user = await client.getUser(inDept[0]?.userId ?? '');
    expect(user).toMatchObject({ userId: inDept[0]?.userId, departments: [2], status: 1, mainDepartment: 2 });
    expect(user.gender === '1' || user.gender === '2').toBe(true);
    await expect(client.getUser('nobody')).rejects.toMatchObject({ errcode: 60111 });
    const ids = [];
    for await (const entry of client.iterateUserIds(5)) ids.push(entry.userId);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
  });
});

describe('customers', () => {
  it('lists, reads and walks every relation with batch/get_by_user', async () => {
    const { emulator, client } = await setup({ generate: { customers: 150, staff: 12 } });
    const followUsers = await client.listFollowUsers();
    const relations = [];
    for await (const r of client.iterateContactsByUser(followUsers, 7)) relations.push(r);
    expect(relations.length).toBe(emulator.corp.follows.size);
    expect(emulator.callCount('externalcontact/batch/get_by_user')).toBe(Math.ceil(relations.length / 7));
    const first = relations[0];
    if (!first) throw new Error('no relation');
    expect(first.externalContact.externalUserId).toMatch(/^w[mo]/);
    expect(first.followInfo.userId).toBe(followUsers[0]);
    const ids = await client.listExternalContactIds(first.followInfo.userId);
    expect(ids).toContain(first.externalContact.externalUserId);
    const detail = await client.getExternalContactFull(first.externalContact.externalUserId);
    expect(detail.externalContact.name).toBe(first.externalContact.name);
    expect(detail.followUsers.map((f) => f.userId)).toContain(first.followInfo.userId);
    await expect(client.getExternalContact('wmunknown')).rejects.toMatchObject({ errcode: 40096 });
    await expect(client.batchGetByUser(Array.from({ length: 101 }, (_, i) => `u${i}`))).rejects.toMatchObject(
      {
        errcode: 40058,
      },
    );
  });

  it('walks more than 100 members in sets of 100', async () => {
    const { emulator, client } = await setup({ generate: { staff: 130, customers: 300 } });
    const followUsers = await client.listFollowUsers();
    expect(followUsers).toHaveLength(130);
    let count = 0;
    for await (const _ of client.iterateContactsByUser(followUsers)) count += 1;
    expect(count).toBe(emulator.corp.follows.size);
    expect(emulator.callCount('externalcontact/batch/get_by_user')).toBeGreaterThanOrEqual(4);
  });

  it('remarks and tags a relation; no relation → 84061', async () => {
    const { emulator, client } = await setup();
    const follow = [...emulator.corp.follows.values()][0];
    if (!follow) throw new Error('no follow');
    await client.remark({
      userId: follow.userId,
      externalUserId: follow.externalUserId,
      remark: '王姐',
      remarkMobiles: ['13800000001'],
    });
    const tags = await client.getCorpTagList();
    const vip = tags[0]?.tags[0]?.id ?? '';
    await client.markTag({ userId: follow.userId, externalUserId: follow.externalUserId, addTagIds: [vip] });
    const detail = await client.getExternalContact(follow.externalUserId);
    const mine = detail.followUsers.find((f) => f.userId === follow.userId);
    expect(mine).toMatchObject({ remark: '王姐', remarkMobiles: ['13800000001'] });
    expect(mine?.tags.map((t) => t.tagId)).toContain(vip);
    expect(mine?.tags.find((t) => t.tagId === vip)).toMatchObject({
      groupName: '客户等级',
      tagName: 'VIP',
      type: 1,
    });
    const stranger =
      [...emulator.corp.users.keys()].find((u) => !emulator.corp.follow(u, follow.externalUserId)) ?? '';
    const error = await client
      .markTag({ userId: stranger, externalUserId: follow.externalUserId, addTagIds: [vip] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ errcode: 84061 });
    expect(isRelationshipGone(error)).toBe(true);
    await expect(
      client.remark({ userId: follow.userId, externalUserId: follow.externalUserId }),
    ).rejects.toMatchObject({ errcode: 40058 });
  });

  it('manages corp tags; console-made tags are not editable by the app (301002)', async () => {
    const { client } = await setup();
    const before = await client.getCorpTagList();
    expect(before.map((g) => g.groupName)).toEqual(['客户等级', '来源渠道', '兴趣偏好']);
    const created = await client.addCorpTag({
      groupName: '会员等级',
      tags: [{ name: '金卡' }, { name: '银卡' }],
    });
    expect(created.groupName).toBe('会员等级');
    expect(created.tags.map((t) => t.name)).toEqual(['金卡', '银卡']);
    const more = await client.addCorpTag({ groupId: created.groupId, tags: [{ name: '钻石卡' }] });
    expect(more.tags.map((t) => t.name)).toEqual(['钻石卡']);
    await client.editCorpTag({ id: more.tags[0]?.id ?? '', name: '黑钻卡' });
    await client.deleteCorpTags({ tagIds: [created.tags[1]?.id ?? ''] });
    const [group] = await client.getCorpTagList({ groupIds: [created.groupId] });
    expect(group?.tags.map((t) => t.name)).toEqual(['金卡', '黑钻卡']);
    await expect(client.editCorpTag({ id: before[0]?.groupId ?? '', name: 'x' })).rejects.toMatchObject({
      errcode: 301002,
    });
    await expect(client.editCorpTag({ id: 'etnope', name: 'x' })).rejects.toMatchObject({ errcode: 40068 });
    await client.deleteCorpTags({ groupIds: [created.groupId] });
    expect((await client.getCorpTagList()).length).toBe(3);
  });
});

describe('contact ways and welcome messages', () => {
  it('creates, reads, updates, lists and deletes', async () => {
    const { emulator, client } = await setup();
    const users = [...emulator.corp.users.keys()].slice(0, 3);
    const created = await client.addContactWay({
      type: 2,
      scene: 2,
      users,
      remark: '门店活码',
      state: 'ch_store',
      skipVerify: true,
    });
    expect(created.configId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.qrCode).toMatch(/^https:\/\//);
    const way = await client.getContactWay(created.configId);
    expect(way).toMatchObject({
      configId: created.configId,
      type: 2,
      scene: 2,
      users,
      state: 'ch_store',
      remark: '门店活码',
      skipVerify: true,
    });
    await client.updateContactWay({
      configId: created.configId,
      users: users.slice(0, 1),
      conclusions: { text: '感谢咨询' },
    });
    expect(await client.getContactWay(created.configId)).toMatchObject({
      users: users.slice(0, 1),
      conclusions: { text: '感谢咨询' },
    });
    const second = await client.addContactWay({
      type: 1,
      scene: 1,
      style: 1,
      users: users.slice(1, 2),
      state: 'x',
    });
    expect(second.qrCode).toBeUndefined();
    const all = [];
    for await (const id of client.iterateContactWays({ limit: 1 })) all.push(id);
    expect(all.sort()).toEqual([created.configId, second.configId].sort());
    await client.deleteContactWay(second.configId);
    await expect(client.getContactWay(second.configId)).rejects.toMatchObject({ errcode: 40058 });
    await expect(client.addContactWay({ type: 1, scene: 2, users })).rejects.toMatchObject({
      errcode: 40058,
    });
    await expect(
      client.addContactWay({ type: 2, scene: 2, users, state: 'x'.repeat(31) }),
    ).rejects.toMatchObject({
      errcode: 40058,
    });
  });

  it('sends a welcome message once, within 20 s', async () => {
    const { emulator, client, clock } = await setup();
    const users = [...emulator.corp.users.keys()].slice(0, 2);
    const { configId } = await client.addContactWay({ type: 2, scene: 2, users, state: 'live' });
    const added = await emulator.corp.addExternalContact({ configId });
    expect(added.state).toBe('live');
    expect(users).toContain(added.userId);
    await client.sendWelcomeMessage({
      welcomeCode: added.welcomeCode ?? '',
      text: '你好，欢迎！',
      attachments: [
        {
          type: 'link',
          title: '新人礼',
          url: 'https://pond.example/gift',
          picUrl: 'https://pond.example/p.png',
        },
      ],
    });
    expect(emulator.corp.welcomeMessages.at(-1)).toMatchObject({
      userId: added.userId,
      externalUserId: added.externalUserId,
      body: {
        text: { content: '你好，欢迎！' },
        attachments: [{ msgtype: 'link', link: { title: '新人礼', picurl: 'https://pond.example/p.png' } }],
      },
    });
    await expect(
      client.sendWelcomeMessage({ welcomeCode: added.welcomeCode ?? '', text: 'again' }),
    ).rejects.toMatchObject({
      errcode: 41051,
    });
    const late = await emulator.corp.addExternalContact({ configId });
    clock.t += 20_001;
    await expect(
      client.sendWelcomeMessage({ welcomeCode: late.welcomeCode ?? '', text: 'late' }),
    ).rejects.toMatchObject({
      errcode: 40058,
    });
    // The rotation hands the next customer to the next member of the pool.
    expect(late.userId).not.toBe(added.userId);
  });
});

describe('customer groups', () => {
  it('lists with a cursor and reads details', async () => {
    const { emulator, client } = await setup({ generate: { groups: 5 } });
    const chats = [];
    for await (const g of client.iterateGroupChats({ limit: 2 })) chats.push(g);
    expect(chats).toHaveLength(5);
    expect(emulator.callCount('externalcontact/groupchat/list')).toBe(3);
    const detail = await client.getGroupChat(chats[0]?.chatId ?? '');
    const model = emulator.corp.groups.get(detail.chatId);
    expect(detail.owner).toBe(model?.owner);
    expect(detail.members.length).toBe(model?.members.length);
    expect(detail.members[0]).toMatchObject({ userId: model?.owner, type: 1 });
    expect(detail.members[1]?.name).toBeTruthy();
    const noNames = await client.getGroupChat(detail.chatId, false);
    expect(noNames.members[1]?.name).toBeUndefined();
    const owner = detail.owner;
    const owned = await client.listGroupChats({ ownerUserIds: [owner], limit: 100 });
    expect(owned.items.every((g) => emulator.corp.groups.get(g.chatId)?.owner === owner)).toBe(true);
    await expect(client.getGroupChat('wrnope')).rejects.toMatchObject({ errcode: 40058 });
  });

  it('transfers groups: resigned owners only for the resigned API', async () => {
    const { emulator, client } = await setup({ generate: { groups: 3 } });
    const group = [...emulator.corp.groups.values()][0];
    if (!group) throw new Error('no group');
    const other = [...emulator.corp.users.keys()].find((u) => u !== group.owner) ?? '';
    expect(await client.transferGroupChats({ chatIds: [group.chatId], newOwner: other })).toEqual([
      { chatId: group.chatId, errcode: 90500, errmsg: 'the owner of this chat is not resigned' },
    ]);
    expect(
      await client.transferGroupChats({ chatIds: [group.chatId], newOwner: other, inService: true }),
    ).toEqual([]);
    expect(emulator.corp.groups.get(group.chatId)?.owner).toBe(other);
  });
});

describe('succession', () => {
  it('in-service transfer: started, waiting, then done or refused', async () => {
    const { emulator, client, clock } = await setup();
    const [handover, takeover] = [...emulator.corp.users.keys()];
    const customers = emulator.corp.followsOf(handover ?? '').map((f) => f.externalUserId);
    expect(customers.length).toBeGreaterThan(1);
    const started = await client.transferCustomers({
      handoverUserId: handover ?? '',
      takeoverUserId: takeover ?? '',
      externalUserIds: [...customers, 'wmunknown'],
      transferSuccessMsg: '您好，后续由我为您服务',
    });
    expect(started.filter((r) => r.errcode === 0).map((r) => r.externalUserId)).toEqual(customers);
    expect(started.at(-1)).toEqual({ externalUserId: 'wmunknown', errcode: 40096 });
    const waiting = [];
    for await (const s of client.iterateTransferResults(handover ?? '', takeover ?? '')) waiting.push(s);
    expect(waiting.map((s) => s.status)).toEqual(customers.map(() => 2));
    expect(waiting[0]?.takeoverTime).toBe(Math.floor(clock.t / 1000) + 86_400);
    clock.t += 86_400_000;
    await emulator.corp.settleTransfers({ refused: [customers[0] ?? ''] });
    const done = (await client.transferResult(handover ?? '', takeover ?? '')).items;
    expect(done.map((s) => s.status)).toEqual([3, ...customers.slice(1).map(() => 1)]);
    expect(emulator.corp.follow(takeover ?? '', customers[1] ?? '')).toBeDefined();
    expect(emulator.corp.follow(handover ?? '', customers[1] ?? '')).toBeUndefined();
  });

  it('resigned transfer from the unassigned list, with the takeover limit', async () => {
    const { emulator, client } = await setup({ takeoverCustomerLimit: 0 });
    const [leaver, heir] = [...emulator.corp.users.keys()];
    const theirs = emulator.corp.followsOf(leaver ?? '').map((f) => f.externalUserId);
    await expect(
      client.transferResignedCustomers({
        handoverUserId: leaver ?? '',
        takeoverUserId: heir ?? '',
        externalUserIds: theirs,
      }),
    ).rejects.toMatchObject({ errcode: 40058 });
    emulator.corp.staffLeaves(leaver ?? '');
    const unassigned = [];
    for await (const u of client.iterateUnassigned(2)) unassigned.push(u);
    expect(unassigned.map((u) => u.externalUserId).sort()).toEqual([...theirs].sort());
    expect(unassigned[0]?.handoverUserId).toBe(leaver);
    const started = await client.transferResignedCustomers({
      handoverUserId: leaver ?? '',
      takeoverUserId: heir ?? '',
      externalUserIds: theirs,
    });
    expect(started.every((r) => r.errcode === 0)).toBe(true);
    expect((await client.getUnassignedList()).items).toEqual([]);
    await emulator.corp.settleTransfers();
    const results = await client.resignedTransferResult(leaver ?? '', heir ?? '');
    expect(results.items.map((r) => r.status)).toEqual(theirs.map(() => 4));
  });
});

describe('messages and statistics', () => {
  it('sends app messages to staff with partial failures', async () => {
    const { emulator, client } = await setup();
    const [a, b] = [...emulator.corp.users.keys()];
    const result = await client.sendMessage({
      agentId: emulator.agentId,
      toUsers: [a ?? '', b ?? '', 'Ghost'],
      message: { type: 'text', content: '客户流失提醒：王女士删除了你' },
    });
    expect(result.invalidUsers).toEqual(['ghost']);
    expect(result.msgId).toBeTruthy();
    expect(emulator.corp.staffMessages.at(-1)?.toUsers).toEqual([a, b]);
    await expect(
      client.sendMessage({
        agentId: emulator.agentId,
        toUsers: ['ghost'],
        message: { type: 'markdown', content: 'x' },
      }),
    ).rejects.toMatchObject({ errcode: 81013 });
    await expect(
      client.sendMessage({ agentId: 1, toUsers: [a ?? ''], message: { type: 'text', content: 'x' } }),
    ).rejects.toMatchObject({
      errcode: 40056,
    });
  });

  it('returns daily behaviour data, deterministic and bounded to 30 days', async () => {
    const { emulator, client } = await setup();
    const userIds = [...emulator.corp.users.keys()].slice(0, 2);
    const end = Math.floor(START / 1000);
    const rows = await client.getUserBehaviorData({ userIds, startTime: end - 6 * 86_400, endTime: end });
    expect(rows).toHaveLength(7);
    expect(rows[1]?.statTime).toBe((rows[0]?.statTime ?? 0) + 86_400);
    expect(rows.every((r) => r.newContactCnt <= r.newApplyCnt)).toBe(true);
    expect(await client.getUserBehaviorData({ userIds, startTime: end - 6 * 86_400, endTime: end })).toEqual(
      rows,
    );
    await expect(
      client.getUserBehaviorData({ userIds, startTime: end - 31 * 86_400, endTime: end }),
    ).rejects.toMatchObject({
      errcode: 40058,
    });
  });
});
