import { randomUUID } from 'node:crypto';
import { openTestStorage, testDialects } from '@pond/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkInsert } from '../dialect.ts';
import type { Storage } from '../storage.ts';

const MESSAGE_IDS: BulkInsert = {
  table: 'message_ids',
  columns: [
    ['tenant_id', 'text'],
    ['message_id', 'text'],
    ['received_at', 'bigint'],
  ],
  onConflictDoNothing: ['tenant_id', 'message_id'],
  returning: ['message_id'],
};

describe.each(testDialects())('bulk statements on %s', (dialect) => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await openTestStorage(dialect));
  });
  afterAll(() => close());

  it('inserts rows in one go, skips conflicting ones and returns those inserted', async () => {
    const tenant = randomUUID();
    const awkward = ['plain', 'with "quotes", {braces} and \\ backslash', '中文 ✓', 'NULL', ''];
    const first = await storage.db.transaction().execute((trx) =>
      storage.dialect.insertMany(
        trx,
        MESSAGE_IDS,
        awkward.map((m) => [tenant, m, 1]),
      ),
    );
    expect(first.map((r) => r.message_id).sort()).toEqual([...awkward].sort());
    // The second time, only the new one comes back; the others are skipped, not doubled.
    const second = await storage.db.transaction().execute((trx) =>
      storage.dialect.insertMany(trx, MESSAGE_IDS, [
        [tenant, 'plain', 2],
        [tenant, 'new', 2],
        [tenant, '中文 ✓', 2],
      ]),
    );
    expect(second).toEqual([{ message_id: 'new' }]);
    const stored = await storage.db
      .selectFrom('message_ids')
      .select(['message_id', 'received_at'])
      .where('tenant_id', '=', tenant)
      .orderBy('message_id')
      .execute();
    expect(stored).toEqual(
      [...awkward, 'new'].sort().map((m) => ({ message_id: m, received_at: m === 'new' ? 2 : 1 })),
    );
    const none = await storage.db
      .transaction()
      .execute((trx) => storage.dialect.insertMany(trx, MESSAGE_IDS, []));
    expect(none).toEqual([]);
  });

  it('rolls back with the transaction it runs in', async () => {
    const tenant = randomUUID();
    await expect(
      storage.db.transaction().execute(async (trx) => {
        await storage.dialect.insertMany(trx, MESSAGE_IDS, [[tenant, 'a', 1]]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const n = await storage.db
      .selectFrom('message_ids')
      .select('message_id')
      .where('tenant_id', '=', tenant)
      .execute();
    expect(n).toEqual([]);
  });

  it('joins literal rows as a table, with nulls, numbers and text kept', async () => {
    const rows = [
      [1, 'a', 1.5, null],
      [2, 'it\'s "b"', null, 1_764_000_000_000],
      [3, null, -2, 0],
    ];
    const r = await sql<{ id: number; label: string | null; score: number | null; at: number | null }>`
      select v.id, v.label, v.score, v.at from ${storage.dialect.rowsTable(
        [
          ['id', 'bigint'],
          ['label', 'text'],
          ['score', 'double'],
          ['at', 'bigint'],
        ],
        rows,
      )} as v order by v.id`.execute(storage.db);
    expect(r.rows.map((x) => [Number(x.id), x.label, x.score, x.at === null ? null : Number(x.at)])).toEqual(
      rows,
    );
  });

  it('groups by sorting inside the caller transaction or its own, then restores the planner', async () => {
    // What the planner may do with hash aggregates; SQLite has none to switch off.
    const hashagg = async (ex: typeof storage.db) =>
      storage.dialect.name === 'postgres'
        ? (await sql<{ v: string }>`select current_setting('enable_hashagg') as v`.execute(ex)).rows[0]?.v
        : 'sorts anyway';
    const on = storage.dialect.name === 'postgres' ? 'on' : 'sorts anyway';
    const off = storage.dialect.name === 'postgres' ? 'off' : 'sorts anyway';
    expect(await storage.dialect.groupBySorting(storage.db, hashagg)).toBe(off);
    await storage.db.transaction().execute(async (trx) => {
      expect(await storage.dialect.groupBySorting(trx, hashagg)).toBe(off);
      expect(await hashagg(trx), 'the rest of the caller transaction').toBe(on);
    });
    expect(await hashagg(storage.db)).toBe(on);
  });
});
