import type { Generated } from 'kysely';

/**
 * One customer profile. `id` is a dense integer (the key of audience bitmaps and of every
 * table that points at a customer); `public_id` is the stable id the API shows.
 */
export interface CustomerTable {
  id: Generated<number>;
  tenant_id: string;
  public_id: string;
  name: string | null;
  gender: 'male' | 'female' | 'unknown';
  /** `YYYY-MM-DD`. */
  birthday: string | null;
  /** E.164; the primary phone (all phones are identities too). */
  phone: string | null;
  email: string | null;
  region: string | null;
  city: string | null;
  membership_level: string | null;
  lifecycle_stage: string | null;
  source_channel: string | null;
  owner_staff_id: string | null;
  store_id: string | null;
  /** JSON object of custom attributes, validated against attribute definitions. */
  attributes: string;
  first_seen_at: number | null;
  last_active_at: number | null;
  order_count: number;
  total_spend: number;
  last_order_at: number | null;
  /** RFM scores 1–5 and segment, computed by stratification; null without an order. */
  rfm_recency: number | null;
  rfm_frequency: number | null;
  rfm_monetary: number | null;
  rfm_segment: string | null;
  lifecycle_changed_at: number | null;
  /** When time alone next changes the stage or scores; the stratification timers look here. */
  stratum_due_at: number | null;
  /** `merged`: folded into `merged_into`; `erased`: personal data removed on request. */
  status: 'active' | 'merged' | 'erased';
  merged_into: number | null;
  created_at: number;
  updated_at: number;
}

/** Typed custom attributes a tenant defines for its customers. */
export interface AttributeDefinitionTable {
  tenant_id: string;
  key: string;
  label: string;
  type: 'string' | 'number' | 'boolean' | 'date' | 'enum' | 'list';
  /** JSON array of allowed values for `enum` and `list`. */
  options: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * An identifier that points at a customer: phone, email, WeCom external_userid, WeChat
 * unionid, openid (per app: `namespace` is the appid), member id, marketplace buyer id
 * (`namespace` is the marketplace), anonymous id, SDK user id.
 */
export interface CustomerIdentityTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  type: string;
  /** '' when the type has no namespace. */
  namespace: string;
  value: string;
  source: string;
  created_at: number;
}

/** A merge of `merged_id` into `survivor_id`, kept so it can be undone. */
export interface MergeLogTable {
  id: Generated<number>;
  tenant_id: string;
  survivor_id: number;
  merged_id: number;
  reason: string;
  /** JSON: the merged profile as it was, and the survivor's fields before the merge. */
  snapshot: string;
  status: 'merged' | 'unmerged';
  created_at: number;
  unmerged_at: number | null;
}

/** Field changes on a profile, for the timeline. */
export interface CustomerChangeTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  origin_customer_id: number;
  /** JSON `{ field: [before, after] }`. */
  changes: string;
  source: string;
  actor: string | null;
  created_at: number;
}

export interface CustomerNoteTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  origin_customer_id: number;
  body: string;
  author_id: string;
  author_name: string;
  created_at: number;
}

/** Consent per purpose and channel; the latest row for a pair is the customer's answer. */
export interface ConsentTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  purpose: string;
  channel: string;
  status: 'granted' | 'withdrawn';
  source: string;
  created_at: number;
}

export interface TagGroupTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface TagTable {
  id: string;
  tenant_id: string;
  group_id: string;
  name: string;
  color: string;
  /** Archived tags stay on customers but are offered no more; null while in use. */
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Where a customer's tag came from. */
export type TagSource = 'manual' | 'rule' | 'event' | 'import' | 'journey' | 'sync';

export interface CustomerTagTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  origin_customer_id: number;
  tag_id: string;
  source: TagSource;
  /** The user, rule, journey… that applied it. */
  source_ref: string | null;
  source_name: string | null;
  expires_at: number | null;
  created_at: number;
}

export interface AutoTagRuleTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The audience rule, as JSON. */
  rule: string;
  tag_id: string;
  /** 1: the tag comes off customers who stop matching (only where this rule put it). */
  remove_when_unmatched: number;
  enabled: number;
  last_run_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface AudienceTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The audience rule, as JSON. */
  rule: string;
  kind: 'dynamic' | 'static';
  size: number;
  refreshed_at: number | null;
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An audience's size at the end of a UTC day (the last refresh of that day). */
export interface AudienceSizeTable {
  tenant_id: string;
  audience_id: string;
  /** The day's start, epoch milliseconds. */
  day: number;
  size: number;
}

export interface AudienceMemberTable {
  audience_id: string;
  customer_id: number;
  tenant_id: string;
  entered_at: number;
}

export interface AudienceHistoryTable {
  id: Generated<number>;
  tenant_id: string;
  audience_id: string;
  customer_id: number;
  change: 'entered' | 'exited';
  at: number;
}
