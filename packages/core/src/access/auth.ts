import { type ChangePassword, type Me, type Role, rolePermissions, type SignIn } from '@pond/contracts';
import type { Executor, Trx, UserTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { randomToken } from '../shared/ids.ts';
import { normalizeMobile } from '../shared/personal-data.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';
import { sha256, userPrincipal } from './principals.ts';
import { createSignInThrottle, THROTTLE } from './throttle.ts';
import { toUser } from './users.ts';

export const SESSION_TTL_MS = 14 * 24 * 3_600_000;

export interface SignedIn {
  /** The session token for the cookie; only its hash is stored. */
  readonly token: string;
  readonly me: Me;
}

export type Auth = ReturnType<typeof createAuth>;

export function createAuth(p: Platform, audit: AuditLog) {
  const { db, clock } = p;
  const throttle = createSignInThrottle(db, clock);

  // Takes the executor: inside a transaction, a query on `db` would wait for the
  // transaction's own connection (SQLite has one) and never run.
  async function meOf(ex: Executor, user: Selectable<UserTable>, csrfToken: string): Promise<Me> {
    const tenant = await ex
      .selectFrom('tenants')
      .select(['id', 'name', 'slug'])
      .where('id', '=', user.tenant_id)
      .executeTakeFirstOrThrow();
    return {
      user: toUser(user),
      tenant,
      permissions: [...(rolePermissions[user.role as Role] ?? [])],
      csrfToken,
    };
  }

  /** Opens a session for a user inside a transaction (sign-in and first setup share it). */
  async function openSession(
    trx: Trx,
    user: Selectable<UserTable>,
    ip: string | null,
    userAgent: string | null,
  ) {
    const now = clock.now();
    const token = randomToken();
    const csrfToken = randomToken(24);
    await trx
      .insertInto('sessions')
      .values({
        id: sha256(token),
        tenant_id: user.tenant_id,
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: now,
        expires_at: now + SESSION_TTL_MS,
        last_seen_at: now,
        ip,
        user_agent: userAgent ? userAgent.slice(0, 300) : null,
      })
      .execute();
    await trx.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', user.id).execute();
    const signedIn: SignedIn = { token, me: await meOf(trx, { ...user, last_sign_in_at: now }, csrfToken) };
    return signedIn;
  }

  return {
    openSession,

    async signIn(
      input: SignIn,
      ip: string | null,
      userAgent: string | null,
      requestId: string | null = null,
    ): Promise<Result<SignedIn>> {
      const identifier = input.identifier.includes('@')
        ? input.identifier.toLowerCase()
        : (() => {
            const m = normalizeMobile(input.identifier);
            return m.ok ? m.value : input.identifier;
          })();
      const keys = [`id:${identifier}`, ...(ip ? [`ip:${ip}`] : [])];
      const wait = await throttle.lockedFor(keys);
      if (wait > 0) {
        return fail(
          'rate_limited',
          `too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minutes`,
          {
            retryAfter: wait,
          },
        );
      }
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where(identifier.includes('@') ? 'email' : 'mobile', '=', identifier)
        .executeTakeFirst();
      // Verify even when there is no such user, so timing does not tell which accounts exist.
      const valid = await verifyPassword(input.password, user?.password_hash ?? DUMMY_HASH);
      if (!user || !valid || user.status !== 'active') {
        await throttle.failure(`id:${identifier}`, THROTTLE.maxPerIdentifier);
        if (ip) await throttle.failure(`ip:${ip}`, THROTTLE.maxPerIp);
        return fail('invalid_credentials', 'the account or password is not correct');
      }
      await throttle.reset(`id:${identifier}`);
      return p.tx(async (trx) => {
        const signedIn = await openSession(trx, user, ip, userAgent);
        const ctx: Ctx = { principal: userPrincipal(user, ''), requestId, ip };
        await audit.record(trx, ctx, { action: 'auth.signed_in', targetType: 'user', targetId: user.id });
        return ok(signedIn);
      });
    },

    async signOut(ctx: Ctx, sessionId: string): Promise<Result<{ ok: true }>> {
      return p.tx(async (trx) => {
        await trx.deleteFrom('sessions').where('id', '=', sessionId).execute();
        await audit.record(trx, ctx, {
          action: 'auth.signed_out',
          targetType: 'user',
          targetId: ctx.principal.id,
        });
        return ok({ ok: true as const });
      });
    },

    async me(ctx: Ctx, csrfToken: string): Promise<Result<Me>> {
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', ctx.principal.id)
        .executeTakeFirst();
      return user ? ok(await meOf(db, user, csrfToken)) : notFound('user');
    },

    async changePassword(ctx: Ctx, sessionId: string, input: ChangePassword): Promise<Result<{ ok: true }>> {
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', ctx.principal.id)
        .executeTakeFirst();
      if (!user) return notFound('user');
      if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
        return fail('invalid_credentials', 'the current password is not correct', {
          field: 'body.currentPassword',
        });
      }
      const hash = await hashPassword(input.newPassword);
      return p.tx(async (trx) => {
        const now = clock.now();
        await trx
          .updateTable('users')
          .set({ password_hash: hash, password_changed_at: now, updated_at: now })
          .where('id', '=', user.id)
          .execute();
        // Every other session of this user ends; the one that made the change stays.
        await trx
          .deleteFrom('sessions')
          .where('user_id', '=', user.id)
          .where('id', '!=', sessionId)
          .execute();
        await audit.record(trx, ctx, {
          action: 'auth.password_changed',
          targetType: 'user',
          targetId: user.id,
        });
        return ok({ ok: true as const });
      });
    },
  };
}
