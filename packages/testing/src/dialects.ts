import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openStorage, type Storage } from '@pond/storage';

export type DialectName = 'sqlite' | 'postgres';

/** The PostgreSQL database the suite also runs against, when set (CI sets it). */
export const TEST_DATABASE_URL = process.env.POND_TEST_DATABASE_URL ?? '';

/**
 * The dialects this run covers: SQLite always, PostgreSQL when POND_TEST_DATABASE_URL is
 * set. `DIALECTS=sqlite` (or `postgres`) narrows the run for a fast loop.
 */
export function testDialects(): DialectName[] {
  const wanted = (process.env.DIALECTS ?? 'sqlite,postgres').split(',').map((d) => d.trim());
  const all: DialectName[] = TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  return all.filter((d) => wanted.includes(d));
}

/** A dialect to run ingestion tests on, and whether events go through the ingest thread. */
export interface IngestVariant {
  readonly name: string;
  readonly dialect: DialectName;
  readonly ingestThread: boolean;
}

/**
 * The dialects of this run, plus SQLite as the server runs it — in a file, ingested events
 * stored by the ingest thread — for tests of ingestion.
 */
export function ingestVariants(): IngestVariant[] {
  const dialects = testDialects();
  return [
    ...dialects.map((dialect) => ({ name: dialect, dialect, ingestThread: false })),
    ...(dialects.includes('sqlite')
      ? [{ name: 'sqlite (file, ingest thread)', dialect: 'sqlite' as const, ingestThread: true }]
      : []),
  ];
}

/**
 * Opens migrated storage for a test file. SQLite: a private in-memory database. PostgreSQL:
 * the shared test database, where tests stay apart by making their own tenants; pass
 * `isolated` for a private schema (tests that need an empty database, such as first setup).
 * `file` puts SQLite in a file of its own (as the server runs it) instead of memory.
 */
export async function openTestStorage(
  dialect: DialectName,
  options: { isolated?: boolean; file?: boolean } = {},
) {
  let storage: Storage;
  let schema: string | undefined;
  const dir = dialect === 'sqlite' && options.file ? mkdtempSync(join(tmpdir(), 'pond-test-')) : null;
  if (dir) storage = await openStorage(join(dir, 'pond.db'));
  else if (dialect === 'sqlite') storage = await openStorage(':memory:');
  else {
    schema = options.isolated ? `t_${randomBytes(6).toString('hex')}` : 'pond_test';
    storage = await openStorage(TEST_DATABASE_URL, { schema, poolSize: 4 });
  }
  await migrateToLatest(storage);
  const close = async () => {
    if (dialect === 'postgres' && options.isolated && schema) {
      await storage.db.schema.dropSchema(schema).cascade().execute();
    }
    await storage.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  return { storage, close };
}
