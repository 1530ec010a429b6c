import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DialectInfo } from '../dialect.ts';
import type { Database } from '../schema/index.ts';
import type { Storage } from '../storage.ts';

export const sqliteInfo: DialectInfo = {
  name: 'sqlite',
  supportsReturning: true,
  supportsSkipLocked: false,
  supportsTransactionalDdl: true,
  ilike: 'like',
  types: { double: 'real' },
  serialId: (table) => table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  orderOutboxWrites: async () => {},
};

/** Opens an embedded SQLite database: a file path, or ':memory:' for tests. */
export function openSqlite(path: string): Storage {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // WAL lets readers run while one writer commits; NORMAL sync is durable across process
  // crashes (the WAL is fsynced at checkpoints) and several times faster than FULL.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: sqliteInfo,
    description: path === ':memory:' ? 'SQLite (in memory)' : `SQLite at ${path}`,
    close: () => db.destroy(),
  };
}
