import { createHash } from 'node:crypto';
import type { EmTransfer } from '../model.ts';
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

/** Customer inheritance (SPEC §3.13), app messages (§3.14) and contact statistics (§3.12). */

const DAY = 86_400;
const TRANSFER_WINDOW = 90 * DAY;

function startTransfers(ctx: RouteContext, kind: EmTransfer['kind']) {
  const handover = bodyStr(ctx, 'handover_userid');
  const takeover = bodyStr(ctx, 'takeover_userid');
  const externalIds = bodyStrings(ctx, 'external_userid', 100);
  const handoverUser = ctx.corp.users.get(handover);
  if (!handoverUser) throw new EmError(60111, `invalid userid ${handover}`);
  const takeoverUser = ctx.corp.activeUser(takeover);
  if (!takeoverUser?.customerContact) throw new EmError(60111, `invalid userid ${takeover}`);
  if (kind === 'resigned' && handoverUser.status !== 5) throw invalid('handover_userid', 'is not resigned');
  if (kind === 'onjob' && handoverUser.status === 5)
    throw invalid('handover_userid', 'has resigned; use resigned transfer');
  const message = ctx.body.transfer_success_msg;
  if (typeof message === 'string' && [...message].length > 200)
    throw invalid('transfer_success_msg', 'exceeds 200 characters');
  const now = ctx.corp.nowSeconds();
  return {
    customer: externalIds.map((id) => {
      if (!ctx.corp.customers.has(id)) return { external_userid: id, errcode: 40096 };
      if (!ctx.corp.follow(handover, id)) return { external_userid: id, errcode: 84061 };
      const recent = ctx.corp.transfers.filter(
        (t) => t.externalUserId === id && t.kind === 'onjob' && t.takeoverTime > now - TRANSFER_WINDOW,
      );
      // At most two in-service transfers per customer in 90 days; the third is refused.
      if (kind === 'onjob' && recent.length >= 2) return { external_userid: id, errcode: 40058 };
      if (ctx.corp.transfers.some((t) => t.externalUserId === id && t.status === 2))
        return { external_userid: id, errcode: 40058 };
      ctx.corp.transfers.push({
        kind,
        handoverUserId: handover,
        takeoverUserId: takeover,
        externalUserId: id,
        status: 2,
        takeoverTime: now + DAY,
      });
      return { external_userid: id, errcode: 0 };
    }),
  };
}

function transferResult(ctx: RouteContext, kind: EmTransfer['kind']) {
  const handover = bodyStr(ctx, 'handover_userid');
  const takeover = bodyStr(ctx, 'takeover_userid');
  const rows = ctx.corp.transfers.filter(
    (t) => t.kind === kind && t.handoverUserId === handover && t.takeoverUserId === takeover,
  );
  const p = page(
    rows,
    typeof ctx.body.cursor === 'string' ? ctx.body.cursor : '',
    1000,
    `tr:${kind}:${handover}:${takeover}`,
  );
  return {
    customer: p.items.map((t) => ({
      external_userid: t.externalUserId,
      status: t.status,
      takeover_time: t.takeoverTime,
    })),
    next_cursor: p.nextCursor,
  };
}

/** A stable pseudo-random integer for (seed text, range): statistics look alive but never change. */
function stable(text: string, max: number): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0) % (max + 1);
}

