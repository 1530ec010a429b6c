import type { CorpData, EmCustomer, EmDepartment, EmFollow, EmGroup, EmTagGroup, EmUser } from './model.ts';
import { ids, PINYIN, personName, Rng } from './random.ts';

/**
 * A seeded, realistic corp for tests and the demo: a department tree, staff with customer
 * contact, customers with one or more followers (remarks, tags, channels), a corp tag library
 * and customer groups. The same options always give the same corp.
 */
export interface GenerateCorpOptions {
  seed?: number;
  corpId?: string;
  corpName?: string;
  /** Departments under the root. Default 4. */
  departments?: number;
  /** Default 12. */
  staff?: number;
  /** Default 60. */
  customers?: number;
  /** Default 4. */
  groups?: number;
  /** "Now" in milliseconds; creation times fall within the 180 days before it. */
  now?: number;
}

const DEPARTMENTS: [string, string][] = [
  ['销售一部', 'Sales I'],
  ['销售二部', 'Sales II'],
  ['客户成功部', 'Customer Success'],
  ['市场部', 'Marketing'],
  ['门店运营部', 'Store Operations'],
  ['华东大区', 'East Region'],
  ['华南大区', 'South Region'],
  ['会员中心', 'Membership'],
];
const POSITIONS = ['客户经理', '导购', '门店店长', '客服专员', '会员顾问', '销售主管'];
const TAG_LIBRARY: [string, string[]][] = [
  ['客户等级', ['VIP', '高潜', '普通']],
  ['来源渠道', ['门店扫码', '直播间', '公众号', '老客推荐']],
  ['兴趣偏好', ['护肤', '彩妆', '香氛', '母婴']],
];
const COMPANIES = ['腾讯科技', '华为技术', '美团', '小米科技', '京东集团'];
const GROUP_NAMES = ['会员福利群', 'VIP专属服务群', '新品体验官', '门店老客群', '直播粉丝群', '宝妈交流群'];
// add_way values (SPEC §3.3): scanned QR, searched mobile, card share, group chat, phone contacts.
const ADD_WAYS = [1, 1, 1, 2, 3, 4, 5, 6];

