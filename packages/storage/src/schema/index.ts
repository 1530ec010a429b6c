import type { ApiKeyTable, SessionTable, SignInThrottleTable, UserTable } from './access.ts';
import type {
  AttributeDefinitionTable,
  AudienceHistoryTable,
  AudienceMemberTable,
  AudienceSizeTable,
  AudienceTable,
  AutoTagRuleTable,
  ConsentTable,
  CustomerChangeTable,
  CustomerIdentityTable,
  CustomerNoteTable,
  CustomerTable,
  CustomerTagTable,
  MergeLogTable,
  TagGroupTable,
  TagTable,
} from './customers.ts';
import type {
  EventCatalogTable,
  EventTable,
  ImportErrorTable,
  ImportJobTable,
  IngestRejectionTable,
  MessageIdTable,
  SourceTable,
} from './events.ts';
import type { OrgUnitTable, StaffTable, TenantTable } from './org.ts';
import type { AuditLogTable, JobTable, OutboxCursorTable, OutboxTable } from './platform.ts';
import type { StratificationModelTable, StratificationRunTable } from './stratification.ts';
import type {
  WeComCallbackRejectionTable,
  WeComCallbackTable,
  WeComConfigTable,
  WeComGroupMemberTable,
  WeComGroupTable,
  WeComLossAlertTable,
  WeComRelationshipTable,
  WeComReplayGuardTable,
  WeComSyncedTagGroupTable,
  WeComSyncTable,
  WeComTagChangeTable,
  WeComTagMapTable,
} from './wecom.ts';
import type {
  WeComLiveCodeAddTable,
  WeComLiveCodeTable,
  WeComTransferItemTable,
  WeComTransferTable,
} from './wecom-live-codes.ts';

export type * from './access.ts';
export type * from './customers.ts';
export type * from './events.ts';
export type * from './org.ts';
export type * from './platform.ts';
export type * from './stratification.ts';
export type * from './wecom.ts';
export type * from './wecom-live-codes.ts';

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
  customers: CustomerTable;
  stratification_models: StratificationModelTable;
  stratification_runs: StratificationRunTable;
  attribute_definitions: AttributeDefinitionTable;
  customer_identities: CustomerIdentityTable;
  merge_log: MergeLogTable;
  customer_changes: CustomerChangeTable;
  customer_notes: CustomerNoteTable;
  consents: ConsentTable;
  tag_groups: TagGroupTable;
  tags: TagTable;
  customer_tags: CustomerTagTable;
  auto_tag_rules: AutoTagRuleTable;
  audiences: AudienceTable;
  audience_members: AudienceMemberTable;
  audience_history: AudienceHistoryTable;
  audience_sizes: AudienceSizeTable;
  sources: SourceTable;
  events: EventTable;
  message_ids: MessageIdTable;
  event_catalog: EventCatalogTable;
  ingest_rejections: IngestRejectionTable;
  import_jobs: ImportJobTable;
  import_errors: ImportErrorTable;
  wecom_configs: WeComConfigTable;
  wecom_callbacks: WeComCallbackTable;
  wecom_callback_rejections: WeComCallbackRejectionTable;
  wecom_replay_guard: WeComReplayGuardTable;
  wecom_relationships: WeComRelationshipTable;
  wecom_loss_alerts: WeComLossAlertTable;
  wecom_groups: WeComGroupTable;
  wecom_group_members: WeComGroupMemberTable;
  wecom_tag_changes: WeComTagChangeTable;
  wecom_tag_map: WeComTagMapTable;
  wecom_synced_tag_groups: WeComSyncedTagGroupTable;
  wecom_syncs: WeComSyncTable;
  wecom_live_codes: WeComLiveCodeTable;
  wecom_live_code_adds: WeComLiveCodeAddTable;
  wecom_transfers: WeComTransferTable;
  wecom_transfer_items: WeComTransferItemTable;
}
