import type { Kysely } from 'kysely';
import type { DialectInfo } from '../dialect.ts';

/** Live codes with the customers added through them; customer and group transfers with their items. */
export async function up(db: Kysely<unknown>, d: DialectInfo): Promise<void> {
  await db.schema
    .createTable('wecom_live_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('config_id', 'text', (c) => c.notNull())
    .addColumn('qr_code', 'text')
    .addColumn('skip_verify', 'integer', (c) => c.notNull())
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('fallback_staff_id', 'text')
    .addColumn('welcome', 'text')
    .addColumn('tag_ids', 'text', (c) => c.notNull())
    .addColumn('auto_remark', 'text')
    .addColumn('active_users', 'text', (c) => c.notNull())
    .addColumn('sync_error', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('wecom_live_codes_state')
    .unique()
    .on('wecom_live_codes')
    .columns(['tenant_id', 'state'])
    .execute();
  await db.schema
    .createIndex('wecom_live_codes_list')
    .on('wecom_live_codes')
    .columns(['tenant_id', 'status', 'created_at'])
    .execute();

  await d
    .serialId(db.schema.createTable('wecom_live_code_adds'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('live_code_id', 'text', (c) => c.notNull())
    .addColumn('callback_id', 'bigint', (c) => c.notNull())
    .addColumn('customer_id', 'bigint')
    .addColumn('external_userid', 'text', (c) => c.notNull())
    .addColumn('staff_userid', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('welcome_status', 'text', (c) => c.notNull())
    .addColumn('welcome_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wecom_live_code_adds_pair')
    .unique()
    .on('wecom_live_code_adds')
    .columns(['tenant_id', 'live_code_id', 'external_userid', 'staff_userid'])
    .execute();
  await db.schema
    .createIndex('wecom_live_code_adds_day')
    .on('wecom_live_code_adds')
    .columns(['tenant_id', 'live_code_id', 'day', 'staff_userid'])
    .execute();

  await db.schema
    .createTable('wecom_transfers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('handover_userid', 'text', (c) => c.notNull())
    .addColumn('handover_staff_id', 'text')
    .addColumn('takeover_userid', 'text', (c) => c.notNull())
    .addColumn('takeover_staff_id', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('next_check_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wecom_transfers_list')
    .on('wecom_transfers')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await d
    .serialId(db.schema.createTable('wecom_transfer_items'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('transfer_id', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('wecom_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('errcode', 'integer')
    .addColumn('error', 'text')
    .addColumn('takeover_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wecom_transfer_items_transfer')
    .on('wecom_transfer_items')
    .columns(['tenant_id', 'transfer_id', 'status'])
    .execute();
  await db.schema
    .createIndex('wecom_transfer_items_target')
    .on('wecom_transfer_items')
    .columns(['tenant_id', 'wecom_id', 'status'])
    .execute();
}
