import type { Wire } from '../../client/wire.ts';
import type { EmContactWay } from '../model.ts';
import { bodyInt, bodyStr, EmError, invalid, page, type Route, type RouteContext } from './common.ts';

/** 「联系我」 contact ways and welcome messages (SPEC §3.7, §3.8). */

function wayJson(w: EmContactWay): Wire {
  return {
    config_id: w.configId,
    type: w.type,
    scene: w.scene,
    ...(w.style !== undefined && { style: w.style }),
    remark: w.remark,
    skip_verify: w.skipVerify,
    state: w.state,
    ...(w.qrCode !== undefined && { qr_code: w.qrCode }),
    user: w.users,
    party: w.parties,
    is_temp: w.isTemp,
    ...(w.expiresIn !== undefined && { expires_in: w.expiresIn }),
    ...(w.chatExpiresIn !== undefined && { chat_expires_in: w.chatExpiresIn }),
    ...(w.unionId !== undefined && { unionid: w.unionId }),
    ...(w.isExclusive !== undefined && { is_exclusive: w.isExclusive }),
    ...(w.conclusions !== undefined && { conclusions: w.conclusions }),
  };
}

/** Validates and applies the fields add and update share; lists replace previous values. */
function applyFields(ctx: RouteContext, way: EmContactWay): void {
  const b = ctx.body;
  if (b.remark !== undefined) {
    if (typeof b.remark !== 'string' || [...b.remark].length > 30)
      throw invalid('remark', 'exceeds 30 characters');
    way.remark = b.remark;
  }
  if (b.state !== undefined) {
    if (typeof b.state !== 'string' || [...b.state].length > 30)
      throw invalid('state', 'exceeds 30 characters');
    way.state = b.state;
  }
  if (b.skip_verify !== undefined) way.skipVerify = b.skip_verify === true;
  if (b.style !== undefined) way.style = bodyInt(ctx, 'style', 1, 1, 3);
  if (b.user !== undefined) {
    if (!Array.isArray(b.user) || !b.user.every((u) => typeof u === 'string')) throw invalid('user');
    for (const u of b.user) {
      const user = ctx.corp.activeUser(u);
      if (!user) throw new EmError(60111, `invalid userid ${u}`);
      if (!user.customerContact) throw invalid('user', `${u} has no customer contact permission`);
    }
    way.users = b.user;
  }
  if (b.party !== undefined) {
    if (
      !Array.isArray(b.party) ||
      !b.party.every((p) => typeof p === 'number' && ctx.corp.departments.has(p))
    ) {
      throw new EmError(60123, 'invalid party id');
    }
    way.parties = b.party;
  }
  if (b.expires_in !== undefined) way.expiresIn = bodyInt(ctx, 'expires_in', 604_800, 1, 1_209_600);
  if (b.chat_expires_in !== undefined)
    way.chatExpiresIn = bodyInt(ctx, 'chat_expires_in', 86_400, 1, 1_209_600);
  if (typeof b.unionid === 'string') way.unionId = b.unionid;
  if (typeof b.conclusions === 'object' && b.conclusions !== null)
    way.conclusions = b.conclusions as Record<string, unknown>;
  if (way.type === 1 && way.users.length !== 1)
    throw invalid('user', 'must hold exactly one member for type 1');
  if (way.type === 2 && way.users.length + way.parties.length === 0)
    throw invalid('user', 'and party both empty');
  if (way.users.length > 100) throw invalid('user', 'exceeds 100 members');
}

function requireWay(ctx: RouteContext): EmContactWay {
  const way = ctx.corp.contactWays.get(bodyStr(ctx, 'config_id'));
  if (!way) throw invalid('config_id');
  return way;
}

const ATTACHMENT_TYPES = new Set(['image', 'link', 'miniprogram', 'video', 'file']);

