import type { Trx, WeComGroupMemberTable } from '@pond/storage';
import type { CallbackEvent, GroupChat } from '@pond/wecom';
import type { Selectable } from 'kysely';
import type { Platform } from '../platform/platform.ts';
import { newId } from '../shared/ids.ts';
import { customerOfExternal, staffByUserId } from './contacts.ts';
import { type CustomerEvent, WECOM_EVENTS } from './domain-events.ts';

type ChatEvent = Extract<CallbackEvent, { chatId: string }>;
type MemberRow = Selectable<WeComGroupMemberTable>;

/** External contacts' ids start with wm (WeChat users) or wo (WeCom users of other corps). */
const isExternal = (id: string) => /^w[mo]/.test(id);

/**
 * Applies one change_external_chat event. With the group's detail (groupchat/get) the whole
 * member list is reconciled; without it (no app secret) the event's own member list is used.
 * External members are linked to their customer profiles; joins and leaves become customer
 * events with the scene WeCom reported.
 */
export async function applyChatEvent(
  trx: Trx,
  p: Platform,
  tenantId: string,
  ev: ChatEvent,
  detail: GroupChat | null,
): Promise<{ events: CustomerEvent[] }> {
  const now = p.clock.now();
  const at = ev.createTime > 0 ? ev.createTime * 1000 : now;
  const existing = await trx
    .selectFrom('wecom_groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('chat_id', '=', ev.chatId)
    .executeTakeFirst();
  const ownerStaff = detail?.owner ? await staffByUserId(trx, tenantId, detail.owner) : undefined;
  const fields = {
    ...(detail && {
      name: detail.name || null,
      owner_userid: detail.owner || null,
      owner_staff_id: ownerStaff?.id ?? null,
      notice: detail.notice || null,
      member_version: detail.memberVersion || null,
      wecom_created_at: detail.createTime ? detail.createTime * 1000 : null,
    }),
    ...(ev.kind === 'chat_dismiss' ? { status: 'dismissed' as const, dismissed_at: at } : {}),
  };
  let groupId: string;
  if (existing) {
    groupId = existing.id;
    await trx
      .updateTable('wecom_groups')
      .set({ ...fields, updated_at: now })
      .where('id', '=', groupId)
      .execute();
  } else {
    groupId = newId('wgr', now);
    await trx
      .insertInto('wecom_groups')
      .values({
        id: groupId,
        tenant_id: tenantId,
        chat_id: ev.chatId,
        name: null,
        owner_userid: null,
        owner_staff_id: null,
        notice: null,
        member_version: null,
        wecom_created_at: null,
        dismissed_at: null,
        status: 'active',
        member_count: 0,
        external_count: 0,
        ...fields,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  const groupName = detail?.name || existing?.name || null;
  const members = await trx
    .selectFrom('wecom_group_members')
    .selectAll()
    .where('group_id', '=', groupId)
    .execute();
  const byId = new Map(members.map((m) => [m.member_id, m]));
  const events: CustomerEvent[] = [];
  const props = { chatId: ev.chatId, groupId, groupName };

  const join = async (
    memberId: string,
    info: {
      kind: 'staff' | 'external';
      name?: string | undefined;
      unionid?: string | undefined;
      joinedAt: number;
      scene: number | null;
    },
  ) => {
    const row = byId.get(memberId);
    if (row?.status === 'member') return;
    let customerId: number | null = row?.customer_id ?? null;
    let staffId: string | null = row?.staff_id ?? null;
    if (info.kind === 'external') {
      customerId = (
        await customerOfExternal(trx, p, tenantId, memberId, at, { name: info.name, unionid: info.unionid })
      ).id;
    } else {
      staffId = (await staffByUserId(trx, tenantId, memberId))?.id ?? null;
    }
    if (row) {
      await trx
        .updateTable('wecom_group_members')
        .set({
          status: 'member',
          joined_at: info.joinedAt,
          join_scene: info.scene,
          quit_scene: null,
          left_at: null,
          customer_id: customerId,
          staff_id: staffId,
          name: info.name ?? row.name,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .execute();
    } else {
      await trx
        .insertInto('wecom_group_members')
        .values({
          tenant_id: tenantId,
          group_id: groupId,
          member_id: memberId,
          kind: info.kind,
          customer_id: customerId,
          origin_customer_id: customerId,
          staff_id: staffId,
          name: info.name ?? null,
          status: 'member',
          joined_at: info.joinedAt,
          join_scene: info.scene,
          quit_scene: null,
          left_at: null,
          updated_at: now,
        })
        .execute();
    }
    if (customerId !== null)
      events.push({
        customerId,
        name: WECOM_EVENTS.groupJoined,
        properties: { ...props, joinScene: info.scene },
        at,
      });
  };

  const leave = async (row: MemberRow, scene: number | null, reason: string) => {
    if (row.status === 'left') return;
    await trx
      .updateTable('wecom_group_members')
      .set({ status: 'left', quit_scene: scene, left_at: at, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    if (row.customer_id !== null)
      events.push({
        customerId: row.customer_id,
        name: WECOM_EVENTS.groupLeft,
        properties: { ...props, quitScene: scene, reason },
        at,
      });
  };

  if (ev.kind === 'chat_dismiss') {
    for (const m of members) await leave(m, null, 'dismissed');
  } else if (detail) {
    // The full list is the truth: whoever is in it is a member, whoever is not has left.
    const listed = new Set(detail.members.map((m) => m.userId));
    const scene = ev.kind === 'chat_update' ? (ev.joinScene ?? null) : null;
    for (const m of detail.members) {
      await join(m.userId, {
        kind: m.type === 2 ? 'external' : 'staff',
        name: m.name || m.groupNickname,
        unionid: m.unionId,
        joinedAt: m.joinTime ? m.joinTime * 1000 : at,
        scene: m.joinScene ?? scene,
      });
    }
    const quit = ev.kind === 'chat_update' ? (ev.quitScene ?? null) : null;
    for (const m of members) if (!listed.has(m.member_id)) await leave(m, quit, 'left');
  } else if (ev.kind === 'chat_update') {
    if (ev.updateDetail === 'add_member') {
      for (const id of ev.memChangeList)
        await join(id, {
          kind: isExternal(id) ? 'external' : 'staff',
          joinedAt: at,
          scene: ev.joinScene ?? null,
        });
    } else if (ev.updateDetail === 'del_member') {
      for (const id of ev.memChangeList) {
        const row = byId.get(id);
        if (row) await leave(row, ev.quitScene ?? null, 'left');
      }
    }
  }

  const counts = await trx
    .selectFrom('wecom_group_members')
    .select(['kind', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('group_id', '=', groupId)
    .where('status', '=', 'member')
    .groupBy('kind')
    .execute();
  const external = Number(counts.find((c) => c.kind === 'external')?.n ?? 0);
  const staffCount = Number(counts.find((c) => c.kind === 'staff')?.n ?? 0);
  await trx
    .updateTable('wecom_groups')
    .set({ member_count: external + staffCount, external_count: external })
    .where('id', '=', groupId)
    .execute();
  await p.outbox.append(trx, {
    tenantId,
    type:
      ev.kind === 'chat_create'
        ? 'wecom.group_created'
        : ev.kind === 'chat_dismiss'
          ? 'wecom.group_dismissed'
          : 'wecom.group_updated',
    aggregateType: 'wecom_group',
    aggregateId: groupId,
    payload: { chatId: ev.chatId, ...(ev.kind === 'chat_update' && { updateDetail: ev.updateDetail }) },
  });
  return { events };
}
