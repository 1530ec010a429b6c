import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../dialects/sqlite.ts';

// SQLite only: the write-ahead log is copied back by the checkpointer thread, not by commits.
describe('the SQLite checkpointer thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pond-checkpointer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes about 2 MB (500 pages: fewer than any automatic checkpoint waits for). */
  async function write(checkpointer: boolean) {
    const file = join(dir, `${checkpointer}.db`);
    const storage = openSqlite(file, { checkpointer });
    await sql`pragma wal_autocheckpoint = 1000000`.execute(storage.db);
    await sql`create table t (x text)`.execute(storage.db);
    const before = statSync(file).size;
    await storage.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 500; i++) await sql`insert into t values (${'x'.repeat(4000)})`.execute(trx);
    });
    return { storage, file, before };
  }

  const grown = async (file: string, before: number) => {
    for (let i = 0; i < 100 && statSync(file).size <= before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return statSync(file).size > before;
  };

  it('copies committed pages into the database file within moments', async () => {
    const { storage, file, before } = await write(true);
    expect(await grown(file, before)).toBe(true);
    await storage.close();
  });

  it('is what does it: without it, they stay in the log until a commit checkpoints', async () => {
    const { storage, file, before } = await write(false);
    expect(await grown(file, before)).toBe(false);
    await storage.close();
  });
});
