import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type SqlBool, sql } from 'kysely';
import type { BulkColumns, BulkInsert, DialectInfo } from '../dialect.ts';
import type { Database } from '../schema/index.ts';
import type { Storage } from '../storage.ts';
import { startCheckpointer } from '../threads/checkpointer-client.ts';
import { WaitingSqliteDialect } from './sqlite-waiting.ts';

/**
 * Literal rows as one JSON parameter, read back with `json_each`: the statement is the same
 * whatever the number of rows, so it is prepared once.
 */
const rowsTable = (columns: BulkColumns, rows: readonly (readonly unknown[])[]) =>
  sql`(select ${sql.join(
    columns.map(([name], i) => sql`value ->> ${sql.lit(i)} as ${sql.id(name)}`),
  )} from json_each(${JSON.stringify(rows)}))`;

export const sqliteInfo: DialectInfo = {
  name: 'sqlite',
  supportsReturning: true,
  supportsSkipLocked: false,
  supportsTransactionalDdl: true,
  ilike: 'like',
  types: { double: 'real' },
  keyOrdered: sql`without rowid`,
  serialId: (table) => table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  orderOutboxWrites: async () => {},
  groupBySorting: (ex, run) => run(ex),
  insertMany: () => {
    throw new Error('insertMany needs an open SQLite database (use the dialect of the storage)');
  },
  rowsTable,
  json: {
    text: (column, key) => sql<string | null>`cast(json_extract(${sql.ref(column)}, ${path(key)}) as text)`,
    number: (column, key) =>
      sql<
        number | null
      >`(case when json_type(${sql.ref(column)}, ${path(key)}) in ('integer', 'real') then json_extract(${sql.ref(column)}, ${path(key)}) end)`,
    equals: (column, key, value) => {
      const [col, at] = [sql.ref(column), path(key)];
      if (typeof value === 'boolean')
        return sql<SqlBool>`(json_type(${col}, ${at}) = ${value ? 'true' : 'false'})`;
      const types = typeof value === 'number' ? sql`('integer', 'real')` : sql`('text')`;
      return sql<SqlBool>`(json_type(${col}, ${at}) in ${types} and json_extract(${col}, ${at}) = ${value})`;
    },
    listHas: (column, key, value) =>
      sql<SqlBool>`exists (select 1 from json_each(${sql.ref(column)}, ${path(key)}) where json_each.value = ${value})`,
    exists: (column, key) =>
      sql<SqlBool>`(coalesce(json_type(${sql.ref(column)}, ${path(key)}), 'null') != 'null')`,
  },
};

/** A JSON path naming one top-level member; keys are checked by the callers' contracts. */
const path = (key: string) => `$."${key.replace(/"/g, '')}"`;

const STATEMENT_CACHE = 1_000;

/**
 * Kysely prepares every query anew; keeping prepared statements by their SQL (least recently
 * used first out) saves most of that cost on hot paths. A statement still being iterated is
 * busy, and a second one is prepared for the overlapping use.
 */
function withStatementCache(sqlite: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = sqlite.prepare(sql);
      if (!hit) {
        cache.set(sql, statement);
        const oldest = cache.keys().next();
        if (cache.size > STATEMENT_CACHE && !oldest.done) cache.delete(oldest.value);
      }
      return statement;
    },
  };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Bulk inserts on the connection itself: one prepared statement per shape, run once per row
 * without leaving the engine between rows. better-sqlite3 has a single connection, which
 * the caller's transaction holds while this runs, so the rows land in that transaction.
 * Returned columns are taken from the row itself and the generated `id` from the insert,
 * which is cheaper than `returning`; `returning` is used only for other columns.
 */
