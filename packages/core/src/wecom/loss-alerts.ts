import type { ListLossAlertsQuery, LossAlert, LossAlertSummary, UpdateLossAlert } from '@pond/contracts';
import { decodeCursor, type Executor, encodeCursor, type WeComLossAlertTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { customerScope } from '../customers/scope.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';

type Row = Selectable<WeComLossAlertTable>;
const DAY = 86_400_000;

/**
 * Loss alerts: a customer deleted a staff member (with a win-back task for the customer's
 * owner) or a staff member deleted a customer. Everyone sees the alerts of the customers in
 * their scope, so frontline staff see their own and managers their units'.
 */
export function createLossAlerts(p: Platform, audit: AuditLog) {
  const { db, clock } = p;

  async function toAlerts(ex: Executor, rows: Row[]): Promise<LossAlert[]> {
    const customerIds = [...new Set(rows.map((r) => r.customer_id))];
    const staffIds = [
      ...new Set(rows.flatMap((r) => [r.staff_id, r.task_staff_id]).filter((s): s is string => !!s)),
    ];
    const [customers, staff] = await Promise.all([
      customerIds.length
        ? ex
            .selectFrom('customers')
            .select(['id', 'public_id', 'name'])
            .where('id', 'in', customerIds)
            .execute()
        : [],
      staffIds.length
        ? ex.selectFrom('staff').select(['id', 'name']).where('id', 'in', staffIds).execute()
        : [],
    ]);
    const staffOf = (id: string | null) => {
      const s = id ? staff.find((x) => x.id === id) : undefined;
      return s ? { id: s.id, name: s.name } : null;
    };
    return rows.map((r) => {
      const c = customers.find((x) => x.id === r.customer_id);
      return {
        id: r.id,
        kind: r.kind,
        customer: { id: c?.public_id ?? '', name: c?.name ?? null },
        staffUserId: r.staff_userid,
        staff: staffOf(r.staff_id),
        occurredAt: r.occurred_at,
        status: r.status,
        task: { status: r.task_status, assignee: staffOf(r.task_staff_id), dueAt: r.task_due_at },
        resolvedAt: r.resolved_at,
        resolvedBy: r.resolved_by,
        note: r.note,
      };
    });
  }

  /** Alerts on customers the caller may see. */
  const visible = (ex: Executor, ctx: Ctx) =>
    ex
      .selectFrom('wecom_loss_alerts')
      .innerJoin('customers', 'customers.id', 'wecom_loss_alerts.customer_id')
      .selectAll('wecom_loss_alerts')
      .where('wecom_loss_alerts.tenant_id', '=', ctx.principal.tenantId)
      .where(customerScope(ctx));

  return {
    async list(
      ctx: Ctx,
      q: ListLossAlertsQuery,
    ): Promise<Result<{ data: LossAlert[]; nextCursor: string | null }>> {
      let query = visible(db, ctx);
      if (q.status) query = query.where('wecom_loss_alerts.status', '=', q.status);
      if (q.kind) query = query.where('wecom_loss_alerts.kind', '=', q.kind);
      if (q.assigneeId) query = query.where('wecom_loss_alerts.task_staff_id', '=', q.assigneeId);
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        if (!c || typeof c[0] !== 'number' || typeof c[1] !== 'string')
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        const [at, id] = [c[0], c[1]];
        const op = q.order === 'asc' ? '>' : '<';
        query = query.where((eb) =>
          eb.or([
            eb('wecom_loss_alerts.occurred_at', op, at),
            eb.and([eb('wecom_loss_alerts.occurred_at', '=', at), eb('wecom_loss_alerts.id', op, id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('wecom_loss_alerts.occurred_at', q.order)
        .orderBy('wecom_loss_alerts.id', q.order)
        .limit(q.limit + 1)
        .execute();
      const data = rows.slice(0, q.limit);
      const last = data[data.length - 1];
      return ok({
        data: await toAlerts(db, data),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last.occurred_at, last.id) : null,
      });
    },

    async summary(ctx: Ctx): Promise<LossAlertSummary> {
      const since = Math.floor(clock.now() / DAY) * DAY - 29 * DAY;
      const [open, recent] = await Promise.all([
        visible(db, ctx).where('wecom_loss_alerts.status', '=', 'open').execute(),
        visible(db, ctx).where('wecom_loss_alerts.occurred_at', '>=', since).execute(),
      ]);
      const daily = Array.from({ length: 30 }, (_, i) => ({
        day: new Date(since + i * DAY).toISOString().slice(0, 10),
        byCustomer: 0,
        byStaff: 0,
      }));
      for (const r of recent) {
        const d = daily[Math.floor((r.occurred_at - since) / DAY)];
        if (!d) continue;
        if (r.kind === 'deleted_by_customer') d.byCustomer++;
        else d.byStaff++;
      }
      return { open: open.length, daily };
    },

    update(ctx: Ctx, id: string, input: UpdateLossAlert): Promise<Result<LossAlert>> {
      return p.tx(async (trx) => {
        const row = await visible(trx, ctx).where('wecom_loss_alerts.id', '=', id).executeTakeFirst();
        if (!row) return notFound('loss alert');
        if (input.taskStatus && row.task_status === 'none')
          return fail('conflict', 'this alert has no win-back task (the staff member deleted the customer)', {
            field: 'body.taskStatus',
          });
        const now = clock.now();
        const status = input.status ?? row.status;
        const next: Row = {
          ...row,
          status,
          task_status:
            input.taskStatus ?? (status !== 'open' && row.task_status === 'open' ? 'done' : row.task_status),
          note: input.note === undefined ? row.note : input.note,
          resolved_at: status === 'open' ? null : status === row.status ? row.resolved_at : now,
          resolved_by:
            status === 'open' ? null : status === row.status ? row.resolved_by : ctx.principal.name,
          updated_at: now,
        };
        await trx
          .updateTable('wecom_loss_alerts')
          .set({
            status: next.status,
            task_status: next.task_status,
            note: next.note,
            resolved_at: next.resolved_at,
            resolved_by: next.resolved_by,
            updated_at: now,
          })
          .where('id', '=', id)
          .execute();
        const shown = (r: Row) => ({ status: r.status, taskStatus: r.task_status, note: r.note });
        await audit.record(trx, ctx, {
          action: 'wecom.loss_alert_updated',
          targetType: 'wecom_loss_alert',
          targetId: id,
          before: shown(row),
          after: shown(next),
        });
        await p.outbox.append(trx, {
          tenantId: row.tenant_id,
          type: 'wecom.loss_alert_updated',
          aggregateType: 'wecom_loss_alert',
          aggregateId: id,
          payload: { customerId: row.customer_id, ...shown(next) },
        });
        const [alert] = await toAlerts(trx, [next]);
        return alert ? ok(alert) : notFound('loss alert');
      });
    },
  };
}
