import type { Trx, WeComTransferItemStatus, WeComTransferTable } from '@pond/storage';
import { isRetryable, type TransferStatusCode } from '@pond/wecom';
import type { Selectable } from 'kysely';
import type { Platform } from '../../platform/platform.ts';
import { ok } from '../../shared/result.ts';
import { customerOfExternal, upsertRelationship } from '../contacts.ts';
import { describeErrcode, describeWeComError } from '../live-codes/wecom-failure.ts';
import type { WeCom } from '../wecom.ts';

export const SEND_QUEUE = 'wecom.succession.send';
export const POLL_QUEUE = 'wecom.succession.poll';
/** WeCom switches a customer 24 h after the transfer unless they refuse; results are read this often. */
export const POLL_INTERVAL_MS = 15 * 60_000;
const CHUNK = 100;

type TransferRow = Selectable<WeComTransferTable>;

const STATUS_OF: Record<TransferStatusCode, WeComTransferItemStatus> = {
  1: 'taken_over',
  2: 'waiting',
  3: 'refused',
  4: 'limit_exceeded',
  5: 'failed',
};

/**
 * The durable work of a transfer: sending its queued items to WeCom (100 per call), then
 * reading WeCom's results every POLL_INTERVAL_MS while any customer is waiting. A customer
 * taken over moves to the new staff member in Pond: relationships and owner.
 */
