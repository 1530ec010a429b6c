import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite.ts';

// SQLite only: how a database file is set up when Pond opens it.
describe('SQLite database files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pond-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pageSize = async (file: string) => {
    const storage = openSqlite(file, { checkpointer: false });
    try {
      await sql`create table if not exists t (x integer)`.execute(storage.db);
      return (await sql<{ page_size: number }>`pragma page_size`.execute(storage.db)).rows[0]?.page_size;
    } finally {
      await storage.close();
    }
  };

  it('gives a new database 8 KiB pages in write-ahead-log mode', async () => {
    const file = join(dir, 'new.db');
    expect(await pageSize(file)).toBe(8192);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('leaves the pages of an existing database as they are', async () => {
    const file = join(dir, 'old.db');
    const raw = new Database(file);
    raw.pragma('page_size = 4096');
    raw.exec('create table t (x integer)');
    raw.close();
    expect(await pageSize(file)).toBe(4096);
  });
});
