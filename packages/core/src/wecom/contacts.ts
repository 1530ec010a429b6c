import type { Identity } from '@pond/contracts';
import type { Executor, Trx, WeComRelationshipStatus } from '@pond/storage';
import type { CallbackEvent, ExternalContactDetail } from '@pond/wecom';
import { sql } from 'kysely';
import { resolveCustomer } from '../customers/resolve.ts';
import type { Platform } from '../platform/platform.ts';
import { newId } from '../shared/ids.ts';
import { type CustomerEvent, WECOM_EVENTS } from './domain-events.ts';

const DAY = 86_400_000;
/** How long the owner has to win a lost customer back. */
export const WIN_BACK_DAYS = 3;

type ContactEvent = Extract<CallbackEvent, { userId: string; externalUserId: string }>;

export interface StaffRef {
  readonly id: string;
  readonly name: string;
  readonly org_unit_id: string;
}

/** The staff member holding a WeCom userid (userids are case-insensitive). */
export async function staffByUserId(
  trx: Executor,
  tenantId: string,
  userId: string,
): Promise<StaffRef | undefined> {
  return trx
    .selectFrom('staff')
    .select(['id', 'name', 'org_unit_id'])
    .where('tenant_id', '=', tenantId)
    .where(sql<string>`lower(wecom_userid)`, '=', userId.toLowerCase())
    .orderBy('status')
    .executeTakeFirst();
}

/**
 * The customer an external_userid points at (created when new), with the WeCom profile
 * filling only what the profile lacks: name, the owner (the first staff member who added
 * them, and that member's store), and the source channel from the contact way's `state`.
 */
export async function customerOfExternal(
  trx: Trx,
  p: Platform,
  tenantId: string,
  externalUserId: string,
  at: number,
  fill: {
    name?: string | undefined;
    unionid?: string | undefined;
    staff?: StaffRef | undefined;
    state?: string | undefined;
  } = {},
): Promise<{ id: number; publicId: string; ownerStaffId: string | null }> {
  const identities: Identity[] = [{ type: 'wecom_external_userid', value: externalUserId }];
  if (fill.unionid) identities.push({ type: 'wechat_unionid', value: fill.unionid });
  const r = await resolveCustomer(
    trx,
    { clock: p.clock, outbox: p.outbox },
    {
      tenantId,
      identities,
      source: 'wecom',
      at,
      updateProfile: false,
    },
  );
  if (!r.ok) throw new Error(`the customer of ${externalUserId} could not be resolved: ${r.error.message}`);
  const { customerId, publicId, created } = r.value;
  const row = await trx
    .selectFrom('customers')
    .select(['name', 'owner_staff_id', 'store_id', 'source_channel'])
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  const set: Record<string, string> = {};
  const changes: Record<string, [unknown, unknown]> = {};
  const put = (
    col: 'name' | 'owner_staff_id' | 'store_id' | 'source_channel',
    field: string,
    v: string | undefined,
  ) => {
    if (v === undefined || v === '' || row[col] !== null) return;
    set[col] = v;
    changes[field] = [null, v];
  };
  put('name', 'name', fill.name);
  if (fill.staff) {
    put('owner_staff_id', 'ownerStaffId', fill.staff.id);
    const unit = await trx
      .selectFrom('org_units')
      .select('kind')
      .where('id', '=', fill.staff.org_unit_id)
      .executeTakeFirst();
    if (unit?.kind === 'store') put('store_id', 'storeId', fill.staff.org_unit_id);
    put('source_channel', 'sourceChannel', fill.state ? `wecom:${fill.state}` : 'wecom');
  }
  if (Object.keys(set).length > 0) {
    await trx
      .updateTable('customers')
      .set({ ...set, updated_at: at })
      .where('id', '=', customerId)
      .execute();
    await trx
      .insertInto('customer_changes')
      .values({
        tenant_id: tenantId,
        customer_id: customerId,
        origin_customer_id: customerId,
        changes: JSON.stringify(changes),
        source: 'wecom',
        actor: 'WeCom',
        created_at: at,
      })
      .execute();
  }
  await p.outbox.append(trx, {
    tenantId,
    type: created ? 'customer.created' : 'customer.updated',
    aggregateType: 'customer',
    aggregateId: publicId,
    payload: created ? { customerId } : { customerId, changes },
  });
  return { id: customerId, publicId, ownerStaffId: set.owner_staff_id ?? row.owner_staff_id };
}

interface RelationshipPatch {
  status?: WeComRelationshipStatus;
  remark?: string | null;
  description?: string | null;
  state?: string | null;
  addWay?: number | null;
  addedAt?: number;
  transferFailure?: string | null;
}

/**
 * Creates or updates the relationship of one customer with one staff member. A status only
 * moves forward in WeCom time: an event older than the last status change (WeCom may deliver
 * out of order) updates details but not the status. Returns the row and whether the status moved.
 */
