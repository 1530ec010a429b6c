import type { ApiKey, CreateApiKey, CreatedApiKey } from '@pond/contracts';
import { Permission } from '@pond/contracts';
import type { ApiKeyTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId, randomToken } from '../shared/ids.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { sha256 } from './principals.ts';

type Row = Selectable<ApiKeyTable>;

/** Every key starts with this, so leaked keys are easy to recognise and scan for. */
export const API_KEY_PREFIX = 'pond_sk_';

function toApiKey(r: Row): ApiKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: Permission.array().parse(JSON.parse(r.scopes)),
    createdBy: r.created_by,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;

export function createApiKeys(p: Platform, audit: AuditLog) {
  const { db, clock } = p;
  return {
    async list(ctx: Ctx): Promise<ApiKey[]> {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toApiKey);
    },

    create(ctx: Ctx, input: CreateApiKey): Promise<Result<CreatedApiKey>> {
      const missing = input.scopes.filter((s) => !ctx.principal.permissions.has(s));
      if (missing.length > 0) {
        return Promise.resolve(
          fail('forbidden', `a key cannot hold permissions you do not have: ${missing.join(', ')}`, {
            field: 'body.scopes',
          }),
        );
      }
      return p.tx(async (trx) => {
        const now = clock.now();
        const secret = `${API_KEY_PREFIX}${randomToken(24)}`;
        const row: Row = {
          id: newId('key', now),
          tenant_id: ctx.principal.tenantId,
          name: input.name,
          prefix: secret.slice(0, API_KEY_PREFIX.length + 6),
          key_hash: sha256(secret),
          scopes: JSON.stringify([...new Set(input.scopes)]),
          created_by: ctx.principal.name,
          created_at: now,
          last_used_at: null,
          revoked_at: null,
        };
        await trx.insertInto('api_keys').values(row).execute();
        const apiKey = toApiKey(row);
        await audit.record(trx, ctx, {
          action: 'api_key.created',
          targetType: 'api_key',
          targetId: row.id,
          after: apiKey,
        });
        return ok({ apiKey, secret });
      });
    },

    revoke(ctx: Ctx, id: string): Promise<Result<ApiKey>> {
      return p.tx(async (trx) => {
        const row = await trx
          .selectFrom('api_keys')
          .selectAll()
          .where('tenant_id', '=', ctx.principal.tenantId)
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) return notFound('API key');
        if (row.revoked_at !== null) return fail('conflict', 'the key is already revoked');
        const next = { ...row, revoked_at: clock.now() };
        await trx.updateTable('api_keys').set({ revoked_at: next.revoked_at }).where('id', '=', id).execute();
        await audit.record(trx, ctx, {
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: id,
          before: toApiKey(row),
          after: toApiKey(next),
        });
        return ok(toApiKey(next));
      });
    },
  };
}
