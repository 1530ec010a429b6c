/**
 * Keyset pagination cursors: the sort value and id of the last row of a page, opaque to
 * clients (base64url JSON). A cursor that does not decode is treated as a bad request.
 */
export type CursorValue = string | number | null;

export function encodeCursor(sortValue: CursorValue, id: string | number): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [CursorValue, string | number] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [value, id] = parsed as unknown[];
    // Every key we sort by is text or an integer (times, serial ids): a fraction or a number
    // past 2^53 cannot come from us, and PostgreSQL would fail comparing it to a bigint.
    const okNumber = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
    const okValue = value === null || typeof value === 'string' || okNumber(value);
    const okId = typeof id === 'string' || okNumber(id);
    return okValue && okId ? [value as CursorValue, id as string | number] : null;
  } catch {
    return null;
  }
}

/** Takes `limit + 1` rows and turns them into a page with the cursor of its last row. */
export function toPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => [CursorValue, string | number],
): { data: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { data: rows, nextCursor: null };
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  if (last === undefined) return { data, nextCursor: null };
  const [value, id] = keyOf(last);
  return { data, nextCursor: encodeCursor(value, id) };
}