export async function upsertRelationship(
  trx: Trx,
  tenantId: string,
  pair: { customerId: number; externalUserId: string; staffUserId: string; staffId: string | null },
  at: number,
  patch: RelationshipPatch,
  now: number,
) {
  const existing = await trx
    .selectFrom('wecom_relationships')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('external_userid', '=', pair.externalUserId)
    .where('staff_userid', '=', pair.staffUserId)
    .executeTakeFirst();
  const details = {
    ...(patch.remark !== undefined && { remark: patch.remark }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.state !== undefined && { state: patch.state }),
    ...(patch.addWay !== undefined && { add_way: patch.addWay }),
    ...(patch.transferFailure !== undefined && { transfer_failure: patch.transferFailure }),
  };
  if (!existing) {
    const row = await trx
      .insertInto('wecom_relationships')
      .values({
        tenant_id: tenantId,
        customer_id: pair.customerId,
        origin_customer_id: pair.customerId,
        external_userid: pair.externalUserId,
        staff_userid: pair.staffUserId,
        staff_id: pair.staffId,
        remark: null,
        description: null,
        state: null,
        add_way: null,
        transfer_failure: null,
        ...details,
        status: patch.status ?? 'active',
        added_at: patch.addedAt ?? at,
        status_changed_at: at,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, previous: null as WeComRelationshipStatus | null, moved: true };
  }
  const moves =
    patch.status !== undefined && patch.status !== existing.status && at >= existing.status_changed_at;
  const row = await trx
    .updateTable('wecom_relationships')
    .set({
      ...details,
      staff_id: pair.staffId ?? existing.staff_id,
      customer_id: pair.customerId,
      ...(moves && { status: patch.status, status_changed_at: at }),
      ...(moves && patch.status === 'active' && patch.addedAt !== undefined && { added_at: patch.addedAt }),
      updated_at: now,
    })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, previous: existing.status, moved: moves };
}

export interface ContactOutcome {
  readonly events: CustomerEvent[];
}

/** Applies one change_external_contact event to customers, relationships and loss alerts. */
export async function applyContactEvent(
  trx: Trx,
  p: Platform,
  tenantId: string,
  ev: ContactEvent,
  detail: ExternalContactDetail | null,
): Promise<ContactOutcome> {
  const now = p.clock.now();
  const at = ev.createTime > 0 ? ev.createTime * 1000 : now;
  const staff = await staffByUserId(trx, tenantId, ev.userId);
  const follow = detail?.followUsers.find((f) => f.userId.toLowerCase() === ev.userId.toLowerCase());
  const state = ('state' in ev ? ev.state : undefined) ?? (follow?.state || undefined);
  const adding = ev.kind === 'add_external_contact' || ev.kind === 'add_half_external_contact';
  const customer = await customerOfExternal(trx, p, tenantId, ev.externalUserId, at, {
    name: detail?.externalContact.name,
    unionid: detail?.externalContact.unionId,
    ...(adding && { staff, state }),
  });
  const pair = {
    customerId: customer.id,
    externalUserId: ev.externalUserId,
    // Userids are case-insensitive (SPEC §3.0): one relationship per member however it is spelled.
    staffUserId: ev.userId.toLowerCase(),
    staffId: staff?.id ?? null,
  };
  const fromFollow = follow
    ? {
        remark: follow.remark || null,
        description: follow.description || null,
        addWay: follow.addWay,
        ...(follow.createTime ? { addedAt: follow.createTime * 1000 } : {}),
      }
    : {};
  const base = { staffUserId: ev.userId, staffId: staff?.id ?? null, staffName: staff?.name ?? null };
  const events: CustomerEvent[] = [];
  const event = (name: string, properties: Record<string, unknown>) =>
    events.push({ customerId: customer.id, name, properties: { ...base, ...properties }, at });

  switch (ev.kind) {
    case 'add_external_contact':
    case 'add_half_external_contact': {
      const half = ev.kind === 'add_half_external_contact';
      const r = await upsertRelationship(
        trx,
        tenantId,
        pair,
        at,
        { ...fromFollow, status: half ? 'pending' : 'active', state: state ?? null },
        now,
      );
      // Adding the staff member back wins a lost customer back.
      if (r.moved && r.previous === 'deleted_by_customer') {
        await trx
          .updateTable('wecom_loss_alerts')
          .set({
            status: 'won_back',
            task_status: 'done',
            resolved_at: at,
            resolved_by: 'WeCom',
            updated_at: now,
          })
          .where('tenant_id', '=', tenantId)
          .where('relationship_id', '=', r.row.id)
          .where('status', '=', 'open')
          .execute();
      }
      if (r.moved)
        event(WECOM_EVENTS.contactAdded, {
          state: state ?? null,
          addWay: follow?.addWay ?? null,
          half,
          again: r.previous !== null,
        });
      await relationshipChanged(trx, p, tenantId, customer.publicId, r.row.id, 'wecom.contact_added', {
        half,
      });
      break;
    }
    case 'edit_external_contact': {
      const r = await upsertRelationship(trx, tenantId, pair, at, { ...fromFollow }, now);
      event(WECOM_EVENTS.contactEdited, { remark: r.row.remark, description: r.row.description });
      await relationshipChanged(trx, p, tenantId, customer.publicId, r.row.id, 'wecom.contact_edited', {});
      break;
    }
    case 'del_follow_user':
    case 'del_external_contact': {
      const byCustomer = ev.kind === 'del_follow_user';
      const byTransfer = ev.kind === 'del_external_contact' && ev.byTransfer;
      const status: WeComRelationshipStatus = byCustomer
        ? 'deleted_by_customer'
        : byTransfer
          ? 'transferred'
          : 'deleted_by_staff';
      const r = await upsertRelationship(trx, tenantId, pair, at, { status }, now);
      if (!r.moved) break;
      if (byTransfer) {
        event(WECOM_EVENTS.contactTransferred, {});
      } else {
        event(byCustomer ? WECOM_EVENTS.contactLost : WECOM_EVENTS.contactDeleted, {
          by: byCustomer ? 'customer' : 'staff',
        });
        await openLossAlert(trx, p, tenantId, {
          customerId: customer.id,
          relationshipId: r.row.id,
          externalUserId: ev.externalUserId,
          staffUserId: pair.staffUserId,
          staffId: staff?.id ?? null,
          kind: status === 'deleted_by_customer' ? 'deleted_by_customer' : 'deleted_by_staff',
          // The customer's owner wins them back; without an owner, the member they deleted.
          taskStaffId: byCustomer ? (customer.ownerStaffId ?? staff?.id ?? null) : null,
          at,
          now,
        });
      }
      await relationshipChanged(trx, p, tenantId, customer.publicId, r.row.id, `wecom.contact_${status}`, {});
      break;
    }
    case 'transfer_fail': {
      const r = await upsertRelationship(
        trx,
        tenantId,
        pair,
        at,
        { transferFailure: ev.failReason || 'unknown' },
        now,
      );
      event(WECOM_EVENTS.transferFailed, { reason: ev.failReason });
      await relationshipChanged(trx, p, tenantId, customer.publicId, r.row.id, 'wecom.transfer_failed', {
        reason: ev.failReason,
      });
      break;
    }
    default:
      break;
  }
  return { events };
}