export const successionRoutes: Record<string, Route> = {
  'externalcontact/transfer_customer': (ctx) => startTransfers(ctx, 'onjob'),
  'externalcontact/resigned/transfer_customer': (ctx) => startTransfers(ctx, 'resigned'),
  'externalcontact/transfer_result': (ctx) => transferResult(ctx, 'onjob'),
  'externalcontact/resigned/transfer_result': (ctx) => transferResult(ctx, 'resigned'),
  'externalcontact/get_unassigned_list': (ctx) => {
    const pageSize = bodyInt(ctx, 'page_size', 1000, 1, 1000);
    const pending = new Set(
      ctx.corp.transfers.filter((t) => t.status === 2 || t.status === 1).map((t) => t.externalUserId),
    );
    const rows = [...ctx.corp.follows.values()].flatMap((f) => {
      const user = ctx.corp.users.get(f.userId);
      if (user?.status !== 5 || pending.has(f.externalUserId)) return [];
      return [
        {
          handover_userid: f.userId,
          external_userid: f.externalUserId,
          dimission_time: user.dimissionTime ?? 0,
        },
      ];
    });
    const p = page(rows, typeof ctx.body.cursor === 'string' ? ctx.body.cursor : '', pageSize, 'unassigned');
    return { info: p.items, is_last: p.nextCursor === '', next_cursor: p.nextCursor };
  },
  'message/send': (ctx) => {
    const agentId = ctx.body.agentid;
    if (agentId !== ctx.corp.deps.agentId) throw new EmError(40056, 'invalid agentid');
    const msgtype = bodyStr(ctx, 'msgtype');
    if (!(msgtype in ctx.body)) throw invalid(msgtype, 'missing');
    const content = ctx.body[msgtype];
    if (msgtype === 'text') {
      const text =
        typeof content === 'object' && content !== null && 'content' in content ? content.content : undefined;
      if (typeof text !== 'string' || Buffer.byteLength(text) > 2048) throw invalid('text.content');
    }
    const touser = bodyStr(ctx, 'touser', false);
    const toparty = bodyStr(ctx, 'toparty', false);
    const totag = bodyStr(ctx, 'totag', false);
    if (!touser && !toparty && !totag) throw invalid('touser', 'and toparty and totag all empty');
    const active = [...ctx.corp.users.values()].filter((u) => u.status === 1);
    let recipients: string[];
    const invalidUsers: string[] = [];
    const invalidParties: string[] = [];
    if (touser === '@all') {
      recipients = active.map((u) => u.userId);
    } else {
      recipients = [];
      for (const id of touser.split('|').filter(Boolean)) {
        if (active.some((u) => u.userId === id)) recipients.push(id);
        else invalidUsers.push(id.toLowerCase());
      }
      for (const party of toparty.split('|').filter(Boolean)) {
        if (!ctx.corp.departments.has(Number(party))) invalidParties.push(party);
        else
          recipients.push(
            ...active.filter((u) => u.departments.includes(Number(party))).map((u) => u.userId),
          );
      }
    }
    const invalidTags = totag.split('|').filter(Boolean);
    recipients = [...new Set(recipients)];
    if (recipients.length === 0) throw new EmError(81013, 'user & party & tag all invalid');
    const msgId = ctx.corp.nextId('configId');
    ctx.corp.staffMessages.push({ toUsers: recipients, body: ctx.body, msgId });
    return {
      invaliduser: invalidUsers.join('|'),
      invalidparty: invalidParties.join('|'),
      invalidtag: invalidTags.join('|'),
      unlicenseduser: '',
      msgid: msgId,
    };
  },
  'externalcontact/get_user_behavior_data': (ctx) => {
    const userIds = bodyStrings(ctx, 'userid', 100, false);
    const partyIds = Array.isArray(ctx.body.partyid)
      ? ctx.body.partyid.filter((p): p is number => typeof p === 'number')
      : [];
    if (userIds.length === 0 && partyIds.length === 0) throw invalid('userid', 'and partyid both empty');
    if (partyIds.length > 100) throw invalid('partyid', 'exceeds 100 items');
    for (const id of userIds) if (!ctx.corp.users.has(id)) throw new EmError(60111, `invalid userid ${id}`);
    const offset = 8 * 3600; // WeCom days are China days (UTC+8).
    const midnight = (t: number) => t - ((t + offset) % DAY);
    const start = midnight(bodyInt(ctx, 'start_time', -1, 0, Number.MAX_SAFE_INTEGER));
    const end = midnight(bodyInt(ctx, 'end_time', -1, 0, Number.MAX_SAFE_INTEGER));
    if (end < start || end - start > 30 * DAY) throw invalid('end_time', 'range exceeds 30 days');
    const today = midnight(ctx.corp.nowSeconds());
    if (start < today - 180 * DAY) throw invalid('start_time', 'earlier than 180 days ago');
    const members = new Set([
      ...userIds,
      ...[...ctx.corp.users.values()]
        .filter((u) => u.departments.some((d) => partyIds.includes(d)))
        .map((u) => u.userId),
    ]);
    const rows = [];
    for (let day = start; day <= end; day += DAY) {
      let chat = 0;
      let messages = 0;
      let applies = 0;
      let contacts = 0;
      let negative = 0;
      for (const id of members) {
        chat += stable(`chat:${id}:${day}`, 25);
        messages += stable(`msg:${id}:${day}`, 120);
        applies += stable(`apply:${id}:${day}`, 6);
        contacts += stable(`contact:${id}:${day}`, 5);
        negative += stable(`neg:${id}:${day}`, 10) === 0 ? 1 : 0;
      }
      rows.push({
        stat_time: day,
        chat_cnt: chat,
        message_cnt: messages,
        ...(chat > 0 && {
          reply_percentage: 60 + stable(`rp:${day}`, 400) / 10,
          avg_reply_time: 1 + stable(`art:${day}`, 30),
        }),
        negative_feedback_cnt: negative,
        new_apply_cnt: applies,
        new_contact_cnt: Math.min(applies, contacts),
      });
    }
    return { behavior_data: rows };
  },
};
