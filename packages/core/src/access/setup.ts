import { timingSafeEqual } from 'node:crypto';
import type { CompleteSetup } from '@pond/contracts';
import type { AuditLog } from '../audit/audit-log.ts';
import { createTenant } from '../org/tenants.ts';
import type { Platform } from '../platform/platform.ts';
import { newId } from '../shared/ids.ts';
import { fail, ok, type Result } from '../shared/result.ts';
import type { Auth, SignedIn } from './auth.ts';
import { hashPassword } from './passwords.ts';
import { userPrincipal } from './principals.ts';

/**
 * First-run onboarding. While no brand exists, a one-time token (printed by the server at
 * start) lets whoever holds it create the first brand and its owner — so a server reachable
 * by others before its owner arrives cannot be claimed by them.
 */
export function createSetup(p: Platform, audit: AuditLog, auth: Auth, token: string | null) {
  const { db, clock } = p;
  const needed = async () =>
    (await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst()) === undefined;

  return {
    needed,

    async complete(
      input: CompleteSetup,
      ip: string | null,
      userAgent: string | null,
      requestId: string | null = null,
    ): Promise<Result<SignedIn>> {
      const given = Buffer.from(input.token);
      const expected = Buffer.from(token ?? '');
      if (token === null || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return fail(
          'setup_unavailable',
          'the setup token is not valid; use the link printed when Pond started',
          {
            field: 'body.token',
          },
        );
      }
      const hash = await hashPassword(input.password);
      return p.tx(async (trx) => {
        if ((await trx.selectFrom('tenants').select('id').limit(1).executeTakeFirst()) !== undefined) {
          return fail('setup_unavailable', 'Pond is already set up; sign in instead');
        }
        const tenant = await createTenant(trx, clock, { name: input.brandName });
        const now = clock.now();
        const user = {
          id: newId('usr', now),
          tenant_id: tenant.id,
          name: input.ownerName,
          email: input.email,
          mobile: null,
          password_hash: hash,
          role: 'owner',
          scope_unit_id: tenant.rootUnitId,
          staff_id: null,
          status: 'active' as const,
          locale: input.locale,
          last_sign_in_at: null,
          password_changed_at: now,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('users').values(user).execute();
        const ctx = { principal: userPrincipal(user, `/${tenant.rootUnitId}/`), requestId, ip };
        await audit.record(trx, ctx, {
          action: 'tenant.created',
          targetType: 'tenant',
          targetId: tenant.id,
          after: tenant,
        });
        return ok(await auth.openSession(trx, user, ip, userAgent));
      });
    },
  };
}
