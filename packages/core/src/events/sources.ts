import type { CreateSource, Source, UpdateSource } from '@pond/contracts';
import type { SourceTable } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId, randomToken } from '../shared/ids.ts';
import { notFound, ok, type Result } from '../shared/result.ts';

type Row = Selectable<SourceTable>;

const toSource = (r: Row): Source => ({
  id: r.id,
  name: r.name,
  writeKey: r.write_key,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
});

const newWriteKey = () => `wk_${randomToken(18)}`;

/**
 * How long an enabled write key is remembered without asking the database. A change made in
 * this process (disable, rotate) takes effect at once; one made by another server process
 * sharing the database takes effect within this time.
 */
export const WRITE_KEY_CACHE_MS = 5_000;

export function createSources(p: Platform, audit: AuditLog) {
  const { db, clock } = p;
  // Enabled sources by write key: every ingest request looks its key up.
  const known = new Map<string, { source: { id: string; tenantId: string }; until: number }>();
  let generation = 0;
  const forget = () => {
    generation++;
    known.clear();
  };
  return {
    async list(ctx: Ctx): Promise<Source[]> {
      const rows = await db
        .selectFrom('sources')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .orderBy('created_at')
        .execute();
      return rows.map(toSource);
    },

    create(ctx: Ctx, input: CreateSource): Promise<Result<Source>> {
      return p.tx(async (trx) => {
        const now = clock.now();
        const row: Row = {
          id: newId('src', now),
          tenant_id: ctx.principal.tenantId,
          name: input.name,
          write_key: newWriteKey(),
          created_at: now,
          disabled_at: null,
        };
        await trx.insertInto('sources').values(row).execute();
        await audit.record(trx, ctx, {
          action: 'source.created',
          targetType: 'source',
          targetId: row.id,
          after: { name: row.name },
        });
        return ok(toSource(row));
      });
    },

    async update(ctx: Ctx, id: string, input: UpdateSource): Promise<Result<Source>> {
      forget();
      const r = await p.tx(async (trx) => {
        const row = await trx
          .selectFrom('sources')
          .selectAll()
          .where('tenant_id', '=', ctx.principal.tenantId)
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) return notFound('source');
        const next: Row = {
          ...row,
          name: input.name ?? row.name,
          disabled_at:
            input.disabled === undefined
              ? row.disabled_at
              : input.disabled
                ? (row.disabled_at ?? clock.now())
                : null,
          write_key: input.rotateKey ? newWriteKey() : row.write_key,
        };
        await trx
          .updateTable('sources')
          .set({ name: next.name, disabled_at: next.disabled_at, write_key: next.write_key })
          .where('id', '=', id)
          .execute();
        await audit.record(trx, ctx, {
          action: input.rotateKey ? 'source.key_rotated' : 'source.updated',
          targetType: 'source',
          targetId: id,
          before: { name: row.name, disabled_at: row.disabled_at },
          after: { name: next.name, disabled_at: next.disabled_at },
        });
        return ok(toSource(next));
      });
      // Lookups that read the row before the commit must not keep what they read.
      forget();
      return r;
    },

    /** The enabled source a write key belongs to, if any. */
    async byWriteKey(writeKey: string): Promise<{ id: string; tenantId: string } | null> {
      const now = Date.now();
      const hit = known.get(writeKey);
      if (hit && hit.until > now) return hit.source;
      const seen = generation;
      const row = await db
        .selectFrom('sources')
        .select(['id', 'tenant_id', 'disabled_at'])
        .where('write_key', '=', writeKey)
        .executeTakeFirst();
      if (!row || row.disabled_at !== null) {
        known.delete(writeKey);
        return null;
      }
      const source = { id: row.id, tenantId: row.tenant_id };
      if (seen === generation) known.set(writeKey, { source, until: now + WRITE_KEY_CACHE_MS });
      return source;
    },
  };
}

export type Sources = ReturnType<typeof createSources>;
