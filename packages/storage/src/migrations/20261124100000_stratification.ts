import type { Kysely } from 'kysely';
import type { DialectInfo } from '../dialect.ts';

/**
 * Stratification: the tenant's lifecycle model and RFM bins, full recompute runs, and the
 * computed scores on customers with the moment time alone next changes them (the durable
 * timers pick customers by it).
 */
export async function up(db: Kysely<unknown>, d: DialectInfo): Promise<void> {
  await db.schema
    .createTable('stratification_models')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('lifecycle', 'text', (c) => c.notNull())
    .addColumn('rfm', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await d
    .serialId(db.schema.createTable('stratification_runs'))
    .addColumn('public_id', 'text', (c) => c.notNull().unique())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('model_version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('processed', 'integer', (c) => c.notNull())
    .addColumn('changed', 'integer', (c) => c.notNull())
    .addColumn('cursor', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('stratification_runs_tenant')
    .on('stratification_runs')
    .columns(['tenant_id', 'id'])
    .execute();
  for (const [name, type] of [
    ['rfm_recency', 'integer'],
    ['rfm_frequency', 'integer'],
    ['rfm_monetary', 'integer'],
    ['rfm_segment', 'text'],
    ['lifecycle_changed_at', 'bigint'],
    ['stratum_due_at', 'bigint'],
  ] as const) {
    await db.schema.alterTable('customers').addColumn(name, type).execute();
  }
  await db.schema
    .createIndex('customers_stratum_due')
    .on('customers')
    .columns(['tenant_id', 'stratum_due_at'])
    .execute();
}
