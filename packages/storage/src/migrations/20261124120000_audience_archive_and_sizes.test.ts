import { openTestStorage, testDialects } from '@pond/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage.ts';
import { up } from './20261124120000_audience_archive_and_sizes.ts';

const DAY = 86_400_000;

/**
 * The migration rebuilds the past daily sizes of existing audiences from their membership
 * history. Run here on a database put back to how it was before the migration.
 */
describe.each(testDialects())('audience sizes rebuilt from history on %s', (dialect) => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await openTestStorage(dialect, { isolated: true }));
  });
  afterAll(() => close());

  it('counts backwards from each audience’s size now, one row per day since it was created', async () => {
    const db = storage.db;
    const today = Math.floor(Date.now() / DAY) * DAY;
    const at = (daysAgo: number, hour = 10) => today - daysAgo * DAY + hour * 3_600_000;
    await db
      .insertInto('tenants')
      .values({ id: 't1', name: 'T', slug: 't1', identity_priority: null, created_at: 0, updated_at: 0 })
      .execute();
    const audience = (id: string, size: number, createdDaysAgo: number) => ({
      id,
      tenant_id: 't1',
      name: id,
      rule: '{}',
      kind: 'dynamic' as const,
      size,
      refreshed_at: null,
      archived_at: null,
      created_at: at(createdDaysAgo),
      updated_at: at(createdDaysAgo),
    });
    await db
      .insertInto('audiences')
      .values([audience('a1', 2, 3), audience('a2', 5, 1)])
      .execute();
    // a1: 3 entered three days ago, 1 left two days ago, 1 entered and 1 left today → 2 now.
    const history = [
      ...[1, 2, 3].map((c) => ({ customer_id: c, change: 'entered' as const, at: at(3) })),
      { customer_id: 1, change: 'exited' as const, at: at(2) },
      { customer_id: 4, change: 'entered' as const, at: at(0, 1) },
      { customer_id: 2, change: 'exited' as const, at: at(0, 2) },
    ];
    await db
      .insertInto('audience_history')
      .values(history.map((h) => ({ ...h, tenant_id: 't1', audience_id: 'a1' })))
      .execute();
    // Back to before the migration, then run it.
    await db.schema.dropTable('audience_sizes').execute();
    await db.schema.dropIndex('audience_history_audience').execute();
    await sql`alter table audiences drop column archived_at`.execute(db);
    await up(db as unknown as Kysely<unknown>);

    const rows = await db
      .selectFrom('audience_sizes')
      .select(['audience_id', 'day', 'size'])
      .orderBy('audience_id')
      .orderBy('day')
      .execute();
    expect(rows.map((r) => [r.audience_id, (Number(r.day) - today) / DAY, r.size])).toEqual([
      ['a1', -3, 3],
      ['a1', -2, 2],
      ['a1', -1, 2],
      ['a1', 0, 2],
      ['a2', -1, 5],
      ['a2', 0, 5],
    ]);
    const archived = await db.selectFrom('audiences').select('archived_at').execute();
    expect(archived.map((a) => a.archived_at)).toEqual([null, null]);
  });
});