async function relationshipChanged(
  trx: Trx,
  p: Platform,
  tenantId: string,
  customerPublicId: string,
  relationshipId: number,
  type: string,
  payload: Record<string, unknown>,
) {
  await p.outbox.append(trx, {
    tenantId,
    type,
    aggregateType: 'customer',
    aggregateId: customerPublicId,
    payload: { ...payload, relationshipId },
  });
}

async function openLossAlert(
  trx: Trx,
  p: Platform,
  tenantId: string,
  a: {
    customerId: number;
    relationshipId: number;
    externalUserId: string;
    staffUserId: string;
    staffId: string | null;
    kind: 'deleted_by_customer' | 'deleted_by_staff';
    taskStaffId: string | null;
    at: number;
    now: number;
  },
) {
  const open = await trx
    .selectFrom('wecom_loss_alerts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('relationship_id', '=', a.relationshipId)
    .where('kind', '=', a.kind)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (open) return;
  const id = newId('wla', a.now);
  await trx
    .insertInto('wecom_loss_alerts')
    .values({
      id,
      tenant_id: tenantId,
      customer_id: a.customerId,
      origin_customer_id: a.customerId,
      relationship_id: a.relationshipId,
      external_userid: a.externalUserId,
      staff_userid: a.staffUserId,
      staff_id: a.staffId,
      kind: a.kind,
      occurred_at: a.at,
      status: 'open',
      task_staff_id: a.taskStaffId,
      task_status: a.kind === 'deleted_by_customer' ? 'open' : 'none',
      task_due_at: a.kind === 'deleted_by_customer' ? a.at + WIN_BACK_DAYS * DAY : null,
      resolved_at: null,
      resolved_by: null,
      note: null,
      created_at: a.now,
      updated_at: a.now,
    })
    .execute();
  // Announced, so notifications can reach the owner the moment a customer is lost.
  await p.outbox.append(trx, {
    tenantId,
    type: 'wecom.loss_alert_opened',
    aggregateType: 'wecom_loss_alert',
    aggregateId: id,
    payload: { customerId: a.customerId, kind: a.kind, taskStaffId: a.taskStaffId },
  });
}
