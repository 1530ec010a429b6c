import type { Kysely } from 'kysely';
import type { DialectInfo } from '../dialect.ts';

/** Every entry into and exit from a dynamic audience, per customer. */
export async function up(db: Kysely<unknown>, d: DialectInfo): Promise<void> {
  await d
    .serialId(db.schema.createTable('audience_history'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('audience_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audience_history_customer')
    .on('audience_history')
    .columns(['tenant_id', 'customer_id', 'id'])
    .execute();
}
