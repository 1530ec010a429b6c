import type { Kysely } from 'kysely';

/** Full WeCom syncs: their phase, the cursor they resume from, and their progress. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('wecom_syncs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('members', 'integer', (c) => c.notNull())
    .addColumn('members_done', 'integer', (c) => c.notNull())
    .addColumn('relationships', 'integer', (c) => c.notNull())
    .addColumn('customers_created', 'integer', (c) => c.notNull())
    .addColumn('groups', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('wecom_syncs_tenant')
    .on('wecom_syncs')
    .columns(['tenant_id', 'created_at'])
    .execute();
}
