import type { Kysely } from 'kysely';

/**
 * The corp tag sync: which WeCom tag group or tag each Pond tag group or tag stands for, and
 * the Pond tag groups kept in step with WeCom (with the last WeCom error met doing so).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('wecom_tag_map')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('wecom_id', 'text', (c) => c.notNull())
    .addColumn('pond_id', 'text', (c) => c.notNull())
    .addColumn('wecom_name', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('wecom_tag_map_pk', ['tenant_id', 'kind', 'wecom_id'])
    .addUniqueConstraint('wecom_tag_map_pond', ['tenant_id', 'kind', 'pond_id'])
    .execute();
  await db.schema
    .createTable('wecom_synced_tag_groups')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('wecom_synced_tag_groups_pk', ['tenant_id', 'group_id'])
    .execute();
}
