import type { EmGroup } from '../model.ts';
import {
  bodyInt,
  bodyStr,
  bodyStrings,
  EmError,
  invalid,
  page,
  type Route,
  type RouteContext,
} from './common.ts';

/** Customer groups (SPEC §3.11). */

function requireGroup(ctx: RouteContext, chatId: string): EmGroup {
  const g = ctx.corp.groups.get(chatId);
  if (!g) throw invalid('chat_id');
  return g;
}

function transfer(ctx: RouteContext, inService: boolean) {
  const chatIds = bodyStrings(ctx, 'chat_id_list', 100);
  const newOwner = bodyStr(ctx, 'new_owner');
  if (!ctx.corp.activeUser(newOwner)) throw new EmError(60111, `invalid userid ${newOwner}`);
  const failed = [];
  for (const chatId of chatIds) {
    const g = ctx.corp.groups.get(chatId);
    if (!g) {
      failed.push({ chat_id: chatId, errcode: 90501, errmsg: 'not external group' });
      continue;
    }
    const ownerLeft = ctx.corp.users.get(g.owner)?.status === 5;
    if (!inService && !ownerLeft) {
      failed.push({ chat_id: chatId, errcode: 90500, errmsg: 'the owner of this chat is not resigned' });
      continue;
    }
    g.owner = newOwner;
    g.status = inService ? 0 : 3;
  }
  return { failed_chat_list: failed };
}

export const groupRoutes: Record<string, Route> = {
  'externalcontact/groupchat/list': (ctx) => {
    const limit = bodyInt(ctx, 'limit', 0, 1, 1000);
    if (limit === 0) throw invalid('limit', 'missing');
    const status = bodyInt(ctx, 'status_filter', 0, 0, 3);
    const filter = ctx.body.owner_filter;
    const owners =
      typeof filter === 'object' &&
      filter !== null &&
      'userid_list' in filter &&
      Array.isArray(filter.userid_list)
        ? filter.userid_list.filter((u): u is string => typeof u === 'string')
        : null;
    if (owners && owners.length > 100) throw invalid('owner_filter.userid_list', 'exceeds 100 items');
    if (!owners && ctx.corp.users.size > 1000) throw new EmError(81017, 'owner_filter required');
    const groups = [...ctx.corp.groups.values()].filter(
      (g) => (status === 0 || g.status === status) && (!owners || owners.includes(g.owner)),
    );
    const cursor = typeof ctx.body.cursor === 'string' ? ctx.body.cursor : '';
    const p = page(groups, cursor, limit, `groups:${status}:${owners?.join(',') ?? ''}`);
    return {
      group_chat_list: p.items.map((g) => ({ chat_id: g.chatId, status: g.status })),
      next_cursor: p.nextCursor,
    };
  },
  'externalcontact/groupchat/get': (ctx) => {
    const g = requireGroup(ctx, bodyStr(ctx, 'chat_id'));
    const needName = ctx.body.need_name === 1;
    return {
      group_chat: {
        chat_id: g.chatId,
        name: g.name,
        owner: g.owner,
        create_time: g.createTime,
        notice: g.notice,
        member_list: g.members.map((m) => ({
          userid: m.userId,
          type: m.type,
          ...(m.unionId !== undefined && { unionid: m.unionId }),
          join_time: m.joinTime,
          join_scene: m.joinScene,
          ...(m.invitor !== undefined && { invitor: { userid: m.invitor } }),
          group_nickname: m.groupNickname,
          ...(needName && { name: m.name }),
          ...(m.state !== undefined && { state: m.state }),
        })),
        admin_list: g.admins.map((userid) => ({ userid })),
        member_version: g.memberVersion,
      },
    };
  },
  'externalcontact/groupchat/transfer': (ctx) => transfer(ctx, false),
  'externalcontact/groupchat/onjob_transfer': (ctx) => transfer(ctx, true),
};
