import type {
  Attachment,
  Conclusions,
  ContactRelation,
  ContactWay,
  Department,
  ExternalContact,
  FollowBase,
  FollowTag,
  FollowUser,
  GroupChat,
  GroupMember,
  Page,
  User,
  UserStatus,
} from './types.ts';

/**
 * Readers from WeCom's snake_case JSON into Pond's camelCase types, and writers back. They
 * read defensively: a missing or mistyped field takes a neutral default rather than throwing.
 */

export type Wire = Record<string, unknown>;

export function obj(value: unknown): Wire {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Wire) : {};
}
export function str(o: Wire, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
export function optStr(o: Wire, key: string): string | undefined {
  const v = str(o, key);
  return v === '' ? undefined : v;
}
export function num(o: Wire, key: string): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return 0;
}
export function optNum(o: Wire, key: string): number | undefined {
  return o[key] === undefined ? undefined : num(o, key);
}
export function list(o: Wire, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}
export function strings(o: Wire, key: string): string[] {
  return list(o, key).filter((v): v is string => typeof v === 'string');
}
export function numbers(o: Wire, key: string): number[] {
  return list(o, key).filter((v): v is number => typeof v === 'number');
}

/** Drops undefined values so optional wire fields are left out rather than sent as null. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function pick<T extends number>(value: number, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly number[]).includes(value) ? (value as T) : fallback;
}

export function readDepartment(w: Wire): Department {
  return compact<Department>({
    id: num(w, 'id'),
    name: str(w, 'name'),
    nameEn: optStr(w, 'name_en'),
    parentId: num(w, 'parentid'),
    order: num(w, 'order'),
    leaders: strings(w, 'department_leader'),
  });
}

export function readUser(w: Wire): User {
  return compact<User>({
    userId: str(w, 'userid'),
    name: str(w, 'name'),
    departments: numbers(w, 'department'),
    order: numbers(w, 'order'),
    mainDepartment: optNum(w, 'main_department'),
    position: str(w, 'position'),
    mobile: str(w, 'mobile'),
    gender: str(w, 'gender') || '0',
    email: str(w, 'email'),
    avatar: str(w, 'avatar'),
    alias: str(w, 'alias'),
    telephone: str(w, 'telephone'),
    isLeaderInDept: numbers(w, 'is_leader_in_dept'),
    directLeader: strings(w, 'direct_leader'),
    status: pick<UserStatus>(num(w, 'status'), [1, 2, 4, 5], 1),
    openUserId: optStr(w, 'open_userid'),
    externalPosition: optStr(w, 'external_position'),
  });
}

export function readExternalContact(w: Wire): ExternalContact {
  return compact<ExternalContact>({
    externalUserId: str(w, 'external_userid'),
    name: str(w, 'name'),
    type: pick(num(w, 'type'), [1, 2], 1),
    gender: pick(num(w, 'gender'), [0, 1, 2], 0),
    avatar: optStr(w, 'avatar'),
    unionId: optStr(w, 'unionid'),
    position: optStr(w, 'position'),
    corpName: optStr(w, 'corp_name'),
    corpFullName: optStr(w, 'corp_full_name'),
  });
}

function readFollowBase(w: Wire): FollowBase {
  return compact<FollowBase>({
    userId: str(w, 'userid'),
    remark: str(w, 'remark'),
    description: str(w, 'description'),
    createTime: num(w, 'createtime'),
    remarkCorpName: optStr(w, 'remark_corp_name'),
    remarkMobiles: strings(w, 'remark_mobiles'),
    operUserId: optStr(w, 'oper_userid'),
    addWay: num(w, 'add_way'),
    state: optStr(w, 'state'),
  });
}

function readFollowTag(w: Wire): FollowTag {
  return compact<FollowTag>({
    groupName: str(w, 'group_name'),
    tagName: str(w, 'tag_name'),
    tagId: optStr(w, 'tag_id'),
    type: pick(num(w, 'type'), [1, 2, 3], 1),
  });
}

export function readFollowUser(w: Wire): FollowUser {
  return { ...readFollowBase(w), tags: list(w, 'tags').map((t) => readFollowTag(obj(t))) };
}

export function readRelation(w: Wire): ContactRelation {
  const info = obj(w.follow_info);
  return {
    externalContact: readExternalContact(obj(w.external_contact)),
    followInfo: { ...readFollowBase(info), tagIds: strings(info, 'tag_id') },
  };
}

export function writeAttachment(a: Attachment): Wire {
  switch (a.type) {
    case 'image':
      return { msgtype: 'image', image: compact({ media_id: a.mediaId, pic_url: a.picUrl }) };
    case 'link':
      return {
        msgtype: 'link',
        link: compact({ title: a.title, picurl: a.picUrl, desc: a.desc, url: a.url }),
      };
    case 'miniprogram':
      return {
        msgtype: 'miniprogram',
        miniprogram: { title: a.title, pic_media_id: a.picMediaId, appid: a.appId, page: a.page },
      };
    case 'video':
      return { msgtype: 'video', video: { media_id: a.mediaId } };
    case 'file':
      return { msgtype: 'file', file: { media_id: a.mediaId } };
  }
}

export function writeConclusions(c: Conclusions): Wire {
  return compact<Wire>({
    text: c.text === undefined ? undefined : { content: c.text },
    image: c.image && compact({ media_id: c.image.mediaId, pic_url: c.image.picUrl }),
    link:
      c.link && compact({ title: c.link.title, picurl: c.link.picUrl, desc: c.link.desc, url: c.link.url }),
    miniprogram: c.miniprogram && {
      title: c.miniprogram.title,
      pic_media_id: c.miniprogram.picMediaId,
      appid: c.miniprogram.appId,
      page: c.miniprogram.page,
    },
  });
}

export function readConclusions(w: Wire): Conclusions {
  const image = obj(w.image);
  const link = obj(w.link);
  const mini = obj(w.miniprogram);
  return compact<Conclusions>({
    text: w.text === undefined ? undefined : str(obj(w.text), 'content'),
    image:
      w.image === undefined
        ? undefined
        : compact({ mediaId: optStr(image, 'media_id'), picUrl: optStr(image, 'pic_url') }),
    link:
      w.link === undefined
        ? undefined
        : compact({
            title: str(link, 'title'),
            url: str(link, 'url'),
            picUrl: optStr(link, 'picurl'),
            desc: optStr(link, 'desc'),
          }),
    miniprogram:
      w.miniprogram === undefined
        ? undefined
        : {
            title: str(mini, 'title'),
            picMediaId: str(mini, 'pic_media_id'),
            appId: str(mini, 'appid'),
            page: str(mini, 'page'),
          },
  });
}

export function readContactWay(w: Wire): ContactWay {
  return compact({
    configId: str(w, 'config_id'),
    type: pick(num(w, 'type'), [1, 2], 1),
    scene: pick(num(w, 'scene'), [1, 2], 2),
    style: optNum(w, 'style'),
    remark: optStr(w, 'remark'),
    skipVerify: w.skip_verify !== false,
    state: optStr(w, 'state'),
    qrCode: optStr(w, 'qr_code'),
    users: strings(w, 'user'),
    parties: numbers(w, 'party'),
    isTemp: w.is_temp === true,
    expiresIn: optNum(w, 'expires_in'),
    chatExpiresIn: optNum(w, 'chat_expires_in'),
    unionId: optStr(w, 'unionid'),
    isExclusive: w.is_exclusive === undefined ? undefined : w.is_exclusive === true,
    conclusions: w.conclusions === undefined ? undefined : readConclusions(obj(w.conclusions)),
  });
}

function readGroupMember(w: Wire): GroupMember {
  return compact<GroupMember>({
    userId: str(w, 'userid'),
    type: pick(num(w, 'type'), [1, 2], 2),
    joinTime: num(w, 'join_time'),
    joinScene: num(w, 'join_scene'),
    invitor: optStr(obj(w.invitor), 'userid'),
    groupNickname: optStr(w, 'group_nickname'),
    name: optStr(w, 'name'),
    unionId: optStr(w, 'unionid'),
    state: optStr(w, 'state'),
  });
}

export function readGroupChat(w: Wire): GroupChat {
  return {
    chatId: str(w, 'chat_id'),
    name: str(w, 'name'),
    owner: str(w, 'owner'),
    createTime: num(w, 'create_time'),
    notice: str(w, 'notice'),
    members: list(w, 'member_list').map((m) => readGroupMember(obj(m))),
    admins: list(w, 'admin_list').map((a) => str(obj(a), 'userid')),
    memberVersion: str(w, 'member_version'),
  };
}

/** Walks a cursor-paginated list until the cursor comes back empty. */
export async function* paginate<T>(
  start: string,
  fetchPage: (cursor: string) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let cursor = start;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    // A repeated cursor would loop forever; treat it as the end.
    if (!page.nextCursor || page.nextCursor === cursor) return;
    cursor = page.nextCursor;
  }
}
