import type {
  CatalogEntry,
  DebuggerEntry,
  DebuggerQuery,
  ListEventsQuery,
  TrackedEvent,
} from '@pond/contracts';
import { decodeCursor, toPage } from '@pond/storage';
import { customerScope } from '../customers/scope.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';

/** Reading events back: the event list, the catalog and the live debugger feed. */
export function createEventQueries(p: Platform) {
  const { db } = p;
  return {
    async list(
      ctx: Ctx,
      q: ListEventsQuery,
    ): Promise<Result<{ data: TrackedEvent[]; nextCursor: string | null }>> {
      let query = db
        .selectFrom('events')
        .innerJoin('customers', 'customers.id', 'events.customer_id')
        .selectAll('events')
        .select('customers.public_id')
        .where('events.tenant_id', '=', ctx.principal.tenantId)
        .where(customerScope(ctx));
      if (q.customerId) {
        const c = await db
          .selectFrom('customers')
          .select('id')
          .where('tenant_id', '=', ctx.principal.tenantId)
          .where('public_id', '=', q.customerId)
          .executeTakeFirst();
        if (!c) return notFound('customer', 'query.customerId');
        query = query.where('events.customer_id', '=', c.id);
      }
      if (q.name) query = query.where('events.name', '=', q.name);
      if (q.type) query = query.where('events.type', '=', q.type);
      if (q.since !== undefined) query = query.where('events.timestamp', '>=', q.since);
      if (q.until !== undefined) query = query.where('events.timestamp', '<', q.until);
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        if (!c || typeof c[1] !== 'number')
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        query = query.where('events.id', '<', c[1]);
      }
      const rows = await query
        .orderBy('events.id', 'desc')
        .limit(q.limit + 1)
        .execute();
      const pg = toPage(rows, q.limit, (r) => [null, r.id]);
      return ok({
        nextCursor: pg.nextCursor,
        data: pg.data.map((r) => ({
          id: r.id,
          customerId: r.public_id,
          sourceId: r.source_id,
          messageId: r.message_id,
          type: r.type,
          name: r.name,
          properties: JSON.parse(r.properties),
          context: JSON.parse(r.context),
          timestamp: r.timestamp,
          receivedAt: r.received_at,
        })),
      });
    },

    async catalog(ctx: Ctx): Promise<CatalogEntry[]> {
      const rows = await db
        .selectFrom('event_catalog')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .orderBy('volume', 'desc')
        .execute();
      return rows.map((r) => ({
        type: r.type,
        name: r.name,
        properties: JSON.parse(r.properties),
        volume: r.volume,
        violations: r.violations,
        firstSeenAt: r.first_seen_at,
        lastSeenAt: r.last_seen_at,
      }));
    },

    /** The newest accepted and rejected messages together, for a live view. */
    async debugger(ctx: Ctx, q: DebuggerQuery): Promise<DebuggerEntry[]> {
      const since = q.since ?? 0;
      const [accepted, rejected] = await Promise.all([
        db
          .selectFrom('events')
          .innerJoin('customers', 'customers.id', 'events.customer_id')
          .select([
            'events.id',
            'events.received_at',
            'events.source_id',
            'events.message_id',
            'events.type',
            'events.name',
            'customers.public_id',
            'events.properties',
          ])
          .where('events.tenant_id', '=', ctx.principal.tenantId)
          .where('events.received_at', '>', since)
          .orderBy('events.id', 'desc')
          .limit(q.limit)
          .execute(),
        db
          .selectFrom('ingest_rejections')
          .selectAll()
          .where('tenant_id', '=', ctx.principal.tenantId)
          .where('received_at', '>', since)
          .orderBy('id', 'desc')
          .limit(q.limit)
          .execute(),
      ]);
      const entries: DebuggerEntry[] = [
        ...accepted.map((e) => ({
          status: 'accepted' as const,
          id: e.id,
          receivedAt: e.received_at,
          sourceId: e.source_id,
          messageId: e.message_id,
          type: e.type,
          name: e.name,
          customerId: e.public_id,
          reason: null,
          field: null,
          excerpt: e.properties.slice(0, 500),
        })),
        ...rejected.map((r) => ({
          status: 'rejected' as const,
          id: r.id,
          receivedAt: r.received_at,
          sourceId: r.source_id,
          messageId: r.message_id,
          type: null,
          name: null,
          customerId: null,
          reason: r.reason,
          field: r.field,
          excerpt: r.excerpt,
        })),
      ];
      return entries.sort((a, b) => b.receivedAt - a.receivedAt || b.id - a.id).slice(0, q.limit);
    },
  };
}
