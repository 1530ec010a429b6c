import type { TimelineItem, TimelineQuery } from '@pond/contracts';
import { decodeCursor, encodeCursor } from '@pond/storage';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import type { Customers } from './customers.ts';

const RANK: Record<TimelineItem['kind'], number> = { event: 0, change: 1, note: 2, merge: 3 };

/** Orders items newest first; ties on time by kind, then id, so the cursor is exact. */
const key = (i: TimelineItem) => [i.at, RANK[i.kind], i.id] as const;
function before(a: readonly [number, number, number], b: readonly [number, number, number]) {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
}

/**
 * One customer's history — events, profile changes, notes and merges — newest first, paged
 * with one cursor across the four sources.
 */
export function createTimeline(p: Platform, customers: Customers) {
  const { db } = p;
  return {
    async list(
      ctx: Ctx,
      publicId: string,
      q: TimelineQuery,
    ): Promise<Result<{ data: TimelineItem[]; nextCursor: string | null }>> {
      const row = await customers.findInScope(db, ctx, publicId);
      if (!row) return notFound('customer');
      let after: [number, number, number] = [Number.MAX_SAFE_INTEGER, 9, Number.MAX_SAFE_INTEGER];
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        const parts = typeof c?.[1] === 'string' ? c[1].split(':').map(Number) : [];
        if (!c || typeof c[0] !== 'number' || parts.length !== 2 || parts.some(Number.isNaN)) {
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        }
        after = [c[0], parts[0] ?? 0, parts[1] ?? 0];
      }
      const n = q.limit + 1;
      const atMost = after[0];
      const [events, changes, notes, merges] = await Promise.all([
        db
          .selectFrom('events')
          .selectAll()
          .where('tenant_id', '=', row.tenant_id)
          .where('customer_id', '=', row.id)
          .where('timestamp', '<=', atMost)
          .orderBy('timestamp', 'desc')
          .orderBy('id', 'desc')
          .limit(n)
          .execute(),
        db
          .selectFrom('customer_changes')
          .selectAll()
          .where('tenant_id', '=', row.tenant_id)
          .where('customer_id', '=', row.id)
          .where('created_at', '<=', atMost)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(n)
          .execute(),
        db
          .selectFrom('customer_notes')
          .selectAll()
          .where('tenant_id', '=', row.tenant_id)
          .where('customer_id', '=', row.id)
          .where('created_at', '<=', atMost)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(n)
          .execute(),
        db
          .selectFrom('merge_log')
          .selectAll()
          .where('tenant_id', '=', row.tenant_id)
          .where((eb) => eb.or([eb('survivor_id', '=', row.id), eb('merged_id', '=', row.id)]))
          .where('created_at', '<=', atMost)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(n)
          .execute(),
      ]);
      const others = [...new Set(merges.flatMap((m) => [m.survivor_id, m.merged_id]))];
      const pubs = others.length
        ? await db.selectFrom('customers').select(['id', 'public_id']).where('id', 'in', others).execute()
        : [];
      const pub = (id: number) => pubs.find((r) => r.id === id)?.public_id ?? '';
      const items: TimelineItem[] = [
        ...events.map((e) => ({
          kind: 'event' as const,
          id: e.id,
          at: e.timestamp,
          type: e.type,
          name: e.name,
          properties: JSON.parse(e.properties),
        })),
        ...changes.map((c) => ({
          kind: 'change' as const,
          id: c.id,
          at: c.created_at,
          changes: JSON.parse(c.changes),
          source: c.source,
          actor: c.actor,
        })),
        ...notes.map((x) => ({
          kind: 'note' as const,
          id: x.id,
          at: x.created_at,
          body: x.body,
          author: x.author_name,
        })),
        ...merges.map((m) => ({
          kind: 'merge' as const,
          id: m.id,
          at: m.created_at,
          status: m.status,
          survivorId: pub(m.survivor_id),
          mergedId: pub(m.merged_id),
          reason: m.reason,
        })),
      ];
      const page = items
        .filter((i) => before(key(i), after))
        .sort((a, b) => (before(key(a), key(b)) ? 1 : -1))
        .slice(0, n);
      const data = page.slice(0, q.limit);
      const last = data[data.length - 1];
      const nextCursor =
        page.length > q.limit && last ? encodeCursor(last.at, `${RANK[last.kind]}:${last.id}`) : null;
      return ok({ data, nextCursor });
    },
  };
}
