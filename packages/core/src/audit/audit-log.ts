import type { AuditEntry, ListAuditQuery } from '@pond/contracts';
import { type Db, decodeCursor, type Executor, toPage } from '@pond/storage';
import type { Clock } from '../shared/clock.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, ok, type Result } from '../shared/result.ts';
import { diffOf } from './diff.ts';

export interface AuditRecord {
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly before?: object | null;
  readonly after?: object | null;
}

export type AuditLog = ReturnType<typeof createAuditLog>;

export function createAuditLog(db: Db, clock: Clock) {
  return {
    /** Writes one entry, inside the transaction of the change it describes. */
    async record(ex: Executor, ctx: Ctx, r: AuditRecord): Promise<void> {
      await ex
        .insertInto('audit_log')
        .values({
          tenant_id: ctx.principal.tenantId,
          actor_type: ctx.principal.kind,
          actor_id: ctx.principal.id,
          actor_name: ctx.principal.name,
          action: r.action,
          target_type: r.targetType,
          target_id: r.targetId,
          diff: JSON.stringify(diffOf(r.before ?? null, r.after ?? null)),
          request_id: ctx.requestId,
          ip: ctx.ip,
          created_at: clock.now(),
        })
        .execute();
    },

    async list(
      ctx: Ctx,
      q: ListAuditQuery,
    ): Promise<Result<{ data: AuditEntry[]; nextCursor: string | null }>> {
      let query = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', ctx.principal.tenantId);
      if (q.action) query = query.where('action', '=', q.action);
      if (q.targetId) query = query.where('target_id', '=', q.targetId);
      if (q.actorId) query = query.where('actor_id', '=', q.actorId);
      if (q.since !== undefined) query = query.where('created_at', '>=', q.since);
      if (q.until !== undefined) query = query.where('created_at', '<', q.until);
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        if (!c || typeof c[1] !== 'number')
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        query = query.where('id', q.order === 'asc' ? '>' : '<', c[1]);
      }
      const rows = await query
        .orderBy('id', q.order)
        .limit(q.limit + 1)
        .execute();
      const p = toPage(rows, q.limit, (r) => [null, r.id]);
      return ok({
        nextCursor: p.nextCursor,
        data: p.data.map((r) => ({
          id: r.id,
          actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
          action: r.action,
          target: { type: r.target_type, id: r.target_id },
          diff: JSON.parse(r.diff) as Record<string, [unknown, unknown]>,
          requestId: r.request_id,
          ip: r.ip,
          at: r.created_at,
        })),
      });
    },
  };
}
