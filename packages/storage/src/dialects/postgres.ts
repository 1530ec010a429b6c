import { Kysely, PostgresDialect, type SqlBool, sql } from 'kysely';
import pg from 'pg';
import type { BulkColumns, DialectInfo } from '../dialect.ts';
import type { Database } from '../schema/index.ts';
import type { Storage } from '../storage.ts';

const OUTBOX_LOCK_KEY = 7_301_001;

const ARRAY_TYPES = {
  text: 'text[]',
  bigint: 'bigint[]',
  integer: 'integer[]',
  double: 'double precision[]',
} as const;

/** Literal rows as one array parameter per column, turned back into rows by `unnest`. */
const rowsTable = (columns: BulkColumns, rows: readonly (readonly unknown[])[]) =>
  sql`(select * from unnest(${sql.join(
    columns.map(([, type], i) => sql`${rows.map((r) => r[i] ?? null)}::${sql.raw(ARRAY_TYPES[type])}`),
  )}) as t(${sql.join(columns.map(([name]) => sql.id(name)))}))`;

export const postgresInfo: DialectInfo = {
  name: 'postgres',
  supportsReturning: true,
  supportsSkipLocked: true,
  supportsTransactionalDdl: true,
  ilike: 'ilike',
  types: { double: 'double precision' },
  keyOrdered: null,
  serialId: (table) => table.addColumn('id', 'bigserial', (c) => c.primaryKey()),
  orderOutboxWrites: async (trx) => {
    await sql`select pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`.execute(trx);
  },
  groupBySorting(ex, run) {
    const within = async <T>(trx: Kysely<Database>, go: (ex: Kysely<Database>) => Promise<T>) => {
      const before = await sql<{ v: string }>`select current_setting('enable_hashagg') as v`.execute(trx);
      await sql`select set_config('enable_hashagg', 'off', true)`.execute(trx);
      try {
        return await go(trx);
      } finally {
        // In a transaction that failed this cannot run; the setting ends with it anyway.
        await sql`select set_config('enable_hashagg', ${before.rows[0]?.v ?? 'on'}, true)`
          .execute(trx)
          .catch(() => undefined);
      }
    };
    return ex.isTransaction ? within(ex, run) : ex.transaction().execute((trx) => within(trx, run));
  },
  async insertMany(trx, insert, rows) {
    if (rows.length === 0) return [];
    const columns = sql.join(insert.columns.map(([name]) => sql.id(name)));
    const conflict = insert.onConflictDoNothing
      ? sql` on conflict (${sql.join(insert.onConflictDoNothing.map((c) => sql.id(c)))}) do nothing`
      : sql``;
    const returning = insert.returning?.length
      ? sql` returning ${sql.join(insert.returning.map((c) => sql.id(c)))}`
      : sql``;
    const r = await sql<
      Record<string, unknown>
    >`insert into ${sql.table(insert.table)} (${columns}) select ${columns} from ${rowsTable(insert.columns, rows)} as v${conflict}${returning}`.execute(
      trx,
    );
    return r.rows;
  },
  rowsTable,
  // JSON is stored as text on both engines; `::jsonb` parses it where a rule reads it.
  json: {
    text: (column, key) => sql<string | null>`(${sql.ref(column)}::jsonb ->> ${key}::text)`,
    number: (column, key) =>
      sql<
        number | null
      >`(case when jsonb_typeof(${sql.ref(column)}::jsonb -> ${key}::text) = 'number' then (${sql.ref(column)}::jsonb ->> ${key}::text)::double precision end)`,
    equals: (column, key, value) =>
      sql<SqlBool>`coalesce((${sql.ref(column)}::jsonb -> ${key}::text) = ${JSON.stringify(value)}::jsonb, false)`,
    listHas: (column, key, value) =>
      sql<SqlBool>`coalesce((${sql.ref(column)}::jsonb -> ${key}::text) @> jsonb_build_array(${value}::text), false)`,
    exists: (column, key) =>
      sql<SqlBool>`coalesce(jsonb_typeof(${sql.ref(column)}::jsonb -> ${key}::text) != 'null', false)`,
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
