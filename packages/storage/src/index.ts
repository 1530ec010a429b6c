export type { BulkColumns, BulkColumnType, BulkInsert, DialectInfo, JsonScalar } from './dialect.ts';
export { ensurePostgresSchema } from './dialects/postgres.ts';
export { migrateToLatest } from './migrate.ts';
export { migrations } from './migrations/index.ts';
export { type CursorValue, decodeCursor, encodeCursor, toPage } from './pagination.ts';
export type * from './schema/index.ts';
export { containsText, startsWith } from './sql-helpers.ts';
export { type Db, type Executor, openStorage, type Storage, type Trx } from './storage.ts';
