import type { Kysely } from 'kysely';

/** Rules that keep a tag on exactly the customers matching an audience rule. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('auto_tag_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('tag_id', 'text', (c) => c.notNull().references('tags.id'))
    .addColumn('remove_when_unmatched', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('last_run_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('auto_tag_rules_tenant')
    .on('auto_tag_rules')
    .columns(['tenant_id', 'created_at'])
    .execute();
}
