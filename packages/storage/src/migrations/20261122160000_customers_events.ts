import type { Kysely } from 'kysely';
import type { DialectInfo } from '../dialect.ts';

export async function up(db: Kysely<unknown>, d: DialectInfo): Promise<void> {
  await d
    .serialId(db.schema.createTable('customers'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('public_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('gender', 'text', (c) => c.notNull())
    .addColumn('birthday', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('region', 'text')
    .addColumn('city', 'text')
    .addColumn('membership_level', 'text')
    .addColumn('lifecycle_stage', 'text')
    .addColumn('source_channel', 'text')
    .addColumn('owner_staff_id', 'text')
    .addColumn('store_id', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint')
    .addColumn('last_active_at', 'bigint')
    .addColumn('order_count', 'integer', (c) => c.notNull())
    .addColumn('total_spend', d.types.double, (c) => c.notNull())
    .addColumn('last_order_at', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('merged_into', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('customers_tenant_created')
    .on('customers')
    .columns(['tenant_id', 'status', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('customers_tenant_owner')
    .on('customers')
    .columns(['tenant_id', 'owner_staff_id'])
    .execute();
  await db.schema
    .createIndex('customers_tenant_store')
    .on('customers')
    .columns(['tenant_id', 'store_id'])
    .execute();

  await db.schema
    .createTable('attribute_definitions')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('options', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('attribute_definitions_pk', ['tenant_id', 'key'])
    .execute();

  await d
    .serialId(db.schema.createTable('customer_identities'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('customer_identities_key')
    .on('customer_identities')
    .columns(['tenant_id', 'type', 'namespace', 'value'])
    .unique()
    .execute();
  await db.schema
    .createIndex('customer_identities_customer')
    .on('customer_identities')
    .columns(['customer_id'])
    .execute();

  await d
    .serialId(db.schema.createTable('merge_log'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('survivor_id', 'bigint', (c) => c.notNull())
    .addColumn('merged_id', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('unmerged_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('merge_log_survivor')
    .on('merge_log')
    .columns(['tenant_id', 'survivor_id'])
    .execute();
  await db.schema
    .createIndex('merge_log_merged')
    .on('merge_log')
    .columns(['tenant_id', 'merged_id'])
    .execute();

  for (const table of ['customer_changes', 'customer_notes'] as const) {
    let t = d
      .serialId(db.schema.createTable(table))
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('customer_id', 'bigint', (c) => c.notNull())
      .addColumn('origin_customer_id', 'bigint', (c) => c.notNull());
    t =
      table === 'customer_changes'
        ? t
            .addColumn('changes', 'text', (c) => c.notNull())
            .addColumn('source', 'text', (c) => c.notNull())
            .addColumn('actor', 'text')
        : t
            .addColumn('body', 'text', (c) => c.notNull())
            .addColumn('author_id', 'text', (c) => c.notNull())
            .addColumn('author_name', 'text', (c) => c.notNull());
    await t.addColumn('created_at', 'bigint', (c) => c.notNull()).execute();
    await db.schema
      .createIndex(`${table}_customer`)
      .on(table)
      .columns(['tenant_id', 'customer_id', 'id'])
      .execute();
  }

  await d
    .serialId(db.schema.createTable('consents'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('consents_customer')
    .on('consents')
    .columns(['tenant_id', 'customer_id', 'id'])
    .execute();

  await db.schema
    .createTable('sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('write_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();

  await d
    .serialId(db.schema.createTable('events'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('origin_customer_id', 'bigint', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('events_customer_time')
    .on('events')
    .columns(['tenant_id', 'customer_id', 'timestamp'])
    .execute();
  await db.schema
    .createIndex('events_name_time')
    .on('events')
    .columns(['tenant_id', 'name', 'timestamp'])
    .execute();

  await db.schema
    .createTable('message_ids')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_ids_pk', ['tenant_id', 'message_id'])
    .execute();
  await db.schema.createIndex('message_ids_received').on('message_ids').column('received_at').execute();

  await db.schema
    .createTable('event_catalog')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('volume', 'bigint', (c) => c.notNull())
    .addColumn('violations', 'bigint', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_catalog_pk', ['tenant_id', 'type', 'name'])
    .execute();

  await d
    .serialId(db.schema.createTable('ingest_rejections'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('field', 'text')
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ingest_rejections_tenant')
    .on('ingest_rejections')
    .columns(['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('encoding', 'text')
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total_rows', 'integer', (c) => c.notNull())
    .addColumn('processed_rows', 'integer', (c) => c.notNull())
    .addColumn('created_rows', 'integer', (c) => c.notNull())
    .addColumn('updated_rows', 'integer', (c) => c.notNull())
    .addColumn('failed_rows', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('import_jobs_tenant')
    .on('import_jobs')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await d
    .serialId(db.schema.createTable('import_errors'))
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('column', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('import_errors_job').on('import_errors').columns(['job_id', 'line']).execute();
}
