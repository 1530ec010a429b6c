import type { Kysely } from 'kysely';
import type { DialectInfo } from '../dialect.ts';

/**
 * Tag groups and tags, and the tags customers carry. A customer's tag rows follow it through
 * merges like its events (`origin_customer_id`), so after a merge a survivor may hold two rows
 * of one tag; readers take the earliest.
 */
export async function up(db: Kysely<unknown>, d: DialectInfo): Promise<void> {
  await db.schema
    .createTable('tag_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('tag_groups_tenant_name')
    .unique()
    .on('tag_groups')
    .columns(['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('tag_groups.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('color', 'text', (c) => c.notNull())
    .addColumn('archived_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tags_group_name').unique().on('tags').columns(['group_id', 'name']).execute();
  await db.schema.createIndex('tags_tenant').on('tags').columns(['tenant_id', 'group_id']).execute();

  await d
    .serialId(db.schema.createTable('customer_tags'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('origin_customer_id', 'bigint', (c) => c.notNull())
    .addColumn('tag_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_ref', 'text')
    .addColumn('source_name', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('customer_tags_customer')
    .on('customer_tags')
    .columns(['tenant_id', 'customer_id', 'id'])
    .execute();
  await db.schema
    .createIndex('customer_tags_tag')
    .on('customer_tags')
    .columns(['tenant_id', 'tag_id'])
    .execute();
}
