import { openTestStorage, testDialects } from '@pond/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage.ts';
import { up } from './20261206220000_message_ids_by_key.ts';

/**
 * The migration stores kept messageIds in their key's order where the engine can. Run here on
 * a table put back to how it was before it, holding rows.
 */
describe.each(testDialects())('messageIds stored by key on %s', (dialect) => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await openTestStorage(dialect, { isolated: true }));
  });
  afterAll(() => close());

  it('keeps every row, the key still refusing a repeat, and the purge index', async () => {
    const db = storage.db;
    await db.schema.dropTable('message_ids').execute();
    await db.schema
      .createTable('message_ids')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('message_ids_pk', ['tenant_id', 'message_id'])
      .execute();
    await db.schema.createIndex('message_ids_received').on('message_ids').column('received_at').execute();
    const kept = [
      { tenant_id: 't1', message_id: 'm1', received_at: 10 },
      { tenant_id: 't1', message_id: 'm2', received_at: 20 },
      { tenant_id: 't2', message_id: 'm1', received_at: 30 },
    ];
    await db.insertInto('message_ids').values(kept).execute();

    await up(db as unknown as Kysely<unknown>, storage.dialect);

    const rows = await db
      .selectFrom('message_ids')
      .selectAll()
      .orderBy('tenant_id')
      .orderBy('message_id')
      .execute();
    expect(rows.map((r) => ({ ...r, received_at: Number(r.received_at) }))).toEqual(kept);
    const repeat = await db
      .insertInto('message_ids')
      .values([
        { tenant_id: 't1', message_id: 'm2', received_at: 40 },
        { tenant_id: 't2', message_id: 'm2', received_at: 40 },
      ])
      .onConflict((oc) => oc.columns(['tenant_id', 'message_id']).doNothing())
      .returning('message_id')
      .execute();
    expect(repeat).toEqual([{ message_id: 'm2' }]);
    const purge = await db.deleteFrom('message_ids').where('received_at', '<', 25).executeTakeFirst();
    expect(Number(purge.numDeletedRows)).toBe(2);
    if (storage.dialect.keyOrdered) {
      const table = await sql<{
        sql: string;
      }>`select sql from sqlite_master where name = 'message_ids'`.execute(db);
      expect(table.rows[0]?.sql).toMatch(/without rowid$/i);
      const index = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'index' and tbl_name = 'message_ids'`.execute(db);
      expect(index.rows.map((r) => r.name)).toEqual(['message_ids_received']);
    }
  });
});
