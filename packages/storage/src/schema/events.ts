import type { Generated } from 'kysely';

/** A source of events with its write key (shown to operators, like Segment's). */
export interface SourceTable {
  id: string;
  tenant_id: string;
  name: string;
  write_key: string;
  created_at: number;
  disabled_at: number | null;
}

/**
 * Every tracked event. `customer_id` follows merges; `origin_customer_id` keeps the profile
 * the event first landed on, so an un-merge can move it back.
 */
export interface EventTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  origin_customer_id: number;
  source_id: string | null;
  message_id: string;
  /** track | identify | page | screen | group | alias */
  type: string;
  /** The event name for track, the page or screen name otherwise ('' when none). */
  name: string;
  /** JSON. */
  properties: string;
  /** JSON. */
  context: string;
  timestamp: number;
  received_at: number;
}

/** messageIds seen recently; rows older than the dedupe window are pruned. */
export interface MessageIdTable {
  tenant_id: string;
  message_id: string;
  received_at: number;
}

export interface EventCatalogTable {
  tenant_id: string;
  type: string;
  name: string;
  /** JSON `{ key: ['string' | 'number' | 'boolean' | 'object' | 'array' | 'null', …] }`. */
  properties: string;
  volume: number;
  violations: number;
  first_seen_at: number;
  last_seen_at: number;
}

/** Events refused by ingestion, with the reason, for the debugger. */
export interface IngestRejectionTable {
  id: Generated<number>;
  tenant_id: string;
  source_id: string | null;
  message_id: string | null;
  reason: string;
  field: string | null;
  /** The first few KB of the offending event. */
  excerpt: string;
  received_at: number;
}

export interface ImportJobTable {
  id: string;
  tenant_id: string;
  file_name: string;
  format: 'csv' | 'xlsx';
  encoding: string | null;
  /** JSON of the mapping and options used. */
  options: string;
  dry_run: number;
  status: 'uploaded' | 'queued' | 'running' | 'done' | 'failed';
  total_rows: number;
  processed_rows: number;
  created_rows: number;
  updated_rows: number;
  failed_rows: number;
  error: string | null;
  created_by: string;
  created_at: number;
  finished_at: number | null;
}

export interface ImportErrorTable {
  id: Generated<number>;
  job_id: string;
  line: number;
  column: string | null;
  reason: string;
}
