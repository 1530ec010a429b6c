import type { Generated } from 'kysely';

/** Domain events written in the same transaction as the change that caused them. */
export interface OutboxTable {
  id: Generated<number>;
  tenant_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  /** JSON text. */
  payload: string;
  created_at: number;
}

/** How far each outbox consumer has read: the last id it fully handled. */
export interface OutboxCursorTable {
  consumer: string;
  position: number;
  updated_at: number;
}

export interface JobTable {
  id: Generated<number>;
  queue: string;
  tenant_id: string | null;
  /** JSON text. */
  payload: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  max_attempts: number;
  run_at: number;
  /** While running: when the claim expires and another worker may take the job over. */
  locked_until: number | null;
  last_error: string | null;
  /** Enqueueing the same key twice keeps one job. */
  dedupe_key: string | null;
  created_at: number;
  updated_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  tenant_id: string;
  actor_type: 'user' | 'api_key' | 'system';
  actor_id: string;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string;
  /** JSON text: `{ field: [before, after] }`. */
  diff: string;
  request_id: string | null;
  ip: string | null;
  created_at: number;
}