export function createTransferJobs(p: Platform, wecom: WeCom) {
  const { db, clock } = p;

  const load = (tenantId: string, id: string) =>
    db
      .selectFrom('wecom_transfers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  async function setItems(
    ids: number[],
    status: WeComTransferItemStatus,
    extra: {
      errcode?: number | null;
      error?: string | null;
      takeover_at?: number | null;
      attempt?: boolean;
    } = {},
  ) {
    if (ids.length === 0) return;
    await db
      .updateTable('wecom_transfer_items')
      .set((eb) => ({
        status,
        errcode: extra.errcode ?? null,
        error: extra.error?.slice(0, 1000) ?? null,
        ...(extra.takeover_at !== undefined && { takeover_at: extra.takeover_at }),
        ...(extra.attempt && { attempts: eb('attempts', '+', 1) }),
        updated_at: clock.now(),
      }))
      .where('id', 'in', ids)
      .execute();
  }

  /** Arms the next result check, or closes the transfer when nothing is left to wait for. */
  async function settle(t: TransferRow): Promise<void> {
    const open = await db
      .selectFrom('wecom_transfer_items')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('tenant_id', '=', t.tenant_id)
      .where('transfer_id', '=', t.id)
      .where('status', 'in', ['queued', 'waiting'])
      .groupBy('status')
      .execute();
    const waiting = open.some((r) => r.status === 'waiting' && Number(r.n) > 0);
    const queued = open.some((r) => r.status === 'queued' && Number(r.n) > 0);
    const next = waiting ? clock.now() + POLL_INTERVAL_MS : null;
    await p.tx(async (trx) => {
      await trx
        .updateTable('wecom_transfers')
        .set({ status: waiting || queued ? 'running' : 'done', next_check_at: next, updated_at: clock.now() })
        .where('id', '=', t.id)
        .execute();
      if (next !== null)
        await p.jobs.enqueue(
          {
            queue: POLL_QUEUE,
            tenantId: t.tenant_id,
            payload: { tenantId: t.tenant_id, id: t.id },
            runAt: next,
            dedupeKey: `${POLL_QUEUE}:${t.id}:${next}`,
          },
          trx,
        );
      if (!waiting && !queued)
        await p.outbox.append(trx, {
          tenantId: t.tenant_id,
          type: 'wecom.transfer_finished',
          aggregateType: 'wecom_transfer',
          aggregateId: t.id,
          payload: {},
        });
      return ok(null);
    });
  }

  async function send(tenantId: string, id: string): Promise<void> {
    const t = await load(tenantId, id);
    if (!t) return;
    const gateway = await wecom.gatewayOf(tenantId);
    const queued = await db
      .selectFrom('wecom_transfer_items')
      .select(['id', 'target', 'wecom_id'])
      .where('tenant_id', '=', tenantId)
      .where('transfer_id', '=', id)
      .where('status', '=', 'queued')
      .orderBy('id')
      .execute();
    if (!gateway) {
      await setItems(
        queued.map((q) => q.id),
        'failed',
        { error: 'WeCom is not connected: save the app secret in the WeCom settings, then retry' },
      );
      return settle(t);
    }
    const customers = queued.filter((q) => q.target === 'customer');
    for (let i = 0; i < customers.length; i += CHUNK) {
      const chunk = customers.slice(i, i + CHUNK);
      const byExternal = new Map(chunk.map((c) => [c.wecom_id, c.id]));
      try {
        const request = {
          handoverUserId: t.handover_userid,
          takeoverUserId: t.takeover_userid,
          externalUserIds: chunk.map((c) => c.wecom_id),
        };
        const results =
          t.kind === 'resigned'
            ? await gateway.transferResignedCustomers(request)
            : await gateway.transferCustomers({
                ...request,
                ...(t.message && { transferSuccessMsg: t.message }),
              });
        const started = results.filter((r) => r.errcode === 0).map((r) => byExternal.get(r.externalUserId));
        await setItems(
          started.filter((x): x is number => x !== undefined),
          'waiting',
          { attempt: true },
        );
        for (const r of results.filter((x) => x.errcode !== 0)) {
          const itemId = byExternal.get(r.externalUserId);
          if (itemId === undefined) continue;
          await setItems([itemId], 'failed', {
            errcode: r.errcode,
            error:
              r.errcode === 40058
                ? `${describeErrcode(r.errcode)}: already being transferred, or transferred twice in 90 days`
                : describeErrcode(r.errcode),
            attempt: true,
          });
        }
      } catch (e) {
        if (isRetryable(e)) throw e;
        const { errcode, text } = describeWeComError(e);
        await setItems(
          chunk.map((c) => c.id),
          'failed',
          { errcode, error: text, attempt: true },
        );
      }
    }
    const groups = queued.filter((q) => q.target === 'group');
    for (let i = 0; i < groups.length; i += CHUNK) {
      const chunk = groups.slice(i, i + CHUNK);
      try {
        const failures = await gateway.transferGroupChats({
          chatIds: chunk.map((g) => g.wecom_id),
          newOwner: t.takeover_userid,
          inService: t.kind === 'in_service',
        });
        const failed = new Map(failures.map((f) => [f.chatId, f]));
        for (const g of chunk) {
          const f = failed.get(g.wecom_id);
          if (f)
            await setItems([g.id], 'failed', {
              errcode: f.errcode,
              error: `errcode ${f.errcode}: ${f.errmsg}`,
              attempt: true,
            });
        }
        const done = chunk.filter((g) => !failed.has(g.wecom_id));
        await setItems(
          done.map((g) => g.id),
          'taken_over',
          { takeover_at: clock.now(), attempt: true },
        );
        if (done.length > 0)
          await db
            .updateTable('wecom_groups')
            .set({
              owner_userid: t.takeover_userid,
              owner_staff_id: t.takeover_staff_id,
              updated_at: clock.now(),
            })
            .where('tenant_id', '=', tenantId)
            .where(
              'chat_id',
              'in',
              done.map((g) => g.wecom_id),
            )
            .execute();
      } catch (e) {
        if (isRetryable(e)) throw e;
        const { errcode, text } = describeWeComError(e);
        await setItems(
          chunk.map((g) => g.id),
          'failed',
          { errcode, error: text, attempt: true },
        );
      }
    }
    await settle(t);
  }

  /** Moves a customer taken over to the new staff member in Pond. */
  async function takenOver(
    trx: Trx,
    t: TransferRow,
    item: { id: number; wecom_id: string; customer_id: number | null },
    at: number,
    profile: { name?: string; unionid?: string },
  ) {
    const now = clock.now();
    await trx
      .updateTable('wecom_transfer_items')
      .set({ status: 'taken_over', errcode: null, error: null, takeover_at: at, updated_at: now })
      .where('id', '=', item.id)
      .execute();
    // A customer Pond had not seen yet (never synced) becomes a profile now: the brand keeps them.
    const customerId =
      item.customer_id ?? (await customerOfExternal(trx, p, t.tenant_id, item.wecom_id, at, profile)).id;
    if (item.customer_id === null)
      await trx
        .updateTable('wecom_transfer_items')
        .set({ customer_id: customerId, origin_customer_id: customerId })
        .where('id', '=', item.id)
        .execute();
    await upsertRelationship(
      trx,
      t.tenant_id,
      {
        customerId,
        externalUserId: item.wecom_id,
        staffUserId: t.handover_userid.toLowerCase(),
        staffId: t.handover_staff_id,
      },
      at,
      { status: 'transferred' },
      now,
    );
    await upsertRelationship(
      trx,
      t.tenant_id,
      {
        customerId,
        externalUserId: item.wecom_id,
        staffUserId: t.takeover_userid.toLowerCase(),
        staffId: t.takeover_staff_id,
      },
      at,
      { status: 'active', addedAt: at, addWay: 202 },
      now,
    );
    const customer = await trx
      .selectFrom('customers')
      .select(['public_id', 'owner_staff_id'])
      .where('id', '=', customerId)
      .executeTakeFirst();
    if (!customer) return;
    // The owner follows the transfer unless someone else already owns the customer.
    if (customer.owner_staff_id === null || customer.owner_staff_id === t.handover_staff_id) {
      const changes = { ownerStaffId: [customer.owner_staff_id, t.takeover_staff_id] };
      await trx
        .updateTable('customers')
        .set({ owner_staff_id: t.takeover_staff_id, updated_at: now })
        .where('id', '=', customerId)
        .execute();
      await trx
        .insertInto('customer_changes')
        .values({
          tenant_id: t.tenant_id,
          customer_id: customerId,
          origin_customer_id: customerId,
          changes: JSON.stringify(changes),
          source: 'wecom',
          actor: 'WeCom transfer',
          created_at: now,
        })
        .execute();
      await p.outbox.append(trx, {
        tenantId: t.tenant_id,
        type: 'customer.updated',
        aggregateType: 'customer',
        aggregateId: customer.public_id,
        payload: { customerId, changes },
      });
    }
    await p.outbox.append(trx, {
      tenantId: t.tenant_id,
      type: 'wecom.customer_transferred',
      aggregateType: 'customer',
      aggregateId: customer.public_id,
      payload: { transferId: t.id, from: t.handover_userid, to: t.takeover_userid },
    });
  }

  async function poll(tenantId: string, id: string): Promise<void> {
    const t = await load(tenantId, id);
    if (!t) return;
    const gateway = await wecom.gatewayOf(tenantId);
    if (!gateway) return settle(t);
    const results = new Map<string, { status: TransferStatusCode; takeoverTime: number }>();
    for await (const r of gateway.iterateTransferResults(
      t.handover_userid,
      t.takeover_userid,
      t.kind === 'resigned',
    ))
      results.set(r.externalUserId, r);
    const waiting = await db
      .selectFrom('wecom_transfer_items')
      .select(['id', 'wecom_id', 'customer_id'])
      .where('tenant_id', '=', tenantId)
      .where('transfer_id', '=', id)
      .where('target', '=', 'customer')
      .where('status', '=', 'waiting')
      .execute();
    for (const item of waiting) {
      const r = results.get(item.wecom_id);
      if (!r || r.status === 2) {
        if (r) await setItems([item.id], 'waiting', { takeover_at: r.takeoverTime * 1000 });
        continue;
      }
      const at = r.takeoverTime > 0 ? r.takeoverTime * 1000 : clock.now();
      if (r.status === 1) {
        // A customer Pond has not met yet: WeCom's profile gives the new record its name.
        const profile: { name?: string; unionid?: string } = {};
        if (item.customer_id === null) {
          const detail = await gateway.getExternalContact(item.wecom_id).catch(() => null);
          if (detail?.externalContact.name) profile.name = detail.externalContact.name;
          if (detail?.externalContact.unionId) profile.unionid = detail.externalContact.unionId;
        }
        await p.tx(async (trx) => {
          await takenOver(trx, t, item, at, profile);
          return ok(null);
        });
      } else {
        await setItems([item.id], STATUS_OF[r.status], {
          errcode: null,
          error:
            r.status === 3
              ? 'the customer refused the transfer'
              : r.status === 4
                ? 'the takeover member reached WeCom’s customer limit'
                : 'WeCom has no record of this transfer',
          takeover_at: at,
        });
      }
    }
    await settle(t);
  }

  /** A `transfer_fail` callback settles the item at once, before the next result check. */
  async function onTransferFail(
    trx: Trx,
    tenantId: string,
    userId: string,
    externalUserId: string,
    reason: string,
  ) {
    const items = await trx
      .selectFrom('wecom_transfer_items as i')
      .innerJoin('wecom_transfers as t', 't.id', 'i.transfer_id')
      .select(['i.id'])
      .where('i.tenant_id', '=', tenantId)
      .where('i.wecom_id', '=', externalUserId)
      .where('i.status', '=', 'waiting')
      .where((eb) => eb(eb.fn('lower', ['t.takeover_userid']), '=', userId.toLowerCase()))
      .execute();
    if (items.length === 0) return;
    await trx
      .updateTable('wecom_transfer_items')
      .set({
        status: reason === 'customer_limit_exceed' ? 'limit_exceeded' : 'refused',
        error:
          reason === 'customer_limit_exceed'
            ? 'the takeover member reached WeCom’s customer limit'
            : 'the customer refused the transfer',
        updated_at: clock.now(),
      })
      .where(
        'id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
  }

  p.jobs.handle(SEND_QUEUE, (payload) => send(String(payload.tenantId), String(payload.id)));
  p.jobs.handle(POLL_QUEUE, (payload) => poll(String(payload.tenantId), String(payload.id)));

  return { send, poll, onTransferFail };
}
