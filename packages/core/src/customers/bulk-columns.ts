import type { BulkColumns } from '@pond/storage';

/** The columns of a customer row, in the order bulk rows give them (the demo loader, benchmarks). */
export const CUSTOMER_COLUMNS: BulkColumns = [
  ['tenant_id', 'text'],
  ['public_id', 'text'],
  ['name', 'text'],
  ['gender', 'text'],
  ['birthday', 'text'],
  ['phone', 'text'],
  ['email', 'text'],
  ['region', 'text'],
  ['city', 'text'],
  ['membership_level', 'text'],
  ['lifecycle_stage', 'text'],
  ['source_channel', 'text'],
  ['owner_staff_id', 'text'],
  ['store_id', 'text'],
  ['attributes', 'text'],
  ['first_seen_at', 'bigint'],
  ['last_active_at', 'bigint'],
  ['order_count', 'integer'],
  ['total_spend', 'double'],
  ['last_order_at', 'bigint'],
  ['status', 'text'],
  ['merged_into', 'bigint'],
  ['created_at', 'bigint'],
  ['updated_at', 'bigint'],
];

/** The columns of an identity row, in the order bulk rows give them (ingestion, the demo loader). */
export const IDENTITY_COLUMNS: BulkColumns = [
  ['tenant_id', 'text'],
  ['customer_id', 'bigint'],
  ['type', 'text'],
  ['namespace', 'text'],
  ['value', 'text'],
  ['source', 'text'],
  ['created_at', 'bigint'],
];
