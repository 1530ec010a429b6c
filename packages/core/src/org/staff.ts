import type { CreateStaff, DepartStaff, ListStaffQuery, Staff, UpdateStaff } from '@pond/contracts';
import {
  containsText,
  decodeCursor,
  type Executor,
  type StaffTable,
  startsWith,
  type Trx,
  toPage,
} from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import { type Ctx, can } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { maskEmail, maskMobile, normalizeMobile } from '../shared/personal-data.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { findUnitInScope } from './org-units.ts';

type Row = Selectable<StaffTable>;
type StaffEvent = 'created' | 'updated' | 'departed' | 'reinstated';

function toStaff(r: Row, unmasked: boolean): Staff {
  return {
    id: r.id,
    name: r.name,
    mobile: unmasked ? r.mobile : maskMobile(r.mobile),
    email: unmasked ? r.email : maskEmail(r.email),
    wecomUserId: r.wecom_userid,
    title: r.title,
    orgUnitId: r.org_unit_id,
    status: r.status,
    departedAt: r.departed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A staff member whose unit lies in the caller's scope. */
async function findInScope(ex: Executor, ctx: Ctx, id: string): Promise<Row | undefined> {
  return ex
    .selectFrom('staff')
    .innerJoin('org_units', 'org_units.id', 'staff.org_unit_id')
    .selectAll('staff')
    .where('staff.tenant_id', '=', ctx.principal.tenantId)
    .where('staff.id', '=', id)
    .where(({ ref }) => startsWith(ref('org_units.path'), ctx.principal.scope.path))
    .executeTakeFirst();
}

export type StaffService = ReturnType<typeof createStaff>;

export function createStaff(p: Platform, audit: AuditLog) {
  const { db, clock } = p;

  async function wecomTaken(ex: Executor, tenantId: string, userid: string, exceptId?: string) {
    let q = ex
      .selectFrom('staff')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('wecom_userid', '=', userid);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  /** Writes the audit entry and the domain event of a change in the caller's transaction. */
  async function record(trx: Trx, ctx: Ctx, event: StaffEvent, before: Row | null, after: Row) {
    const type = `staff.${event}`;
    await audit.record(trx, ctx, { action: type, targetType: 'staff', targetId: after.id, before, after });
    await p.outbox.append(trx, {
      tenantId: after.tenant_id,
      type,
      aggregateType: 'staff',
      aggregateId: after.id,
      payload: toStaff(after, true),
    });
  }

  return {
    async list(ctx: Ctx, q: ListStaffQuery): Promise<Result<{ data: Staff[]; nextCursor: string | null }>> {
      let scopePath = ctx.principal.scope.path;
      if (q.orgUnitId) {
        const unit = await findUnitInScope(db, ctx, q.orgUnitId);
        if (!unit) return notFound('org unit', 'query.orgUnitId');
        scopePath = unit.path;
      }
      const sortCol = q.sort === 'name' ? 'staff.name' : 'staff.created_at';
      let query = db
        .selectFrom('staff')
        .innerJoin('org_units', 'org_units.id', 'staff.org_unit_id')
        .selectAll('staff')
        .where('staff.tenant_id', '=', ctx.principal.tenantId)
        .where(({ ref }) => startsWith(ref('org_units.path'), scopePath));
      if (q.status) query = query.where('staff.status', '=', q.status);
      if (q.q) {
        const text = q.q;
        const op = p.dialect.ilike;
        query = query.where(({ or, ref }) =>
          or([
            containsText(ref('staff.name'), text, op),
            containsText(ref('staff.mobile'), text, op),
            containsText(ref('staff.email'), text, op),
            containsText(ref('staff.wecom_userid'), text, op),
          ]),
        );
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        // The sort value must have the sort column's type: PostgreSQL fails comparing a
        // bigint with text.
        if (!c || typeof c[0] !== (q.sort === 'name' ? 'string' : 'number'))
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        const [value, id] = c;
        const cmp = q.order === 'asc' ? '>' : '<';
        query = query.where(({ or, and, eb }) =>
          or([eb(sortCol, cmp, value), and([eb(sortCol, '=', value), eb('staff.id', cmp, String(id))])]),
        );
      }
      const rows = await query
        .orderBy(sortCol, q.order)
        .orderBy('staff.id', q.order)
        .limit(q.limit + 1)
        .execute();
      const unmasked = can(ctx, 'pii.view');
      const pageRows = toPage(rows, q.limit, (r) => [q.sort === 'name' ? r.name : r.created_at, r.id]);
      return ok({ data: pageRows.data.map((r) => toStaff(r, unmasked)), nextCursor: pageRows.nextCursor });
    },

    async get(ctx: Ctx, id: string): Promise<Result<Staff>> {
      const row = await findInScope(db, ctx, id);
      return row ? ok(toStaff(row, can(ctx, 'pii.view'))) : notFound('staff member');
    },

    create(ctx: Ctx, input: CreateStaff): Promise<Result<Staff>> {
      return p.tx(async (trx) => {
        const unit = await findUnitInScope(trx, ctx, input.orgUnitId);
        if (!unit) return notFound('org unit', 'body.orgUnitId');
        let mobile: string | null = null;
        if (input.mobile !== undefined) {
          const m = normalizeMobile(input.mobile, 'body.mobile');
          if (!m.ok) return m;
          mobile = m.value;
        }
        if (input.wecomUserId && (await wecomTaken(trx, unit.tenant_id, input.wecomUserId))) {
          return fail('conflict', `WeCom userid ${input.wecomUserId} belongs to another staff member`, {
            field: 'body.wecomUserId',
          });
        }
        const now = clock.now();
        const row: Row = {
          id: newId('stf', now),
          tenant_id: unit.tenant_id,
          name: input.name,
          mobile,
          email: input.email ?? null,
          wecom_userid: input.wecomUserId ?? null,
          title: input.title ?? null,
          org_unit_id: unit.id,
          status: 'active',
          departed_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('staff').values(row).execute();
        await record(trx, ctx, 'created', null, row);
        return ok(toStaff(row, can(ctx, 'pii.view')));
      });
    },

    update(ctx: Ctx, id: string, input: UpdateStaff): Promise<Result<Staff>> {
      return p.tx(async (trx) => {
        const row = await findInScope(trx, ctx, id);
        if (!row) return notFound('staff member');
        if (input.orgUnitId !== undefined && input.orgUnitId !== row.org_unit_id) {
          const unit = await findUnitInScope(trx, ctx, input.orgUnitId);
          if (!unit) return notFound('org unit', 'body.orgUnitId');
        }
        let mobile = row.mobile;
        if (input.mobile !== undefined) {
          if (input.mobile === null) mobile = null;
          else {
            const m = normalizeMobile(input.mobile, 'body.mobile');
            if (!m.ok) return m;
            mobile = m.value;
          }
        }
        if (input.wecomUserId && (await wecomTaken(trx, row.tenant_id, input.wecomUserId, row.id))) {
          return fail('conflict', `WeCom userid ${input.wecomUserId} belongs to another staff member`, {
            field: 'body.wecomUserId',
          });
        }
        const next: Row = {
          ...row,
          name: input.name ?? row.name,
          org_unit_id: input.orgUnitId ?? row.org_unit_id,
          mobile,
          email: input.email === undefined ? row.email : input.email,
          wecom_userid: input.wecomUserId === undefined ? row.wecom_userid : input.wecomUserId,
          title: input.title === undefined ? row.title : input.title,
          updated_at: clock.now(),
        };
        const { id: _id, tenant_id: _t, created_at: _c, ...changes } = next;
        await trx.updateTable('staff').set(changes).where('id', '=', row.id).execute();
        await record(trx, ctx, 'updated', row, next);
        return ok(toStaff(next, can(ctx, 'pii.view')));
      });
    },

    depart(ctx: Ctx, id: string, input: DepartStaff): Promise<Result<Staff>> {
      return setStatus(ctx, id, 'departed', input.departedAt);
    },

    reinstate(ctx: Ctx, id: string): Promise<Result<Staff>> {
      return setStatus(ctx, id, 'active');
    },
  };

  function setStatus(ctx: Ctx, id: string, status: Row['status'], at?: number): Promise<Result<Staff>> {
    return p.tx(async (trx) => {
      const row = await findInScope(trx, ctx, id);
      if (!row) return notFound('staff member');
      if (row.status === status) {
        return fail('conflict', status === 'departed' ? 'already marked departed' : 'already active');
      }
      const now = clock.now();
      const next: Row = {
        ...row,
        status,
        departed_at: status === 'departed' ? (at ?? now) : null,
        updated_at: now,
      };
      await trx
        .updateTable('staff')
        .set({ status: next.status, departed_at: next.departed_at, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      await record(trx, ctx, status === 'departed' ? 'departed' : 'reinstated', row, next);
      return ok(toStaff(next, can(ctx, 'pii.view')));
    });
  }
}
