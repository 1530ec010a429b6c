import type { Kysely, Transaction } from 'kysely';
import type { DialectInfo } from './dialect.ts';
import { ensurePostgresSchema, openPostgres } from './dialects/postgres.ts';
import { openSqlite } from './dialects/sqlite.ts';
import type { Database } from './schema/index.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Db | Trx;

export interface Storage {
  readonly db: Db;
  readonly dialect: DialectInfo;
  /** Where the data lives, with any password masked (for logs). */
  readonly description: string;
  /** The PostgreSQL schema in use when not the default one. */
  readonly schema?: string;
  /**
   * For a SQLite file: its path, and the counter through which a connection of another
   * thread (`openSqlite(path, { givesWayTo })`) lets this one's writes go first.
   */
  readonly sqliteFile?: { readonly path: string; readonly writeTurns: SharedArrayBuffer };
  close(): Promise<void>;
}

/**
 * Opens storage from a URL: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite:PATH`,
 * a plain file path, or `:memory:` for SQLite.
 */
export async function openStorage(url: string, options: { schema?: string; poolSize?: number } = {}) {
  if (/^postgres(ql)?:\/\//.test(url)) {
    if (options.schema) await ensurePostgresSchema(url, options.schema);
    return openPostgres({ url, ...options });
  }
  return openSqlite(url.replace(/^sqlite:/, ''));
}
