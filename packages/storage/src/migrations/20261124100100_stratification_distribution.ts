import type { Kysely } from 'kysely';

/** Lets the stage and RFM distribution of a whole tenant be counted from the index alone. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('customers_strata')
    .on('customers')
    .columns([
      'tenant_id',
      'status',
      'lifecycle_stage',
      'rfm_recency',
      'rfm_frequency',
      'rfm_monetary',
      'rfm_segment',
    ])
    .execute();
}
