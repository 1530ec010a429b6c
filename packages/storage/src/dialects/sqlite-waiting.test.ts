import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../storage.ts';
import { openSqlite } from './sqlite.ts';

// SQLite only: how connections of one database file share its single write lock.
describe('SQLite connections waiting for the write lock', () => {
  let dir: string;
  let storage: Storage;
  let other: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pond-waiting-'));
    const file = join(dir, 'pond.db');
    storage = openSqlite(file);
    await sql`create table t (x integer)`.execute(storage.db);
    other = new Database(file);
    other.pragma('busy_timeout = 0');
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('rollback');
    other.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from t`.execute(storage.db)).rows[0]?.n);

  it('waits on a timer, the thread serving other work meanwhile, and writes once the lock is free', async () => {
    other.exec('begin immediate');
    other.exec('insert into t values (1)');
    let settled = false;
    const write = sql`insert into t values (2)`.execute(storage.db).then(() => {
      settled = true;
    });
    const transaction = storage.db.transaction().execute(async (trx) => {
      await sql`insert into t values (3)`.execute(trx);
    });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    clearInterval(timer);
    expect(settled).toBe(false);
    // A blocking busy handler would have held the thread: no timer would have fired.
    expect(ticks).toBeGreaterThan(5);
    other.exec('commit');
    await Promise.all([write, transaction]);
    expect(await count()).toBe(3);
  });

  it('takes the write lock when a transaction begins, so a read then a write never meets a newer commit', async () => {
    await storage.db.transaction().execute(async (trx) => {
      await sql`select count(*) from t`.execute(trx);
      expect(() => other.exec('insert into t values (9)')).toThrow(/database is locked/);
      await sql`insert into t values (1)`.execute(trx);
    });
    expect(await count()).toBe(1);
  });

  it('fails at once on anything but a busy database', async () => {
    await expect(sql`insert into missing values (1)`.execute(storage.db)).rejects.toThrow(/no such table/);
  });
});
