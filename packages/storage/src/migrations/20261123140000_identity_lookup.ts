import type { Kysely } from 'kysely';

/**
 * - A tenant's own order of identity types for choosing the survivor of a merge (null = the
 *   default order).
 * - Identities found by value alone: OneID looks up every identity of a message at once, and
 *   customer search matches any identifier.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenants').addColumn('identity_priority', 'text').execute();
  await db.schema
    .createIndex('customer_identities_value')
    .on('customer_identities')
    .columns(['tenant_id', 'value'])
    .execute();
}
