import type { Kysely } from 'kysely';
import type { DialectInfo } from '../dialect.ts';

/**
 * WeCom: the per-tenant connection, the callback inbox (and its rejections and replay guard),
 * friend relationships with loss alerts, customer groups with their members, and corp tag
 * changes waiting for the tag sync.
 */
export async function up(db: Kysely<unknown>, d: DialectInfo): Promise<void> {
  await db.schema
    .createTable('wecom_configs')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('callback_key', 'text', (c) => c.notNull().unique())
    .addColumn('corp_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'bigint')
    .addColumn('secret', 'text')
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('aes_key', 'text', (c) => c.notNull())
    .addColumn('api_base_url', 'text', (c) => c.notNull())
    .addColumn('last_check', 'text')
    .addColumn('last_check_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await d
    .serialId(db.schema.createTable('wecom_callbacks'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('msg_signature', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('change_type', 'text', (c) => c.notNull())
    .addColumn('event_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('duplicates', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('wecom_callbacks_dedupe')
    .unique()
    .on('wecom_callbacks')
    .columns(['tenant_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('wecom_callbacks_status')
    .on('wecom_callbacks')
    .columns(['tenant_id', 'status', 'id'])
    .execute();

  await d
    .serialId(db.schema.createTable('wecom_callback_rejections'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wecom_callback_rejections_tenant')
    .on('wecom_callback_rejections')
    .columns(['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('wecom_replay_guard')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('msg_signature', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('wecom_replay_guard_pk', ['tenant_id', 'msg_signature', 'nonce'])
    .execute();
  await db.schema.createIndex('wecom_replay_guard_seen').on('wecom_replay_guard').column('seen_at').execute();

  await d
    .serialId(db.schema.createTable('wecom_relationships'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('origin_customer_id', 'bigint', (c) => c.notNull())
    .addColumn('external_userid', 'text', (c) => c.notNull())
    .addColumn('staff_userid', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('remark', 'text')
    .addColumn('description', 'text')
    .addColumn('state', 'text')
    .addColumn('add_way', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
    .addColumn('transfer_failure', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wecom_relationships_pair')
    .unique()
    .on('wecom_relationships')
    .columns(['tenant_id', 'external_userid', 'staff_userid'])
    .execute();
  await db.schema
    .createIndex('wecom_relationships_customer')
    .on('wecom_relationships')
    .columns(['tenant_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('wecom_loss_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.notNull())
    .addColumn('origin_customer_id', 'bigint', (c) => c.notNull())
    .addColumn('relationship_id', 'bigint', (c) => c.notNull())
    .addColumn('external_userid', 'text', (c) => c.notNull())
    .addColumn('staff_userid', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('task_staff_id', 'text')
    .addColumn('task_status', 'text', (c) => c.notNull())
    .addColumn('task_due_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolved_by', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wecom_loss_alerts_tenant')
    .on('wecom_loss_alerts')
    .columns(['tenant_id', 'status', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('wecom_loss_alerts_customer')
    .on('wecom_loss_alerts')
    .columns(['tenant_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('wecom_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('chat_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('owner_userid', 'text')
    .addColumn('owner_staff_id', 'text')
    .addColumn('notice', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('member_count', 'integer', (c) => c.notNull())
    .addColumn('external_count', 'integer', (c) => c.notNull())
    .addColumn('member_version', 'text')
    .addColumn('wecom_created_at', 'bigint')
    .addColumn('dismissed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wecom_groups_chat')
    .unique()
    .on('wecom_groups')
    .columns(['tenant_id', 'chat_id'])
    .execute();

  await d
    .serialId(db.schema.createTable('wecom_group_members'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'bigint')
    .addColumn('origin_customer_id', 'bigint')
    .addColumn('staff_id', 'text')
    .addColumn('name', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'bigint')
    .addColumn('join_scene', 'integer')
    .addColumn('quit_scene', 'integer')
    .addColumn('left_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wecom_group_members_member')
    .unique()
    .on('wecom_group_members')
    .columns(['group_id', 'member_id'])
    .execute();
  await db.schema
    .createIndex('wecom_group_members_customer')
    .on('wecom_group_members')
    .columns(['tenant_id', 'customer_id'])
    .execute();

  await d
    .serialId(db.schema.createTable('wecom_tag_changes'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('wecom_id', 'text', (c) => c.notNull())
    .addColumn('tag_type', 'text', (c) => c.notNull())
    .addColumn('change_type', 'text', (c) => c.notNull())
    .addColumn('strategy_id', 'text')
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('synced_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('wecom_tag_changes_pending')
    .on('wecom_tag_changes')
    .columns(['tenant_id', 'synced_at', 'id'])
    .execute();
}
