import { openTestStorage, testDialects } from '@pond/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage.ts';

/** A customer's events, newest first, are read through `events_customer_time` on both engines. */
describe.each(testDialects())('a customer’s events found by index on %s', (dialect) => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await openTestStorage(dialect, { isolated: true }));
  });
  afterAll(() => close());

  it('plans the timeline’s query on the index', async () => {
    const timeline = sql`select * from events where tenant_id = ${'t1'} and customer_id = ${7}
      and timestamp <= ${1_000} order by timestamp desc, id desc limit 21`;
    const plan = await storage.db.transaction().execute(async (trx) => {
      if (dialect === 'sqlite') {
        return (await sql<{ detail: string }>`explain query plan ${timeline}`.execute(trx)).rows.map(
          (r) => r.detail,
        );
      }
      // An empty table is cheapest read whole: ask for the plan as if it were not.
      await sql`set local enable_seqscan = off`.execute(trx);
      return (await sql<{ 'QUERY PLAN': string }>`explain ${timeline}`.execute(trx)).rows.map(
        (r) => r['QUERY PLAN'],
      );
    });
    expect(plan.join('\n')).toMatch(/events_customer_time/);
  });

  it('keys the index by customer and time, without the brand', async () => {
    const columns =
      dialect === 'sqlite'
        ? (
            await sql<{ name: string }>`select name from pragma_index_info('events_customer_time')`.execute(
              storage.db,
            )
          ).rows.map((r) => r.name)
        : (
            await sql<{ indexdef: string }>`select indexdef from pg_indexes
              where schemaname = current_schema() and indexname = 'events_customer_time'`.execute(storage.db)
          ).rows.flatMap((r) => /\((.*)\)/.exec(r.indexdef)?.[1]?.replaceAll('"', '').split(', ') ?? []);
    expect(columns).toEqual(['customer_id', 'timestamp']);
  });
});
