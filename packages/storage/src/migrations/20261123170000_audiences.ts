import type { Kysely } from 'kysely';

/**
 * Saved audiences and who is in them. A dynamic audience's members change as customers do
 * (each entry and exit is kept); a static one is the snapshot taken when it was saved.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audiences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('refreshed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audiences_tenant')
    .on('audiences')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('audience_members')
    .addColumn('audience_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('audience_members_pk', ['audience_id', 'customer_id'])
    .execute();
  await db.schema
    .createIndex('audience_members_customer')
    .on('audience_members')
    .columns(['tenant_id', 'customer_id'])
    .execute();
}
