import type { Generated } from 'kysely';

/**
 * A tenant's WeCom (企业微信) connection. Secrets (`secret`, `token`, `aes_key`) are stored
 * sealed with the server's secret key (`v1:` + AES-256-GCM), never in clear text.
 */
export interface WeComConfigTable {
  tenant_id: string;
  /** The random path segment of the tenant's callback URL (`/wecom/callback/<key>`). */
  callback_key: string;
  corp_id: string;
  agent_id: number | null;
  secret: string | null;
  token: string;
  aes_key: string;
  api_base_url: string;
  /** JSON of the last connection check. */
  last_check: string | null;
  last_check_at: number | null;
  created_at: number;
  updated_at: number;
}

export type WeComCallbackStatus = 'pending' | 'processing' | 'processed' | 'retrying' | 'failed' | 'ignored';

/** Every accepted callback, raw, before and after it is processed (the inbox). */
export interface WeComCallbackTable {
  id: Generated<number>;
  tenant_id: string;
  /** What identifies one delivery of one event, so WeCom's redeliveries are recognised. */
  dedupe_key: string;
  msg_signature: string;
  nonce: string;
  /** The decrypted XML. */
  payload: string;
  event: string;
  change_type: string;
  /** The WeCom CreateTime of the event, in epoch ms. */
  event_at: number;
  status: WeComCallbackStatus;
  attempts: number;
  /** Deliveries of the same event after the first. */
  duplicates: number;
  last_error: string | null;
  next_attempt_at: number | null;
  received_at: number;
  processed_at: number | null;
}

/** Callbacks refused before they were accepted: why, from where. */
export interface WeComCallbackRejectionTable {
  id: Generated<number>;
  tenant_id: string;
  reason: string;
  detail: string;
  ip: string | null;
  received_at: number;
}

export type WeComRelationshipStatus =
  | 'active'
  | 'pending'
  | 'deleted_by_customer'
  | 'deleted_by_staff'
  | 'transferred';

/** The WeCom friend relationship between one customer and one staff member. */
export interface WeComRelationshipTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  origin_customer_id: number;
  external_userid: string;
  staff_userid: string;
  /** The Pond staff member whose `wecom_userid` this is, when known. */
  staff_id: string | null;
  remark: string | null;
  description: string | null;
  /** The channel marker (`state`) of the contact way the customer came through. */
  state: string | null;
  add_way: number | null;
  status: WeComRelationshipStatus;
  added_at: number;
  status_changed_at: number;
  /** The last failed transfer's reason (`customer_refused`, `customer_limit_exceed`). */
  transfer_failure: string | null;
  created_at: number;
  updated_at: number;
}

/** A customer lost from a staff member's WeCom contacts, with its win-back task. */
export interface WeComLossAlertTable {
  id: string;
  tenant_id: string;
  customer_id: number;
  origin_customer_id: number;
  relationship_id: number;
  external_userid: string;
  staff_userid: string;
  staff_id: string | null;
  kind: 'deleted_by_customer' | 'deleted_by_staff';
  occurred_at: number;
  status: 'open' | 'won_back' | 'closed';
  /** Who should win the customer back (the customer's owner); null for staff deletions. */
  task_staff_id: string | null;
  task_status: 'open' | 'done' | 'none';
  task_due_at: number | null;
  resolved_at: number | null;
  resolved_by: string | null;
  note: string | null;
  created_at: number;
  updated_at: number;
}

/** A WeCom customer group (客户群). */
export interface WeComGroupTable {
  id: string;
  tenant_id: string;
  chat_id: string;
  name: string | null;
  owner_userid: string | null;
  owner_staff_id: string | null;
  notice: string | null;
  status: 'active' | 'dismissed';
  member_count: number;
  external_count: number;
  member_version: string | null;
  /** When the group was created in WeCom, when known. */
  wecom_created_at: number | null;
  dismissed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WeComGroupMemberTable {
  id: Generated<number>;
  tenant_id: string;
  group_id: string;
  /** A member's userid or a customer's external_userid. */
  member_id: string;
  kind: 'staff' | 'external';
  customer_id: number | null;
  origin_customer_id: number | null;
  staff_id: string | null;
  name: string | null;
  status: 'member' | 'left';
  joined_at: number | null;
  /** The join scene as WeCom reported it (event codes 0/3, group detail codes 1/2/3). */
  join_scene: number | null;
  quit_scene: number | null;
  left_at: number | null;
  updated_at: number;
}

/** Changes to the corp tag library WeCom told us about, for the tag sync to pick up. */
export interface WeComTagChangeTable {
  id: Generated<number>;
  tenant_id: string;
  wecom_id: string;
  tag_type: string;
  change_type: string;
  strategy_id: string | null;
  occurred_at: number;
  synced_at: number | null;
}

/** Signature + nonce pairs seen recently: a second request with the same pair is a replay. */
export interface WeComReplayGuardTable {
  tenant_id: string;
  msg_signature: string;
  nonce: string;
  seen_at: number;
}

/** A full sync from WeCom: contacts with their relationships, then customer groups. */
export interface WeComSyncTable {
  id: string;
  tenant_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  phase: 'directory' | 'contacts' | 'groups' | 'done';
  /** JSON: where the sync resumes (member list, member-set index, cursors). */
  state: string;
  members: number;
  members_done: number;
  relationships: number;
  customers_created: number;
  groups: number;
  units_created: Generated<number>;
  staff_created: Generated<number>;
  error: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** Which WeCom corp tag group (`kind` group) or tag (`kind` tag) a Pond tag group or tag stands for. */
export interface WeComTagMapTable {
  tenant_id: string;
  kind: 'group' | 'tag';
  wecom_id: string;
  pond_id: string;
  /** The name WeCom last gave it. */
  wecom_name: string;
  /** When it was found gone from WeCom. */
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A Pond tag group kept in step with WeCom; `origin` says which side it came from. */
export interface WeComSyncedTagGroupTable {
  tenant_id: string;
  group_id: string;
  origin: 'wecom' | 'pond';
  last_error: string | null;
  last_error_at: number | null;
  created_at: number;
}
