import { type Kysely, sql } from 'kysely';

/**
 * Live-code adds and transfer items follow customer merges like the other customer rows: each
 * keeps the profile it first landed on, so an un-merge takes back exactly its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['wecom_live_code_adds', 'wecom_transfer_items']) {
    await db.schema.alterTable(table).addColumn('origin_customer_id', 'bigint').execute();
    await sql`update ${sql.table(table)} set origin_customer_id = customer_id`.execute(db);
    await db.schema
      .createIndex(`${table}_customer`)
      .on(table)
      .columns(['tenant_id', 'customer_id'])
      .execute();
  }
}
