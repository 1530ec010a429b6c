import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';

/** `column LIKE 'prefix%'` with the prefix's own `%`, `_` and `\` taken literally. */
export function startsWith(column: Expression<string>, prefix: string): RawBuilder<SqlBool> {
  const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`${column} like ${`${escaped}%`} escape '\\'`;
}

/** `column LIKE '%text%'`, case-insensitive on both engines, with wildcards escaped. */
export function containsText(column: Expression<string | null>, text: string, op: 'like' | 'ilike') {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`${column} ${sql.raw(op)} ${`%${escaped}%`} escape '\\'`;
}
