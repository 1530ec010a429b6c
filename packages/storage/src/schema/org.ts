export interface TenantTable {
  id: string;
  name: string;
  slug: string;
  /** JSON array of identity types, highest priority first; null for the default order. */
  identity_priority: string | null;
  created_at: number;
  updated_at: number;
}

export type OrgUnitKind = 'hq' | 'region' | 'store' | 'department';

export interface OrgUnitTable {
  id: string;
  tenant_id: string;
  parent_id: string | null;
  name: string;
  kind: OrgUnitKind;
  code: string | null;
  /** Materialized path of ids from the root, e.g. `/ou_root/ou_east/ou_store1/`. */
  path: string;
  depth: number;
  created_at: number;
  updated_at: number;
}

export interface StaffTable {
  id: string;
  tenant_id: string;
  name: string;
  mobile: string | null;
  email: string | null;
  wecom_userid: string | null;
  title: string | null;
  org_unit_id: string;
  status: 'active' | 'departed';
  departed_at: number | null;
  created_at: number;
  updated_at: number;
}
