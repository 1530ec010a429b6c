import type { CreateOrgUnit, OrgUnit, UpdateOrgUnit } from '@pond/contracts';
import { type Executor, type OrgUnitTable, startsWith, type Trx } from '@pond/storage';
import { type Selectable, sql } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';

type Row = Selectable<OrgUnitTable>;

export function toOrgUnit(r: Row): OrgUnit {
  return {
    id: r.id,
    parentId: r.parent_id,
    name: r.name,
    kind: r.kind,
    code: r.code,
    depth: r.depth,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** An org unit in the caller's tenant and scope, or nothing (never another tenant's). */
export async function findUnitInScope(ex: Executor, ctx: Ctx, id: string): Promise<Row | undefined> {
  return ex
    .selectFrom('org_units')
    .selectAll()
    .where('tenant_id', '=', ctx.principal.tenantId)
    .where('id', '=', id)
    .where(({ ref }) => startsWith(ref('path'), ctx.principal.scope.path))
    .executeTakeFirst();
}

export type OrgUnits = ReturnType<typeof createOrgUnits>;

export function createOrgUnits(p: Platform, audit: AuditLog) {
  const { db, clock } = p;

  async function codeTaken(ex: Executor, tenantId: string, code: string, exceptId?: string) {
    let q = ex
      .selectFrom('org_units')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('code', '=', code);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async function move(trx: Trx, unit: Row, parent: Row): Promise<Result<{ path: string; depth: number }>> {
    if (parent.path.startsWith(unit.path)) {
      return fail('invalid_request', 'a unit cannot move under itself or one of its own sub-units', {
        field: 'body.parentId',
      });
    }
    const path = `${parent.path}${unit.id}/`;
    const depth = parent.depth + 1;
    const shift = depth - unit.depth;
    // Rewrites the whole subtree in one statement: each path keeps its tail below the unit.
    await trx
      .updateTable('org_units')
      .set((eb) => ({
        path: sql<string>`${path} || substr(path, ${unit.path.length + 1})`,
        depth: eb('depth', '+', shift),
      }))
      .where('tenant_id', '=', unit.tenant_id)
      .where(({ ref }) => startsWith(ref('path'), unit.path))
      .execute();
    return ok({ path, depth });
  }

  return {
    async list(ctx: Ctx): Promise<OrgUnit[]> {
      const rows = await db
        .selectFrom('org_units')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .where(({ ref }) => startsWith(ref('path'), ctx.principal.scope.path))
        .orderBy('depth')
        .orderBy('name')
        .execute();
      return rows.map(toOrgUnit);
    },

    async get(ctx: Ctx, id: string): Promise<Result<OrgUnit>> {
      const row = await findUnitInScope(db, ctx, id);
      return row ? ok(toOrgUnit(row)) : notFound('org unit');
    },

    create(ctx: Ctx, input: CreateOrgUnit): Promise<Result<OrgUnit>> {
      return p.tx(async (trx) => {
        const parent = await findUnitInScope(trx, ctx, input.parentId);
        if (!parent) return notFound('parent org unit', 'body.parentId');
        if (input.code && (await codeTaken(trx, ctx.principal.tenantId, input.code))) {
          return fail('conflict', `code ${input.code} is already used by another unit`, {
            field: 'body.code',
          });
        }
        const now = clock.now();
        const id = newId('ou', now);
        const row: Row = {
          id,
          tenant_id: ctx.principal.tenantId,
          parent_id: parent.id,
          name: input.name,
          kind: input.kind,
          code: input.code ?? null,
          path: `${parent.path}${id}/`,
          depth: parent.depth + 1,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('org_units').values(row).execute();
        const unit = toOrgUnit(row);
        await audit.record(trx, ctx, {
          action: 'org_unit.created',
          targetType: 'org_unit',
          targetId: id,
          after: unit,
        });
        await p.outbox.append(trx, {
          tenantId: row.tenant_id,
          type: 'org_unit.created',
          aggregateType: 'org_unit',
          aggregateId: id,
          payload: unit,
        });
        return ok(unit);
      });
    },

    update(ctx: Ctx, id: string, input: UpdateOrgUnit): Promise<Result<OrgUnit>> {
      return p.tx(async (trx) => {
        const unit = await findUnitInScope(trx, ctx, id);
        if (!unit) return notFound('org unit');
        let { path, depth } = unit;
        let parentId = unit.parent_id;
        if (input.parentId !== undefined && input.parentId !== unit.parent_id) {
          if (unit.parent_id === null)
            return fail('invalid_request', 'the head office cannot move', { field: 'body.parentId' });
          if (unit.id === ctx.principal.scope.unitId) {
            return fail('forbidden', 'you cannot move the unit your own access is scoped to', {
              field: 'body.parentId',
            });
          }
          const parent = await findUnitInScope(trx, ctx, input.parentId);
          if (!parent) return notFound('parent org unit', 'body.parentId');
          const moved = await move(trx, unit, parent);
          if (!moved.ok) return moved;
          ({ path, depth } = moved.value);
          parentId = parent.id;
        }
        if (input.kind !== undefined && unit.kind === 'hq') {
          return fail('invalid_request', 'the head office keeps its kind', { field: 'body.kind' });
        }
        if (input.code && (await codeTaken(trx, unit.tenant_id, input.code, unit.id))) {
          return fail('conflict', `code ${input.code} is already used by another unit`, {
            field: 'body.code',
          });
        }
        const next: Row = {
          ...unit,
          name: input.name ?? unit.name,
          kind: input.kind ?? unit.kind,
          code: input.code === undefined ? unit.code : input.code,
          parent_id: parentId,
          path,
          depth,
          updated_at: clock.now(),
        };
        await trx
          .updateTable('org_units')
          .set({
            name: next.name,
            kind: next.kind,
            code: next.code,
            parent_id: next.parent_id,
            updated_at: next.updated_at,
          })
          .where('id', '=', unit.id)
          .execute();
        const before = toOrgUnit(unit);
        const after = toOrgUnit(next);
        const type = parentId !== unit.parent_id ? 'org_unit.moved' : 'org_unit.updated';
        await audit.record(trx, ctx, {
          action: type,
          targetType: 'org_unit',
          targetId: unit.id,
          before,
          after,
        });
        await p.outbox.append(trx, {
          tenantId: unit.tenant_id,
          type,
          aggregateType: 'org_unit',
          aggregateId: unit.id,
          payload: after,
        });
        return ok(after);
      });
    },

    remove(ctx: Ctx, id: string): Promise<Result<{ ok: true }>> {
      return p.tx(async (trx) => {
        const unit = await findUnitInScope(trx, ctx, id);
        if (!unit) return notFound('org unit');
        if (unit.parent_id === null) return fail('invalid_request', 'the head office cannot be deleted');
        const tenant = unit.tenant_id;
        const child = await trx
          .selectFrom('org_units')
          .select('id')
          .where('tenant_id', '=', tenant)
          .where('parent_id', '=', id)
          .executeTakeFirst();
        if (child) return fail('conflict', 'the unit still has sub-units; move or delete them first');
        const staff = await trx
          .selectFrom('staff')
          .select('id')
          .where('tenant_id', '=', tenant)
          .where('org_unit_id', '=', id)
          .executeTakeFirst();
        if (staff) return fail('conflict', 'the unit still has staff members; move them first');
        const user = await trx
          .selectFrom('users')
          .select('id')
          .where('tenant_id', '=', tenant)
          .where('scope_unit_id', '=', id)
          .executeTakeFirst();
        if (user) return fail('conflict', 'console users are scoped to this unit; change their scope first');
        await trx.deleteFrom('org_units').where('id', '=', id).execute();
        const before = toOrgUnit(unit);
        await audit.record(trx, ctx, {
          action: 'org_unit.deleted',
          targetType: 'org_unit',
          targetId: id,
          before,
        });
        await p.outbox.append(trx, {
          tenantId: tenant,
          type: 'org_unit.deleted',
          aggregateType: 'org_unit',
          aggregateId: id,
          payload: before,
        });
        return ok({ ok: true as const });
      });
    },
  };
}
