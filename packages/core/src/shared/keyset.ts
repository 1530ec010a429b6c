import { decodeCursor } from '@pond/storage';
import { type RawBuilder, sql } from 'kysely';
import { fail, ok, type Result } from './result.ts';

/**
 * The condition that continues a list ordered by (created_at, id) after a cursor issued by
 * `toPage`; null without a cursor, a 400 on `query.cursor` for one Pond did not issue.
 */
export function afterCursor(
  cursor: string | undefined,
  order: 'asc' | 'desc',
): Result<RawBuilder<boolean> | null> {
  if (!cursor) return ok(null);
  const c = decodeCursor(cursor);
  if (!c || typeof c[0] !== 'number' || typeof c[1] !== 'string')
    return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
  const op = sql.raw(order === 'asc' ? '>' : '<');
  return ok(sql<boolean>`(created_at ${op} ${c[0]} or (created_at = ${c[0]} and id ${op} ${c[1]}))`);
}
