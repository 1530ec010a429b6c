import type { IdentityPriority, IdentityType, SetIdentityPriority } from '@pond/contracts';
import type { Executor } from '@pond/storage';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { ok, type Result } from '../shared/result.ts';
import { IDENTITY_PRIORITY } from './identity-normalize.ts';

/** The tenant's identity types, highest priority first: its own order, or Pond's default. */
export async function tenantIdentityPriority(ex: Executor, tenantId: string): Promise<IdentityPriority> {
  const row = await ex
    .selectFrom('tenants')
    .select('identity_priority')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  return row?.identity_priority
    ? { priority: JSON.parse(row.identity_priority) as IdentityType[], isDefault: false }
    : { priority: [...IDENTITY_PRIORITY], isDefault: true };
}

export function createIdentityPriority(p: Platform, audit: AuditLog) {
  return {
    get: (ctx: Ctx) => tenantIdentityPriority(p.db, ctx.principal.tenantId),

    set(ctx: Ctx, input: SetIdentityPriority): Promise<Result<IdentityPriority>> {
      return p.tx(async (trx) => {
        const before = await tenantIdentityPriority(trx, ctx.principal.tenantId);
        await trx
          .updateTable('tenants')
          .set({
            identity_priority: input.priority ? JSON.stringify(input.priority) : null,
            updated_at: p.clock.now(),
          })
          .where('id', '=', ctx.principal.tenantId)
          .execute();
        const after = await tenantIdentityPriority(trx, ctx.principal.tenantId);
        await audit.record(trx, ctx, {
          action: 'identity_priority.updated',
          targetType: 'tenant',
          targetId: ctx.principal.tenantId,
          before,
          after,
        });
        return ok(after);
      });
    },
  };
}
