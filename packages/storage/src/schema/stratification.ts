import type { Generated } from 'kysely';

/** A tenant's own stratification model; without a row the tenant uses Pond's defaults. */
export interface StratificationModelTable {
  tenant_id: string;
  /** JSON: the lifecycle model (contracts `LifecycleModel`). */
  lifecycle: string;
  /** JSON: the RFM bins (contracts `RfmModel`). */
  rfm: string;
  version: number;
  updated_at: number;
}

/** A full recompute of a tenant's customers after a model change, with its progress. */
export interface StratificationRunTable {
  /** Dense, so runs order by it even when several start in one millisecond. */
  id: Generated<number>;
  public_id: string;
  tenant_id: string;
  model_version: number;
  status: 'queued' | 'running' | 'done' | 'superseded' | 'failed';
  total: number;
  processed: number;
  changed: number;
  /** The last customer id done; the run resumes after it. */
  cursor: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}
