import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DialectInfo } from '../dialect.ts';
import type { Database } from '../schema/index.ts';
import type { Storage } from '../storage.ts';

const OUTBOX_LOCK_KEY = 7_301_001;

export const postgresInfo: DialectInfo = {
  name: 'postgres',
  supportsReturning: true,
  supportsSkipLocked: true,
  supportsTransactionalDdl: true,
  ilike: 'ilike',
  types: { double: 'double precision' },
  serialId: (table) => table.addColumn('id', 'bigserial', (c) => c.primaryKey()),
  orderOutboxWrites: async (trx) => {
    await sql`select pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`.execute(trx);
  },
};

// int8 (bigint) and numeric come back as strings by default; our bigints are epoch
// milliseconds and counters, all far below 2^53, so plain numbers are exact.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v: string) => Number(v);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
};

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize?: number;
  /** A schema to create and use (tests isolate runs this way). */
  readonly schema?: string;
}

export function openPostgres(options: PostgresOptions): Storage {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safeUrl = options.url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    db,
    dialect: postgresInfo,
    description: `PostgreSQL at ${safeUrl}${options.schema ? ` (schema ${options.schema})` : ''}`,
    ...(options.schema ? { schema: options.schema } : {}),
    close: () => db.destroy(),
  };
}

/** Creates a schema if it is missing (used before opening a pool whose search_path names it). */
export async function ensurePostgresSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${schema}`);
  } finally {
    await client.end();
  }
}
