import type { Kysely } from 'kysely';

/** Full syncs also bring the staff directory: org units and staff members they created. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('wecom_syncs')
    .addColumn('units_created', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('wecom_syncs')
    .addColumn('staff_created', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
