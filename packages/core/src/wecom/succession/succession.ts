import type {
  CreateTransfer,
  RetryTransfer,
  SuccessionAssets,
  SuccessionCandidate,
  Transfer,
  TransferDetail,
  TransferItemStatus,
  TransferKind,
} from '@pond/contracts';
import { CreateTransfer as CreateTransferSchema } from '@pond/contracts';
import { type Executor, toPage, type WeComTransferTable } from '@pond/storage';
import type { UnassignedCustomer } from '@pond/wecom';
import { type Selectable, sql } from 'kysely';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Platform } from '../../platform/platform.ts';
import type { Ctx } from '../../shared/context.ts';
import { newId } from '../../shared/ids.ts';
import { afterCursor } from '../../shared/keyset.ts';
import { fail, notFound, ok, type Result } from '../../shared/result.ts';
import { describeWeComError } from '../live-codes/wecom-failure.ts';
import type { WeCom } from '../wecom.ts';
import { createTransferJobs, SEND_QUEUE } from './transfer-jobs.ts';

type TransferRow = Selectable<WeComTransferTable>;
const RETRYABLE: TransferItemStatus[] = ['failed', 'refused', 'limit_exceeded'];
const STATUSES: TransferItemStatus[] = [
  'queued',
  'waiting',
  'taken_over',
  'refused',
  'limit_exceeded',
  'failed',
];

export type Succession = ReturnType<typeof createSuccession>;

/**
 * Succession (离职/在职继承): who can hand customers over, what they hold, and transfers of
 * customers and groups to a chosen staff member, tracked per item until WeCom settles them.
 */
