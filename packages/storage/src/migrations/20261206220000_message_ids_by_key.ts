import { type Kysely, sql } from 'kysely';
import type { DialectInfo } from '../dialect.ts';

/**
 * The messageIds that ingestion keeps for dedupe, stored in their key's order where the engine
 * can (`DialectInfo.keyOrdered`): every ingested event inserts one, and on SQLite that is then
 * one B-tree fewer to update. The rows kept are copied as they are.
 */
export async function up(db: Kysely<unknown>, d: DialectInfo): Promise<void> {
  if (!d.keyOrdered) return;
  await db.schema
    .createTable('message_ids_by_key')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_ids_pk', ['tenant_id', 'message_id'])
    .modifyEnd(d.keyOrdered)
    .execute();
  await sql`insert into message_ids_by_key (tenant_id, message_id, received_at)
    select tenant_id, message_id, received_at from message_ids`.execute(db);
  await db.schema.dropTable('message_ids').execute();
  await db.schema.alterTable('message_ids_by_key').renameTo('message_ids').execute();
  await db.schema.createIndex('message_ids_received').on('message_ids').column('received_at').execute();
}
