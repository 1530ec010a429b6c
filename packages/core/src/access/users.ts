import {
  type CreateUser,
  type ListUsersQuery,
  type Locale,
  type Role,
  rolePermissions,
  type UpdateUser,
  type User,
} from '@pond/contracts';
import { containsText, decodeCursor, type Executor, startsWith, toPage, type UserTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { findUnitInScope } from '../org/org-units.ts';
import type { Platform } from '../platform/platform.ts';
import { type Ctx, can } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { maskEmail, maskMobile, normalizeMobile } from '../shared/personal-data.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { hashPassword } from './passwords.ts';

type Row = Selectable<UserTable>;

export function toUser(r: Row, unmasked = true): User {
  return {
    id: r.id,
    name: r.name,
    email: unmasked ? r.email : maskEmail(r.email),
    mobile: unmasked ? r.mobile : maskMobile(r.mobile),
    role: r.role as Role,
    scopeUnitId: r.scope_unit_id,
    staffId: r.staff_id,
    status: r.status,
    locale: r.locale as Locale,
    lastSignInAt: r.last_sign_in_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A principal may only hand out what it holds itself: no role with more permissions. */
function canGrant(ctx: Ctx, role: Role): boolean {
  if (role === 'owner') return ctx.principal.role === 'owner';
  return rolePermissions[role].every((perm) => ctx.principal.permissions.has(perm));
}

async function findInScope(ex: Executor, ctx: Ctx, id: string): Promise<Row | undefined> {
  return ex
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.scope_unit_id')
    .selectAll('users')
    .where('users.tenant_id', '=', ctx.principal.tenantId)
    .where('users.id', '=', id)
    .where(({ ref }) => startsWith(ref('org_units.path'), ctx.principal.scope.path))
    .executeTakeFirst();
}

/** A staff member of the caller's tenant. */
async function staffExists(ex: Executor, ctx: Ctx, id: string): Promise<boolean> {
  const staff = await ex
    .selectFrom('staff')
    .select('id')
    .where('tenant_id', '=', ctx.principal.tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return staff !== undefined;
}

export async function identifierTaken(ex: Executor, field: 'email' | 'mobile', value: string) {
  return (
    (await ex.selectFrom('users').select('id').where(field, '=', value).executeTakeFirst()) !== undefined
  );
}

export type Users = ReturnType<typeof createUsers>;

export function createUsers(p: Platform, audit: AuditLog) {
  const { db, clock } = p;
  return {
    async list(ctx: Ctx, q: ListUsersQuery): Promise<Result<{ data: User[]; nextCursor: string | null }>> {
      let query = db
        .selectFrom('users')
        .innerJoin('org_units', 'org_units.id', 'users.scope_unit_id')
        .selectAll('users')
        .where('users.tenant_id', '=', ctx.principal.tenantId)
        .where(({ ref }) => startsWith(ref('org_units.path'), ctx.principal.scope.path));
      if (q.role) query = query.where('users.role', '=', q.role);
      if (q.q) {
        const text = q.q;
        query = query.where(({ or, ref }) =>
          or([
            containsText(ref('users.name'), text, p.dialect.ilike),
            containsText(ref('users.email'), text, p.dialect.ilike),
            containsText(ref('users.mobile'), text, p.dialect.ilike),
          ]),
        );
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        if (!c || typeof c[0] !== 'number')
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        const [at, id] = c;
        const cmp = q.order === 'asc' ? '>' : '<';
        query = query.where(({ or, and, eb }) =>
          or([
            eb('users.created_at', cmp, at),
            and([eb('users.created_at', '=', at), eb('users.id', cmp, String(id))]),
          ]),
        );
      }
      const rows = await query
        .orderBy('users.created_at', q.order)
        .orderBy('users.id', q.order)
        .limit(q.limit + 1)
        .execute();
      const pg = toPage(rows, q.limit, (r) => [r.created_at, r.id]);
      return ok({ data: pg.data.map((r) => toUser(r, can(ctx, 'pii.view'))), nextCursor: pg.nextCursor });
    },

    create(ctx: Ctx, input: CreateUser): Promise<Result<User>> {
      return p.tx(async (trx) => {
        if (!canGrant(ctx, input.role)) {
          return fail('forbidden', `you cannot grant the ${input.role} role`, { field: 'body.role' });
        }
        const scopeUnitId = input.scopeUnitId ?? ctx.principal.scope.unitId;
        const unit = await findUnitInScope(trx, ctx, scopeUnitId);
        if (!unit) return notFound('org unit', 'body.scopeUnitId');
        let mobile: string | null = null;
        if (input.mobile !== undefined) {
          const m = normalizeMobile(input.mobile, 'body.mobile');
          if (!m.ok) return m;
          mobile = m.value;
          if (await identifierTaken(trx, 'mobile', mobile)) {
            return fail('conflict', 'this mobile number already signs in to Pond', { field: 'body.mobile' });
          }
        }
        if (input.email && (await identifierTaken(trx, 'email', input.email))) {
          return fail('conflict', 'this email already signs in to Pond', { field: 'body.email' });
        }
        if (input.staffId && !(await staffExists(trx, ctx, input.staffId))) {
          return notFound('staff member', 'body.staffId');
        }
        const now = clock.now();
        const row: Row = {
          id: newId('usr', now),
          tenant_id: ctx.principal.tenantId,
          name: input.name,
          email: input.email ?? null,
          mobile,
          password_hash: await hashPassword(input.password),
          role: input.role,
          scope_unit_id: unit.id,
          staff_id: input.staffId ?? null,
          status: 'active',
          locale: input.locale,
          last_sign_in_at: null,
          password_changed_at: now,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('users').values(row).execute();
        await audit.record(trx, ctx, {
          action: 'user.created',
          targetType: 'user',
          targetId: row.id,
          after: row,
        });
        return ok(toUser(row, can(ctx, 'pii.view')));
      });
    },

    update(ctx: Ctx, id: string, input: UpdateUser): Promise<Result<User>> {
      return p.tx(async (trx) => {
        const row = await findInScope(trx, ctx, id);
        if (!row) return notFound('user');
        if (!canGrant(ctx, row.role as Role))
          return fail('forbidden', `you cannot change a user with the ${row.role} role`);
        if (input.role && !canGrant(ctx, input.role)) {
          return fail('forbidden', `you cannot grant the ${input.role} role`, { field: 'body.role' });
        }
        if (row.id === ctx.principal.id && (input.role !== undefined || input.status === 'disabled')) {
          return fail('forbidden', 'you cannot change your own role or disable yourself', {
            field: 'body.role',
          });
        }
        if (input.scopeUnitId && !(await findUnitInScope(trx, ctx, input.scopeUnitId))) {
          return notFound('org unit', 'body.scopeUnitId');
        }
        // Linking another tenant's staff member would tie this user to data it may not see.
        if (input.staffId && !(await staffExists(trx, ctx, input.staffId))) {
          return notFound('staff member', 'body.staffId');
        }
        const next: Row = {
          ...row,
          name: input.name ?? row.name,
          role: input.role ?? row.role,
          scope_unit_id: input.scopeUnitId ?? row.scope_unit_id,
          staff_id: input.staffId === undefined ? row.staff_id : input.staffId,
          status: input.status ?? row.status,
          locale: input.locale ?? row.locale,
          updated_at: clock.now(),
        };
        await trx
          .updateTable('users')
          .set({
            name: next.name,
            role: next.role,
            scope_unit_id: next.scope_unit_id,
            staff_id: next.staff_id,
            status: next.status,
            locale: next.locale,
            updated_at: next.updated_at,
          })
          .where('id', '=', row.id)
          .execute();
        // A disabled user is signed out everywhere at once.
        if (next.status === 'disabled')
          await trx.deleteFrom('sessions').where('user_id', '=', row.id).execute();
        await audit.record(trx, ctx, {
          action: 'user.updated',
          targetType: 'user',
          targetId: row.id,
          before: row,
          after: next,
        });
        return ok(toUser(next, can(ctx, 'pii.view')));
      });
    },
  };
}
