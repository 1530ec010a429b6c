import { createHash } from 'node:crypto';
import { type Permission, Permission as PermissionSchema, type Role, rolePermissions } from '@pond/contracts';
import type { Db, UserTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Principal } from '../shared/context.ts';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Last-used times are written at most this often, to keep reads from becoming writes. */
const TOUCH_EVERY_MS = 60_000;

export function userPrincipal(user: Selectable<UserTable>, scopePath: string): Principal {
  const role = user.role as Role;
  return {
    tenantId: user.tenant_id,
    kind: 'user',
    id: user.id,
    name: user.name,
    role,
    permissions: new Set(rolePermissions[role] ?? []),
    scope: { unitId: user.scope_unit_id, path: scopePath },
    staffId: user.staff_id,
  };
}

export interface SessionPrincipal {
  readonly principal: Principal;
  readonly sessionId: string;
  readonly csrfToken: string;
}

/** Turns a session cookie or an API key into the principal it stands for. */
export function createPrincipals(db: Db, clock: Clock) {
  return {
    async fromSession(token: string): Promise<SessionPrincipal | null> {
      const now = clock.now();
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .innerJoin('org_units', 'org_units.id', 'users.scope_unit_id')
        .selectAll('users')
        .select([
          'sessions.id as session_id',
          'sessions.csrf_token',
          'sessions.expires_at',
          'sessions.last_seen_at',
          'org_units.path as scope_path',
        ])
        .where('sessions.id', '=', sha256(token))
        .executeTakeFirst();
      if (!row || row.expires_at <= now || row.status !== 'active') return null;
      if (now - row.last_seen_at > TOUCH_EVERY_MS) {
        await db
          .updateTable('sessions')
          .set({ last_seen_at: now })
          .where('id', '=', row.session_id)
          .execute();
      }
      return {
        principal: userPrincipal(row, row.scope_path),
        sessionId: row.session_id,
        csrfToken: row.csrf_token,
      };
    },

    async fromApiKey(secret: string): Promise<Principal | null> {
      const now = clock.now();
      const row = await db
        .selectFrom('api_keys')
        .innerJoin('org_units', (j) =>
          j.onRef('org_units.tenant_id', '=', 'api_keys.tenant_id').on('org_units.parent_id', 'is', null),
        )
        .selectAll('api_keys')
        .select(['org_units.id as root_id', 'org_units.path as root_path'])
        .where('api_keys.key_hash', '=', sha256(secret))
        .executeTakeFirst();
      if (!row || row.revoked_at !== null) return null;
      if (row.last_used_at === null || now - row.last_used_at > TOUCH_EVERY_MS) {
        await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
      }
      const scopes = PermissionSchema.array().safeParse(JSON.parse(row.scopes));
      return {
        tenantId: row.tenant_id,
        kind: 'api_key',
        id: row.id,
        name: row.name,
        role: null,
        permissions: new Set<Permission>(scopes.success ? scopes.data : []),
        scope: { unitId: row.root_id, path: row.root_path },
        staffId: null,
      };
    },
  };
}
