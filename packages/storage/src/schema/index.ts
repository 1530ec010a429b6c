import type { ApiKeyTable, SessionTable, SignInThrottleTable, UserTable } from './access.ts';
import type { OrgUnitTable, StaffTable, TenantTable } from './org.ts';
import type { AuditLogTable, JobTable, OutboxCursorTable, OutboxTable } from './platform.ts';

export type * from './access.ts';
export type * from './org.ts';
export type * from './platform.ts';

/** Every table Pond stores, as Kysely sees it. */
export interface Database {
  tenants: TenantTable;
  org_units: OrgUnitTable;
  staff: StaffTable;
  users: UserTable;
  sessions: SessionTable;
  sign_in_throttle: SignInThrottleTable;
  api_keys: ApiKeyTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  outbox_cursors: OutboxCursorTable;
  jobs: JobTable;
}
