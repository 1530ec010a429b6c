import type {
  ColumnDataType,
  CreateTableBuilder,
  Kysely,
  QueryExecutorProvider,
  RawBuilder,
  SqlBool,
  Transaction,
} from 'kysely';
import type { Database } from './schema/index.ts';

/** A scalar as JSON holds it. */
export type JsonScalar = string | number | boolean;

/** How a column's values travel in bulk statements (the column's SQL type). */
export type BulkColumnType = 'text' | 'bigint' | 'integer' | 'double';

/** Columns of bulk rows: name and type, in the order of each row's values. */
export type BulkColumns = readonly (readonly [name: string, type: BulkColumnType])[];

/** One bulk insert: the same statement for any number of rows. */
export interface BulkInsert {
  readonly table: keyof Database & string;
  readonly columns: BulkColumns;
  /** Rows colliding on this unique key are skipped (`on conflict (…) do nothing`). */
  readonly onConflictDoNothing?: readonly string[];
  /** Columns to return for the rows actually inserted. */
  readonly returning?: readonly string[];
}

/**
 * What shared code may ask of a SQL engine. Code outside `dialects/` never branches on a
 * dialect's name; it asks one of these capabilities instead (the Kysely `Dialect` idea).
 */
export interface DialectInfo {
  readonly name: 'sqlite' | 'postgres';
  /** `INSERT … RETURNING` is available. */
  readonly supportsReturning: boolean;
  /** `SELECT … FOR UPDATE SKIP LOCKED` is available (several workers can claim jobs at once). */
  readonly supportsSkipLocked: boolean;
  /** Schema changes roll back with the transaction. */
  readonly supportsTransactionalDdl: boolean;
  /** The case-insensitive LIKE operator. */
  readonly ilike: 'like' | 'ilike';
  /** Column types that both engines represent the same way. */
  readonly types: { readonly double: ColumnDataType };
  /**
   * The table option that stores a table's rows in its primary key's order, when the engine
   * has one: SQLite's `without rowid` keeps one B-tree where a rowid table keeps two (the rows
   * and the key's index), one insert fewer per row. Null on PostgreSQL, which always keeps a
   * heap and the key's index.
   */
  readonly keyOrdered: RawBuilder<unknown> | null;
  /** Adds an auto-incrementing 64-bit integer primary key named `id`. */
  serialId<T extends string>(table: CreateTableBuilder<T>): CreateTableBuilder<T, 'id'>;
  /**
   * Makes outbox rows become visible in id order. PostgreSQL hands out sequence values at
   * insert time, so two transactions can commit their rows out of id order and a consumer
   * reading "id > cursor" would skip the late one forever. Taking one transaction-scoped
   * advisory lock before the insert serializes outbox writers until commit. SQLite has a
   * single writer, so this is a no-op there.
   */
  orderOutboxWrites(trx: QueryExecutorProvider): Promise<void>;
  /**
   * Runs queries that group a great many rows (a behaviour condition over a whole brand:
   * distinct customers, counts and sums per customer) with grouping done by sorting.
   * PostgreSQL would otherwise pick a hash aggregate, which at the default `work_mem` spills
   * to disk for a few hundred thousand groups and then, on PostgreSQL 15, can take minutes
   * instead of about a second; it is switched off for these queries only (inside the caller's
   * transaction, or a transaction of their own). SQLite groups by sorting anyway.
   */
  groupBySorting<T>(ex: Kysely<Database>, run: (ex: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Inserts many rows at once inside the caller's transaction, with statements built once:
   * SQLite runs one prepared statement per row without leaving the engine, PostgreSQL sends
   * every row in one statement (`unnest` of one array per column). Returns the `returning`
   * columns of the inserted rows, in no guaranteed order. Call it only with the transaction
   * the caller holds.
   */
  insertMany(
    trx: Transaction<Database>,
    insert: BulkInsert,
    rows: readonly (readonly unknown[])[],
  ): Promise<Record<string, unknown>[]>;
  /**
   * A derived table of literal rows sent as parameters (`from ${rowsTable(…)} as v`), its
   * columns named and typed as given: one statement whatever the number of rows.
   */
  rowsTable(columns: BulkColumns, rows: readonly (readonly unknown[])[]): RawBuilder<unknown>;
  /**
   * Reading members of JSON stored as text (`customers.attributes`, `events.properties`);
   * `column` is a column reference such as `customers.attributes`.
   */
  readonly json: {
    /** The member as text (numbers as their text), null when absent. */
    text(column: string, key: string): RawBuilder<string | null>;
    /** The member when it is a number, else null. */
    number(column: string, key: string): RawBuilder<number | null>;
    /** Whether the member equals the value, type included (1 is not "1" nor true). */
    equals(column: string, key: string, value: JsonScalar): RawBuilder<SqlBool>;
    /** Whether the member is a list holding the value. */
    listHas(column: string, key: string, value: string): RawBuilder<SqlBool>;
    /** Whether the member is present and not null. */
    exists(column: string, key: string): RawBuilder<SqlBool>;
  };
}
