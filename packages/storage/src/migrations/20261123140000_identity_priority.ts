import type { Kysely } from 'kysely';

/** A tenant's own order of identity types for choosing the survivor of a merge; null = the default. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenants').addColumn('identity_priority', 'text').execute();
}