function bulkInserter(sqlite: SqliteDatabase.Database) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  const prepare = (text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = sqlite.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  return async (_trx: unknown, insert: BulkInsert, rows: readonly (readonly unknown[])[]) => {
    const out: Record<string, unknown>[] = [];
    if (rows.length === 0) return out;
    const names = insert.columns.map(([c]) => c);
    const returning = insert.returning ?? [];
    const fromRow = returning.every((c) => c === 'id' || names.includes(c));
    const text = [
      `insert into ${quote(insert.table)} (${names.map(quote).join(', ')})`,
      `values (${names.map(() => '?').join(', ')})`,
      insert.onConflictDoNothing
        ? `on conflict (${insert.onConflictDoNothing.map(quote).join(', ')}) do nothing`
        : '',
      returning.length > 0 && !fromRow ? `returning ${returning.map(quote).join(', ')}` : '',
    ].join(' ');
    const statement = prepare(text);
    if (returning.length === 0) {
      for (const row of rows) statement.run(row as unknown[]);
    } else if (fromRow) {
      const at = returning.map((c) => names.indexOf(c));
      for (const row of rows) {
        const info = statement.run(row as unknown[]);
        if (info.changes === 0) continue;
        const r: Record<string, unknown> = {};
        for (const [i, c] of returning.entries()) {
          r[c] = at[i] === -1 ? Number(info.lastInsertRowid) : row[at[i] as number];
        }
        out.push(r);
      }
    } else {
      for (const row of rows) {
        const r = statement.get(row as unknown[]) as Record<string, unknown> | undefined;
        if (r) out.push(r);
      }
    }
    return out;
  };
}

export interface SqliteOptions {
  /**
   * Whether a thread of its own checkpoints a database file (on by default): its writers
   * then never copy the write-ahead log back at a commit.
   */
  readonly checkpointer?: boolean;
  /** Opens a second connection, for another thread, that gives way to the first one's writes. */
  readonly givesWayTo?: SharedArrayBuffer;
}

/**
 * Past this many pages in the write-ahead log (160 MiB of 8 KiB pages) a commit checkpoints,
 * if the checkpointer is behind.
 */
const WAL_SAFETY_PAGES = 20_000;

/** Opens an embedded SQLite database: a file path, or ':memory:' for tests. */
export function openSqlite(path: string, options: SqliteOptions = {}): Storage {
  const file = path !== ':memory:';
  if (file) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // 8 KiB pages for a new database (an existing one keeps its own): ingestion's inserts cost
  // less CPU in them than in the default 4 KiB ones (see docs/benchmarks.md, B1).
  sqlite.pragma('page_size = 8192');
  // WAL lets readers run while one writer commits; NORMAL sync is durable across process
  // crashes (the WAL is fsynced at checkpoints) and several times faster than FULL.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // No busy handler: it would block the thread; the driver waits on a timer instead.
  sqlite.pragma('busy_timeout = 0');
  // Up to 64 MiB of pages kept in memory (the default is 2 MiB): inserts into large, randomly
  // ordered indexes (events by name and time, customers' identities) then stay off the disk.
  sqlite.pragma('cache_size = -65536');
  // A second connection's file has its checkpointer already, started with the first one.
  const checkpointed = file && (options.givesWayTo !== undefined || (options.checkpointer ?? true));
  if (checkpointed) sqlite.pragma(`wal_autocheckpoint = ${WAL_SAFETY_PAGES}`);
  const stopCheckpointer = checkpointed && !options.givesWayTo ? startCheckpointer(path) : null;
  const counter = options.givesWayTo ?? new SharedArrayBuffer(4);
  const dialect = new WaitingSqliteDialect(
    { database: withStatementCache(sqlite) },
    { counter, role: options.givesWayTo ? 'givesWay' : 'waits' },
  );
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    dialect: { ...sqliteInfo, insertMany: bulkInserter(sqlite) },
    description: file ? `SQLite at ${path}` : 'SQLite (in memory)',
    ...(file ? { sqliteFile: { path, writeTurns: counter } } : {}),
    async close() {
      await stopCheckpointer?.();
      await db.destroy();
    },
  };
}