export function createSuccession(p: Platform, audit: AuditLog, wecom: WeCom) {
  const { db, clock } = p;
  const jobs = createTransferJobs(p, wecom);
  wecom.inbox.listen(async (trx, { tenantId, event }) => {
    if (event.kind === 'transfer_fail')
      await jobs.onTransferFail(trx, tenantId, event.userId, event.externalUserId, event.failReason);
  });

  /** Customers of departed members from WeCom's unassigned list; a failure becomes a warning. */
  async function unassigned(
    tenantId: string,
  ): Promise<{ rows: UnassignedCustomer[]; warning: string | null }> {
    const gateway = await wecom.gatewayOf(tenantId);
    if (!gateway) return { rows: [], warning: 'WeCom is not connected: only what Pond knows is shown' };
    const rows: UnassignedCustomer[] = [];
    try {
      for await (const r of gateway.iterateUnassigned()) rows.push(r);
      return { rows, warning: null };
    } catch (e) {
      return { rows, warning: `WeCom refused get_unassigned_list: ${describeWeComError(e).text}` };
    }
  }

  async function pendingExternals(ex: Executor, tenantId: string): Promise<Set<string>> {
    const rows = await ex
      .selectFrom('wecom_transfer_items')
      .select('wecom_id')
      .where('tenant_id', '=', tenantId)
      .where('target', '=', 'customer')
      .where('status', 'in', ['queued', 'waiting'])
      .execute();
    return new Set(rows.map((r) => r.wecom_id));
  }

  async function views(ex: Executor, rows: TransferRow[]): Promise<Transfer[]> {
    if (rows.length === 0) return [];
    const tenantId = rows[0]?.tenant_id ?? '';
    const ids = rows.map((r) => r.id);
    const counts = await ex
      .selectFrom('wecom_transfer_items')
      .select(['transfer_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('transfer_id', 'in', ids)
      .groupBy(['transfer_id', 'status'])
      .execute();
    const staffIds = rows.flatMap((r) => [
      r.takeover_staff_id,
      ...(r.handover_staff_id ? [r.handover_staff_id] : []),
    ]);
    const staff = new Map(
      (
        await ex
          .selectFrom('staff')
          .select(['id', 'name'])
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', staffIds)
          .execute()
      ).map((s) => [s.id, s]),
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      handoverUserId: r.handover_userid,
      handover: (r.handover_staff_id && staff.get(r.handover_staff_id)) || null,
      takeoverUserId: r.takeover_userid,
      takeover: staff.get(r.takeover_staff_id) ?? { id: r.takeover_staff_id, name: '' },
      message: r.message,
      status: r.status,
      counts: Object.fromEntries(
        STATUSES.map((s) => [
          s,
          Number(counts.find((c) => c.transfer_id === r.id && c.status === s)?.n ?? 0),
        ]),
      ) as Transfer['counts'],
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      nextCheckAt: r.next_check_at,
    }));
  }

  async function detail(ex: Executor, row: TransferRow): Promise<TransferDetail> {
    const [base] = await views(ex, [row]);
    const items = await ex
      .selectFrom('wecom_transfer_items as i')
      .leftJoin('customers as c', 'c.id', 'i.customer_id')
      .select([
        'i.id',
        'i.target',
        'i.wecom_id',
        'i.status',
        'i.errcode',
        'i.error',
        'i.takeover_at',
        'i.attempts',
        'i.updated_at',
        'c.public_id',
        'c.name',
      ])
      .where('i.tenant_id', '=', row.tenant_id)
      .where('i.transfer_id', '=', row.id)
      .orderBy('i.id')
      .execute();
    return {
      ...(base as Transfer),
      items: items.map((i) => ({
        id: i.id,
        target: i.target,
        wecomId: i.wecom_id,
        customer: i.public_id ? { id: i.public_id, name: i.name ?? null } : null,
        status: i.status,
        errcode: i.errcode,
        error: i.error,
        takeoverAt: i.takeover_at,
        attempts: i.attempts,
        updatedAt: i.updated_at,
      })),
    };
  }

  const find = (ex: Executor, tenantId: string, id: string) =>
    ex
      .selectFrom('wecom_transfers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  const relationshipCounts = async (tenantId: string) => {
    const rows = await db
      .selectFrom('wecom_relationships')
      .select(['staff_userid', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .groupBy('staff_userid')
      .execute();
    return new Map(rows.map((r) => [r.staff_userid.toLowerCase(), Number(r.n)]));
  };
  const groupCounts = async (tenantId: string) => {
    const rows = await db
      .selectFrom('wecom_groups')
      .select(['owner_userid', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .groupBy('owner_userid')
      .execute();
    return new Map(rows.map((r) => [(r.owner_userid ?? '').toLowerCase(), Number(r.n)]));
  };

  return {
    jobs,

    async candidates(
      ctx: Ctx,
      kind: TransferKind,
    ): Promise<{ data: SuccessionCandidate[]; warning: string | null }> {
      const tenantId = ctx.principal.tenantId;
      const staff = await db
        .selectFrom('staff')
        .select(['id', 'name', 'status', 'wecom_userid', 'departed_at'])
        .where('tenant_id', '=', tenantId)
        .where('wecom_userid', 'is not', null)
        .execute();
      const byUser = new Map(staff.map((s) => [(s.wecom_userid ?? '').toLowerCase(), s]));
      const [rels, groups] = await Promise.all([relationshipCounts(tenantId), groupCounts(tenantId)]);
      const out = new Map<string, SuccessionCandidate>();
      const entry = (userId: string): SuccessionCandidate => {
        const key = userId.toLowerCase();
        const s = byUser.get(key);
        const found = out.get(key) ?? {
          userId: s?.wecom_userid ?? userId,
          staff: s ? { id: s.id, name: s.name, status: s.status } : null,
          departedAt: s?.departed_at ?? null,
          customers: rels.get(key) ?? 0,
          groups: groups.get(key) ?? 0,
        };
        out.set(key, found);
        return found;
      };
      let warning: string | null = null;
      if (kind === 'resigned') {
        const list = await unassigned(tenantId);
        warning = list.warning;
        const perUser = new Map<string, { n: number; at: number }>();
        for (const r of list.rows) {
          const k = r.handoverUserId;
          const v = perUser.get(k) ?? { n: 0, at: r.dimissionTime * 1000 };
          v.n += 1;
          perUser.set(k, v);
        }
        for (const [userId, v] of perUser) {
          const e = entry(userId);
          e.customers = Math.max(e.customers, v.n);
          e.departedAt = v.at || e.departedAt;
        }
        for (const s of staff) if (s.status === 'departed' && s.wecom_userid) entry(s.wecom_userid);
      } else {
        for (const s of staff) if (s.status === 'active' && s.wecom_userid) entry(s.wecom_userid);
      }
      return {
        data: [...out.values()].sort((a, b) => b.customers - a.customers || a.userId.localeCompare(b.userId)),
        warning,
      };
    },

    async assets(ctx: Ctx, kind: TransferKind, userId: string): Promise<SuccessionAssets> {
      const tenantId = ctx.principal.tenantId;
      const key = userId.toLowerCase();
      const rels = await db
        .selectFrom('wecom_relationships')
        .select(['external_userid', 'added_at'])
        .where('tenant_id', '=', tenantId)
        .where('staff_userid', '=', key)
        .where('status', '=', 'active')
        .execute();
      const found = new Map<string, number | null>(rels.map((r) => [r.external_userid, r.added_at]));
      let warning: string | null = null;
      if (kind === 'resigned') {
        const list = await unassigned(tenantId);
        warning = list.warning;
        for (const r of list.rows)
          if (r.handoverUserId.toLowerCase() === key && !found.has(r.externalUserId))
            found.set(r.externalUserId, null);
      }
      const externals = [...found.keys()];
      const customers = new Map<string, { public_id: string; name: string | null }>();
      for (let i = 0; i < externals.length; i += 500) {
        const rows = await db
          .selectFrom('customer_identities as ci')
          .innerJoin('customers as c', 'c.id', 'ci.customer_id')
          .select(['ci.value', 'c.public_id', 'c.name'])
          .where('ci.tenant_id', '=', tenantId)
          .where('ci.type', '=', 'wecom_external_userid')
          .where('ci.value', 'in', externals.slice(i, i + 500))
          .execute();
        for (const r of rows) customers.set(r.value, r);
      }
      const pending = await pendingExternals(db, tenantId);
      const groups = await db
        .selectFrom('wecom_groups')
        .select(['id', 'chat_id', 'name', 'member_count'])
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'active')
        .where(sql<string>`lower(owner_userid)`, '=', key)
        .orderBy('name')
        .execute();
      return {
        customers: externals.map((externalUserId) => {
          const c = customers.get(externalUserId);
          return {
            externalUserId,
            customer: c ? { id: c.public_id, name: c.name } : null,
            addedAt: found.get(externalUserId) ?? null,
            pending: pending.has(externalUserId),
          };
        }),
        groups: groups.map((g) => ({
          chatId: g.chat_id,
          id: g.id,
          name: g.name,
          memberCount: g.member_count,
        })),
        warning,
      };
    },

    async list(
      ctx: Ctx,
      q: {
        limit: number;
        cursor?: string | undefined;
        order: 'asc' | 'desc';
        status?: 'running' | 'done' | undefined;
      },
    ) {
      let query = db
        .selectFrom('wecom_transfers')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId);
      if (q.status) query = query.where('status', '=', q.status);
      const after = afterCursor(q.cursor, q.order);
      if (!after.ok) return after;
      if (after.value) query = query.where(after.value);
      const rows = await query
        .orderBy('created_at', q.order)
        .orderBy('id', q.order)
        .limit(q.limit + 1)
        .execute();
      const page = toPage(rows, q.limit, (r) => [r.created_at, r.id]);
      return ok({ data: await views(db, page.data), nextCursor: page.nextCursor });
    },

    async get(ctx: Ctx, id: string): Promise<Result<TransferDetail>> {
      const row = await find(db, ctx.principal.tenantId, id);
      return row ? ok(await detail(db, row)) : notFound('transfer');
    },

    create(ctx: Ctx, input: CreateTransfer): Promise<Result<TransferDetail>> {
      const body = CreateTransferSchema.parse(input);
      const tenantId = ctx.principal.tenantId;
      return p.tx(async (trx) => {
        const takeover = await trx
          .selectFrom('staff')
          .select(['id', 'name', 'status', 'wecom_userid'])
          .where('tenant_id', '=', tenantId)
          .where('id', '=', body.takeoverStaffId)
          .executeTakeFirst();
        if (!takeover) return notFound('staff member', 'body.takeoverStaffId');
        if (takeover.status !== 'active' || !takeover.wecom_userid)
          return fail(
            'invalid_request',
            `${takeover.name} is not an active staff member with a WeCom userid`,
            {
              field: 'body.takeoverStaffId',
            },
          );
        if (takeover.wecom_userid.toLowerCase() === body.handoverUserId.toLowerCase())
          return fail('invalid_request', 'the takeover member is the one handing over', {
            field: 'body.takeoverStaffId',
          });
        const handover = await trx
          .selectFrom('staff')
          .select(['id', 'status'])
          .where('tenant_id', '=', tenantId)
          .where(sql<string>`lower(wecom_userid)`, '=', body.handoverUserId.toLowerCase())
          .orderBy('status')
          .executeTakeFirst();
        const externals = [...new Set(body.externalUserIds)];
        const chats = [...new Set(body.chatIds)];
        const pending = await pendingExternals(trx, tenantId);
        const busy = externals.findIndex((e) => pending.has(e));
        if (busy >= 0)
          return fail('conflict', `${externals[busy]} is already being transferred`, {
            field: `body.externalUserIds.${body.externalUserIds.indexOf(externals[busy] ?? '')}`,
          });
        const customerIds = new Map<string, number>();
        for (let i = 0; i < externals.length; i += 500) {
          const rows = await trx
            .selectFrom('customer_identities')
            .select(['value', 'customer_id'])
            .where('tenant_id', '=', tenantId)
            .where('type', '=', 'wecom_external_userid')
            .where('value', 'in', externals.slice(i, i + 500))
            .execute();
          for (const r of rows) customerIds.set(r.value, r.customer_id);
        }
        const now = clock.now();
        const id = newId('wtr', now);
        await trx
          .insertInto('wecom_transfers')
          .values({
            id,
            tenant_id: tenantId,
            kind: body.kind,
            handover_userid: body.handoverUserId,
            handover_staff_id: handover?.id ?? null,
            takeover_userid: takeover.wecom_userid,
            takeover_staff_id: takeover.id,
            message: body.message ?? null,
            status: 'running',
            created_by: ctx.principal.name,
            next_check_at: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        const items = [
          ...externals.map((e) => ({
            target: 'customer' as const,
            wecom_id: e,
            customer_id: customerIds.get(e) ?? null,
            origin_customer_id: customerIds.get(e) ?? null,
          })),
          ...chats.map((c) => ({
            target: 'group' as const,
            wecom_id: c,
            customer_id: null,
            origin_customer_id: null,
          })),
        ].map((i) => ({
          ...i,
          tenant_id: tenantId,
          transfer_id: id,
          status: 'queued' as const,
          errcode: null,
          error: null,
          takeover_at: null,
          attempts: 0,
          created_at: now,
          updated_at: now,
        }));
        for (let i = 0; i < items.length; i += 200)
          await trx
            .insertInto('wecom_transfer_items')
            .values(items.slice(i, i + 200))
            .execute();
        await p.jobs.enqueue({ queue: SEND_QUEUE, tenantId, payload: { tenantId, id } }, trx);
        await audit.record(trx, ctx, {
          action: 'wecom.transfer_started',
          targetType: 'wecom_transfer',
          targetId: id,
          after: {
            kind: body.kind,
            handoverUserId: body.handoverUserId,
            takeoverUserId: takeover.wecom_userid,
            customers: externals.length,
            groups: chats.length,
          },
        });
        await p.outbox.append(trx, {
          tenantId,
          type: 'wecom.transfer_started',
          aggregateType: 'wecom_transfer',
          aggregateId: id,
          payload: { kind: body.kind, customers: externals.length, groups: chats.length },
        });
        const row = await find(trx, tenantId, id);
        return row ? ok(await detail(trx, row)) : notFound('transfer');
      });
    },

    retry(ctx: Ctx, id: string, body: RetryTransfer): Promise<Result<TransferDetail>> {
      const tenantId = ctx.principal.tenantId;
      return p.tx(async (trx) => {
        const row = await find(trx, tenantId, id);
        if (!row) return notFound('transfer');
        const items = await trx
          .selectFrom('wecom_transfer_items')
          .select(['id', 'status', 'wecom_id', 'target'])
          .where('tenant_id', '=', tenantId)
          .where('transfer_id', '=', id)
          .execute();
        let chosen = items.filter((i) => RETRYABLE.includes(i.status));
        if (body.itemIds) {
          const wanted = new Set(body.itemIds);
          for (const [n, itemId] of body.itemIds.entries()) {
            const item = items.find((i) => i.id === itemId);
            if (!item) return notFound('transfer item', `body.itemIds.${n}`);
            if (!RETRYABLE.includes(item.status))
              return fail(
                'conflict',
                `item ${itemId} is ${item.status}; only failed, refused or over-limit items are retried`,
                {
                  field: `body.itemIds.${n}`,
                },
              );
          }
          chosen = chosen.filter((i) => wanted.has(i.id));
        }
        if (chosen.length === 0)
          return fail('conflict', 'nothing to retry: no item failed, was refused or hit the limit');
        const pending = await pendingExternals(trx, tenantId);
        const busy = chosen.find((i) => i.target === 'customer' && pending.has(i.wecom_id));
        if (busy) return fail('conflict', `${busy.wecom_id} is already being transferred again`);
        const now = clock.now();
        await trx
          .updateTable('wecom_transfer_items')
          .set({ status: 'queued', errcode: null, error: null, updated_at: now })
          .where(
            'id',
            'in',
            chosen.map((i) => i.id),
          )
          .execute();
        await trx
          .updateTable('wecom_transfers')
          .set({ status: 'running', updated_at: now })
          .where('id', '=', id)
          .execute();
        await p.jobs.enqueue({ queue: SEND_QUEUE, tenantId, payload: { tenantId, id } }, trx);
        await audit.record(trx, ctx, {
          action: 'wecom.transfer_retried',
          targetType: 'wecom_transfer',
          targetId: id,
          before: { statuses: chosen.map((i) => i.status) },
          after: { items: chosen.length, status: 'queued' },
        });
        await p.outbox.append(trx, {
          tenantId,
          type: 'wecom.transfer_retried',
          aggregateType: 'wecom_transfer',
          aggregateId: id,
          payload: { items: chosen.length },
        });
        const after = await find(trx, tenantId, id);
        return after ? ok(await detail(trx, after)) : notFound('transfer');
      });
    },
  };
}
