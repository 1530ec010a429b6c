import type { Wire } from '../../client/wire.ts';
import type { EmCustomer, EmFollow } from '../model.ts';
import {
  bodyInt,
  bodyStr,
  bodyStrings,
  EmError,
  invalid,
  page,
  queryStr,
  type Route,
  type RouteContext,
  requireCustomerOf,
} from './common.ts';

/** Customer reads, remarks and the corp tag library (SPEC §3.2–3.6). */

function customerJson(c: EmCustomer): Wire {
  return {
    external_userid: c.externalUserId,
    name: c.name,
    type: c.type,
    gender: c.gender,
    avatar: c.avatar,
    ...(c.unionId !== undefined && { unionid: c.unionId }),
    ...(c.type === 2 && {
      position: c.position ?? '',
      corp_name: c.corpName ?? '',
      corp_full_name: c.corpFullName ?? '',
    }),
  };
}

function followBase(f: EmFollow): Wire {
  return {
    userid: f.userId,
    remark: f.remark,
    description: f.description,
    createtime: f.createTime,
    ...(f.remarkCorpName !== undefined && { remark_corp_name: f.remarkCorpName }),
    remark_mobiles: f.remarkMobiles,
    oper_userid: f.operUserId,
    add_way: f.addWay,
    ...(f.state !== undefined && { state: f.state }),
  };
}

function requireCustomer(ctx: RouteContext, id: string): EmCustomer {
  const c = ctx.corp.customers.get(id);
  if (!c) throw new EmError(40096, 'invalid external userid');
  return c;
}

function tagGroupJson(ctx: RouteContext, groupId: string, tagIds?: Set<string>): Wire | null {
  const g = ctx.corp.tagGroups.find((x) => x.groupId === groupId);
  if (!g) return null;
  const tags = tagIds ? g.tags.filter((t) => tagIds.has(t.id)) : g.tags;
  return {
    group_id: g.groupId,
    group_name: g.groupName,
    create_time: g.createTime,
    order: g.order,
    tag: tags.map((t) => ({ id: t.id, name: t.name, create_time: t.createTime, order: t.order })),
  };
}

function requireEditable(ctx: RouteContext, createdByApi: boolean): void {
  if (!createdByApi && !ctx.editAllTags)
    throw new EmError(301002, 'not allow operate another agent resource');
}

