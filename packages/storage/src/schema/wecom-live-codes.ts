import type { Generated } from 'kysely';

/**
 * A live code (渠道活码): one WeCom contact way (「联系我」) per channel. `state` is the channel
 * key WeCom echoes back when a customer adds staff through it.
 */
export interface WeComLiveCodeTable {
  id: string;
  tenant_id: string;
  name: string;
  /** ≤ 30 characters, unique per tenant. */
  state: string;
  /** The contact way's id in WeCom (API-made contact ways are only reachable through it). */
  config_id: string;
  qr_code: string | null;
  skip_verify: number;
  /** JSON: [{ staffId, dailyCap, schedule: [{ weekdays, from, to }] }]. */
  pool: string;
  fallback_staff_id: string | null;
  /** JSON of the welcome message ({ text, attachments }), or null. */
  welcome: string | null;
  /** JSON array of Pond tag ids put on customers added through the code. */
  tag_ids: string;
  auto_remark: string | null;
  /** JSON array of the WeCom userids the contact way currently holds. */
  active_users: string;
  sync_error: string | null;
  status: 'active' | 'deleted';
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export type LiveCodeWelcomeStatus =
  | 'sent'
  | 'no_code'
  | 'expired'
  | 'already_used'
  | 'failed'
  | 'not_configured';

/** One customer added through a live code (each customer counts once per staff member per code). */
export interface WeComLiveCodeAddTable {
  id: Generated<number>;
  tenant_id: string;
  live_code_id: string;
  /** The inbox callback it came from. */
  callback_id: number;
  customer_id: number | null;
  /** The profile the row first landed on (for un-merge). */
  origin_customer_id: number | null;
  external_userid: string;
  staff_userid: string;
  staff_id: string | null;
  added_at: number;
  /** `YYYY-MM-DD` in China time: the day caps and statistics count it on. */
  day: string;
  welcome_status: LiveCodeWelcomeStatus;
  welcome_error: string | null;
  created_at: number;
}

/** A customer/group transfer (resigned or in-service succession) to one takeover member. */
export interface WeComTransferTable {
  id: string;
  tenant_id: string;
  kind: 'resigned' | 'in_service';
  handover_userid: string;
  handover_staff_id: string | null;
  takeover_userid: string;
  takeover_staff_id: string;
  message: string | null;
  status: 'running' | 'done';
  created_by: string;
  next_check_at: number | null;
  created_at: number;
  updated_at: number;
}

export type WeComTransferItemStatus =
  | 'queued'
  | 'waiting'
  | 'taken_over'
  | 'refused'
  | 'limit_exceeded'
  | 'failed';

export interface WeComTransferItemTable {
  id: Generated<number>;
  tenant_id: string;
  transfer_id: string;
  target: 'customer' | 'group';
  /** external_userid or chat_id. */
  wecom_id: string;
  customer_id: number | null;
  /** The profile the row first landed on (for un-merge). */
  origin_customer_id: number | null;
  status: WeComTransferItemStatus;
  errcode: number | null;
  error: string | null;
  takeover_at: number | null;
  attempts: number;
  created_at: number;
  updated_at: number;
}