export function generateCorp(options: GenerateCorpOptions = {}): CorpData {
  const rng = new Rng(options.seed ?? 1);
  const now = Math.floor((options.now ?? Date.UTC(2026, 0, 1)) / 1000);
  const past = (maxDays: number) => now - rng.int(3600, maxDays * 86_400);
  const corpId = options.corpId ?? `ww${rng.hex(16)}`;
  const corpName = options.corpName ?? '池塘美妆';

  const departments: EmDepartment[] = [
    { id: 1, name: corpName, nameEn: 'Pond Beauty', parentId: 0, order: 100_000, leaders: [] },
  ];
  for (let i = 0; i < (options.departments ?? 4); i += 1) {
    const [name, nameEn] = DEPARTMENTS[i % DEPARTMENTS.length] ?? ['部门', 'Department'];
    const suffix = i >= DEPARTMENTS.length ? String(Math.floor(i / DEPARTMENTS.length) + 1) : '';
    departments.push({
      id: i + 2,
      name: `${name}${suffix}`,
      nameEn: `${nameEn}${suffix}`,
      parentId: 1,
      order: 100_000 - i,
      leaders: [],
    });
  }

  const users: EmUser[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < (options.staff ?? 12); i += 1) {
    const { name, surnameIndex } = personName(rng);
    let userId = `${PINYIN[surnameIndex]}${rng.int(1, 99)}`;
    while (taken.has(userId)) userId = `${userId}x`;
    taken.add(userId);
    const department = departments.length > 1 ? 2 + (i % (departments.length - 1)) : 1;
    const leader = departments[department - 1]?.leaders.length === 0;
    if (leader) departments[department - 1]?.leaders.push(userId);
    users.push({
      userId,
      name,
      departments: [department],
      mainDepartment: department,
      position: leader ? '销售主管' : rng.pick(POSITIONS),
      mobile: `13${rng.int(100_000_000, 999_999_999)}`,
      gender: rng.chance(0.6) ? '2' : '1',
      email: `${userId}@pond.example`,
      alias: '',
      status: 1,
      customerContact: true,
      isLeaderInDept: [leader ? 1 : 0],
    });
  }

  const tagGroups: EmTagGroup[] = TAG_LIBRARY.map(([groupName, tags], g) => {
    const createTime = past(365);
    return {
      groupId: ids.tag(rng),
      groupName,
      createTime,
      order: TAG_LIBRARY.length - g,
      createdByApi: false,
      tags: tags.map((name, t) => ({ id: ids.tag(rng), name, createTime, order: tags.length - t })),
    };
  });
  const allTags = tagGroups.flatMap((g) => g.tags.map((t) => t.id));

  const customers: EmCustomer[] = [];
  const follows: EmFollow[] = [];
  for (let i = 0; i < (options.customers ?? 60); i += 1) {
    const wecomUser = rng.chance(0.1);
    const { name } = personName(rng);
    const company = rng.pick(COMPANIES);
    const customer: EmCustomer = {
      externalUserId: ids.externalUser(rng, wecomUser),
      name,
      type: wecomUser ? 2 : 1,
      gender: rng.pick([0, 1, 2, 2] as const),
      avatar: `https://wework.qpic.cn/wwhead/${rng.hex(24)}/0`,
      ...(wecomUser
        ? { corpName: company, corpFullName: `${company}有限公司`, position: '经理' }
        : { unionId: ids.unionId(rng) }),
    };
    customers.push(customer);
    if (users.length === 0) continue;
    const followers = rng.sample(users, rng.chance(0.15) ? 2 : 1);
    for (const user of followers) {
      follows.push({
        userId: user.userId,
        externalUserId: customer.externalUserId,
        remark: rng.chance(0.4) ? `${name}（老客）` : '',
        description: rng.chance(0.2) ? '偏好周末到店' : '',
        createTime: past(180),
        tagIds: rng.sample(allTags, rng.int(0, 2)),
        remarkMobiles: rng.chance(0.3) ? [`13${rng.int(100_000_000, 999_999_999)}`] : [],
        operUserId: customer.externalUserId,
        addWay: rng.pick(ADD_WAYS),
        ...(rng.chance(0.3) && { state: rng.pick(['store_qr', 'live_room', 'mp_menu']) }),
      });
    }
  }

  const groups: EmGroup[] = [];
  for (let i = 0; i < (options.groups ?? 4) && users.length > 0; i += 1) {
    const owner = rng.pick(users);
    const createTime = past(120);
    const mine = follows.filter((f) => f.userId === owner.userId).map((f) => f.externalUserId);
    const members = rng.sample(
      mine.length > 0 ? mine : customers.map((c) => c.externalUserId),
      rng.int(2, 12),
    );
    const byId = new Map(customers.map((c) => [c.externalUserId, c]));
    groups.push({
      chatId: ids.chat(rng),
      name: `${GROUP_NAMES[i % GROUP_NAMES.length]}${i >= GROUP_NAMES.length ? i : ''}`,
      owner: owner.userId,
      createTime,
      notice: rng.chance(0.5) ? '欢迎加入！每周三会员日福利在群内发布。' : '',
      admins: [],
      memberVersion: rng.hex(32),
      status: 0,
      members: [
        {
          userId: owner.userId,
          type: 1,
          joinTime: createTime,
          joinScene: 1,
          groupNickname: '',
          name: owner.name,
        },
        ...members.map((id) => {
          const customer = byId.get(id);
          return {
            userId: id,
            type: 2 as const,
            joinTime: createTime + rng.int(60, 86_400 * 30),
            joinScene: rng.pick([1, 2, 3] as const),
            invitor: owner.userId,
            groupNickname: '',
            name: customer?.name ?? '',
            ...(customer?.unionId !== undefined && { unionId: customer.unionId }),
          };
        }),
      ],
    });
  }

  return { corpId, corpName, departments, users, customers, follows, tagGroups, groups, contactWays: [] };
}