export const customerRoutes: Record<string, Route> = {
  'externalcontact/get_follow_user_list': (ctx) => ({
    follow_user: [...ctx.corp.users.values()]
      .filter((u) => u.status === 1 && u.customerContact)
      .map((u) => u.userId),
  }),
  'externalcontact/list': (ctx) => {
    const userId = queryStr(ctx, 'userid');
    const user = ctx.corp.users.get(userId);
    if (!user) throw new EmError(60111, `invalid userid ${userId}`);
    const ids = ctx.corp.followsOf(userId).map((f) => f.externalUserId);
    if (ids.length === 0) throw new EmError(84061, 'not external contact');
    return { external_userid: ids };
  },
  'externalcontact/get': (ctx) => {
    const c = requireCustomer(ctx, queryStr(ctx, 'external_userid'));
    const followers = ctx.corp.followersOf(c.externalUserId).filter((f) => ctx.corp.activeUser(f.userId));
    const p = page(followers, queryStr(ctx, 'cursor', false), 500, `get:${c.externalUserId}`);
    return {
      external_contact: customerJson(c),
      follow_user: p.items.map((f) => ({
        ...followBase(f),
        tags: f.tagIds.flatMap((id) => {
          const found = ctx.corp.findTag(id);
          return found
            ? [{ group_name: found.group.groupName, tag_name: found.tag.name, tag_id: id, type: 1 }]
            : [];
        }),
      })),
      next_cursor: p.nextCursor,
    };
  },
  'externalcontact/batch/get_by_user': (ctx) => {
    const userIds = bodyStrings(ctx, 'userid_list', 100);
    for (const id of userIds) if (!ctx.corp.users.has(id)) throw new EmError(60111, `invalid userid ${id}`);
    const limit = bodyInt(ctx, 'limit', 50, 1, 100);
    const rows = userIds.flatMap((id) => ctx.corp.followsOf(id));
    const p = page(
      rows,
      typeof ctx.body.cursor === 'string' ? ctx.body.cursor : '',
      limit,
      `batch:${userIds.join(',')}`,
    );
    return {
      external_contact_list: p.items.map((f) => {
        const c = ctx.corp.customers.get(f.externalUserId);
        return {
          external_contact: c ? customerJson(c) : { external_userid: f.externalUserId },
          follow_info: { ...followBase(f), tag_id: f.tagIds },
        };
      }),
      next_cursor: p.nextCursor,
    };
  },
  'externalcontact/remark': (ctx) => {
    const follow = requireCustomerOf(ctx, bodyStr(ctx, 'userid'), bodyStr(ctx, 'external_userid'));
    const b = ctx.body;
    const fields = ['remark', 'description', 'remark_company', 'remark_mobiles', 'remark_pic_mediaid'];
    if (!fields.some((f) => b[f] !== undefined)) throw invalid('remark', 'missing: set at least one field');
    if (typeof b.remark === 'string') {
      if ([...b.remark].length > 20) throw invalid('remark', 'exceeds 20 characters');
      follow.remark = b.remark;
    }
    if (typeof b.description === 'string') {
      if ([...b.description].length > 150) throw invalid('description', 'exceeds 150 characters');
      follow.description = b.description;
    }
    if (typeof b.remark_company === 'string') follow.remarkCorpName = b.remark_company;
    if (Array.isArray(b.remark_mobiles))
      follow.remarkMobiles = b.remark_mobiles.filter((m): m is string => typeof m === 'string' && m !== '');
    return {};
  },
  'externalcontact/get_corp_tag_list': (ctx) => {
    const groupIds = bodyStrings(ctx, 'group_id', 1000, false);
    const tagIds = bodyStrings(ctx, 'tag_id', 1000, false);
    if (groupIds.length > 0) {
      return {
        tag_group: groupIds.map((id) => tagGroupJson(ctx, id) ?? { group_id: id, deleted: true, tag: [] }),
      };
    }
    if (tagIds.length > 0) {
      const wanted = new Set(tagIds);
      const groups = ctx.corp.tagGroups.filter((g) => g.tags.some((t) => wanted.has(t.id)));
      return { tag_group: groups.map((g) => tagGroupJson(ctx, g.groupId, wanted)) };
    }
    return { tag_group: ctx.corp.tagGroups.map((g) => tagGroupJson(ctx, g.groupId)) };
  },
  'externalcontact/add_corp_tag': (ctx) => {
    const tags = Array.isArray(ctx.body.tag) ? ctx.body.tag : [];
    const names = tags.map((t) => (typeof t === 'object' && t !== null && 'name' in t ? String(t.name) : ''));
    const orders = tags.map((t) =>
      typeof t === 'object' && t !== null && 'order' in t && typeof t.order === 'number' ? t.order : 0,
    );
    if (names.length === 0 || names.some((n) => n === '' || [...n].length > 30)) throw invalid('tag.name');
    const now = ctx.corp.nowSeconds();
    const groupId = bodyStr(ctx, 'group_id', false);
    const groupName = bodyStr(ctx, 'group_name', false);
    let group = groupId
      ? ctx.corp.tagGroups.find((g) => g.groupId === groupId)
      : ctx.corp.tagGroups.find((g) => g.groupName === groupName);
    if (groupId && !group) throw new EmError(40068, 'invalid tagid');
    if (!group) {
      if (!groupName) throw invalid('group_name', 'missing');
      group = {
        groupId: ctx.corp.nextId('tag'),
        groupName,
        createTime: now,
        order: bodyInt(ctx, 'order', 0, 0, 2 ** 32 - 1),
        tags: [],
        createdByApi: true,
      };
      ctx.corp.tagGroups.push(group);
    }
    const created: string[] = [];
    for (const [i, name] of names.entries()) {
      const existing = group.tags.find((t) => t.name === name);
      if (existing) {
        created.push(existing.id);
        continue;
      }
      const tag = { id: ctx.corp.nextId('tag'), name, createTime: now, order: orders[i] ?? 0 };
      group.tags.push(tag);
      created.push(tag.id);
    }
    return { tag_group: tagGroupJson(ctx, group.groupId, new Set(created)) };
  },
  'externalcontact/edit_corp_tag': (ctx) => {
    const id = bodyStr(ctx, 'id');
    const name = bodyStr(ctx, 'name', false);
    const order = ctx.body.order;
    const group = ctx.corp.tagGroups.find((g) => g.groupId === id);
    if (group) {
      requireEditable(ctx, group.createdByApi);
      if (name && ctx.corp.tagGroups.some((g) => g !== group && g.groupName === name))
        throw invalid('name', 'duplicated');
      if (name) group.groupName = name;
      if (typeof order === 'number') group.order = order;
      return {};
    }
    const found = ctx.corp.findTag(id);
    if (!found) throw new EmError(40068, 'invalid tagid');
    requireEditable(ctx, found.group.createdByApi);
    if (name && found.group.tags.some((t) => t !== found.tag && t.name === name))
      throw invalid('name', 'duplicated');
    if (name) found.tag.name = name;
    if (typeof order === 'number') found.tag.order = order;
    return {};
  },
  'externalcontact/del_corp_tag': (ctx) => {
    const tagIds = bodyStrings(ctx, 'tag_id', 1000, false);
    const groupIds = bodyStrings(ctx, 'group_id', 1000, false);
    if (tagIds.length === 0 && groupIds.length === 0) throw invalid('tag_id', 'and group_id both empty');
    const removed = new Set<string>();
    for (const id of groupIds) {
      const g = ctx.corp.tagGroups.find((x) => x.groupId === id);
      if (!g) throw new EmError(40068, 'invalid tagid');
      requireEditable(ctx, g.createdByApi);
    }
    for (const id of tagIds) {
      const found = ctx.corp.findTag(id);
      if (!found) throw new EmError(40068, 'invalid tagid');
      requireEditable(ctx, found.group.createdByApi);
    }
    for (const id of groupIds) {
      const index = ctx.corp.tagGroups.findIndex((x) => x.groupId === id);
      for (const t of ctx.corp.tagGroups[index]?.tags ?? []) removed.add(t.id);
      ctx.corp.tagGroups.splice(index, 1);
    }
    for (const id of tagIds) {
      const found = ctx.corp.findTag(id);
      if (!found) continue;
      found.group.tags = found.group.tags.filter((t) => t.id !== id);
      removed.add(id);
      // Deleting every tag of a group deletes the group.
      if (found.group.tags.length === 0)
        ctx.corp.tagGroups.splice(ctx.corp.tagGroups.indexOf(found.group), 1);
    }
    for (const f of ctx.corp.follows.values()) f.tagIds = f.tagIds.filter((t) => !removed.has(t));
    return {};
  },
  'externalcontact/mark_tag': (ctx) => {
    const follow = requireCustomerOf(ctx, bodyStr(ctx, 'userid'), bodyStr(ctx, 'external_userid'));
    const add = bodyStrings(ctx, 'add_tag', 1000, false);
    const remove = bodyStrings(ctx, 'remove_tag', 1000, false);
    if (add.length === 0 && remove.length === 0) throw invalid('add_tag', 'and remove_tag both empty');
    for (const id of [...add, ...remove])
      if (!ctx.corp.findTag(id)) throw new EmError(40068, 'invalid tagid');
    const drop = new Set(remove);
    follow.tagIds = [...new Set([...follow.tagIds, ...add])].filter((t) => !drop.has(t));
    return {};
  },
};