export const wayRoutes: Record<string, Route> = {
  'externalcontact/add_contact_way': (ctx) => {
    const type = bodyInt(ctx, 'type', 0, 1, 2);
    const scene = bodyInt(ctx, 'scene', 0, 1, 2);
    if (type !== 1 && type !== 2) throw invalid('type');
    if (scene !== 1 && scene !== 2) throw invalid('scene');
    const configId = ctx.corp.nextId('configId');
    const way: EmContactWay = {
      configId,
      type,
      scene,
      remark: '',
      skipVerify: true,
      state: '',
      users: [],
      parties: [],
      isTemp: ctx.body.is_temp === true,
      ...(typeof ctx.body.is_exclusive === 'boolean' && { isExclusive: ctx.body.is_exclusive }),
      createTime: ctx.corp.nowSeconds(),
      cursor: 0,
      ...(scene === 2 && { qrCode: `https://wework.qpic.cn/wwpic/${configId}/0` }),
    };
    if (way.isTemp && type !== 1) throw invalid('is_temp', 'only for a single member');
    applyFields(ctx, way);
    ctx.corp.contactWays.set(configId, way);
    return { config_id: configId, ...(way.qrCode !== undefined && { qr_code: way.qrCode }) };
  },
  'externalcontact/get_contact_way': (ctx) => ({ contact_way: wayJson(requireWay(ctx)) }),
  'externalcontact/update_contact_way': (ctx) => {
    const way = requireWay(ctx);
    if (way.isTemp && way.expiresIn !== undefined && ctx.corp.nowSeconds() > way.createTime + way.expiresIn) {
      throw invalid('config_id', 'temporary contact way expired');
    }
    const draft = structuredClone(way);
    applyFields(ctx, draft);
    Object.assign(way, draft);
    return {};
  },
  'externalcontact/del_contact_way': (ctx) => {
    const way = requireWay(ctx);
    ctx.corp.contactWays.delete(way.configId);
    return {};
  },
  'externalcontact/list_contact_way': (ctx) => {
    const now = ctx.corp.nowSeconds();
    const end = bodyInt(ctx, 'end_time', now, 0, Number.MAX_SAFE_INTEGER);
    const start = bodyInt(ctx, 'start_time', end - 90 * 86_400, 0, Number.MAX_SAFE_INTEGER);
    const limit = bodyInt(ctx, 'limit', 100, 1, 1000);
    const ways = [...ctx.corp.contactWays.values()].filter(
      (w) => !w.isTemp && w.createTime >= start && w.createTime <= end,
    );
    const p = page(
      ways,
      typeof ctx.body.cursor === 'string' ? ctx.body.cursor : '',
      limit,
      `ways:${start}:${end}`,
    );
    return { contact_way: p.items.map((w) => ({ config_id: w.configId })), next_cursor: p.nextCursor };
  },
  'externalcontact/send_welcome_msg': (ctx) => {
    const code = ctx.corp.welcomeCodes.get(bodyStr(ctx, 'welcome_code'));
    if (!code || ctx.corp.deps.now() > code.expiresAt) throw invalid('welcome_code', 'expired or unknown');
    if (code.used) throw new EmError(41051, 'externaluser has started chatting');
    const text = ctx.body.text;
    const content = typeof text === 'object' && text !== null && 'content' in text ? text.content : undefined;
    if (content !== undefined && (typeof content !== 'string' || Buffer.byteLength(content) > 4000)) {
      throw invalid('text.content', 'exceeds 4000 bytes');
    }
    const attachments = Array.isArray(ctx.body.attachments) ? ctx.body.attachments : [];
    if (attachments.length > 9) throw invalid('attachments', 'exceeds 9 items');
    for (const a of attachments) {
      const type = typeof a === 'object' && a !== null && 'msgtype' in a ? String(a.msgtype) : '';
      if (!ATTACHMENT_TYPES.has(type) || !(type in a)) throw invalid('attachments.msgtype');
    }
    if (content === undefined && attachments.length === 0)
      throw invalid('text', 'and attachments both empty');
    code.used = true;
    ctx.corp.welcomeMessages.push({
      userId: code.userId,
      externalUserId: code.externalUserId,
      body: ctx.body,
    });
    return {};
  },
};
