import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

/**
 * Stratification: each customer's lifecycle stage and RFM scores, computed from the profile's
 * activity and order totals with a model the tenant can edit.
 */

export const LIFECYCLE_STAGES = ['new', 'active', 'loyal', 'at_risk', 'churned'] as const;
export const LifecycleStage = z.enum(LIFECYCLE_STAGES);
export type LifecycleStage = z.infer<typeof LifecycleStage>;

/**
 * The eight classic RFM segments, from whether recency, frequency and monetary are high
 * (score at or above the model's `highFrom`): value = R, F and M high; development = R and M
 * high; retention = F and M high; win-back = M high only; the `general_` ones are the same
 * with M low.
 */
export const RFM_SEGMENTS = [
  'important_value',
  'important_development',
  'important_retention',
  'important_winback',
  'general_value',
  'general_development',
  'general_retention',
  'general_winback',
] as const;
export const RfmSegment = z.enum(RFM_SEGMENTS);
export type RfmSegment = z.infer<typeof RfmSegment>;

const Days = z.number().int().min(1).max(3650);
const Money = z.number().min(0).max(1e12);

/**
 * The lifecycle model, checked in this order (the first that holds decides):
 * 1. churned — no activity for `churnedAfterDays`;
 * 2. at risk — no activity for `atRiskAfterDays`;
 * 3. loyal — at least `loyalMinOrders` orders (and `loyalMinSpend` spent, when set);
 * 4. new — first seen within `newWithinDays`;
 * 5. active — everyone else (seen within `atRiskAfterDays`).
 * "Activity" is the latest event or order (`activity`), or the latest order only (`purchase`);
 * a customer without any counts from when first seen.
 */
export const LifecycleModel = z.strictObject({
  inactivityBasis: z.enum(['activity', 'purchase']),
  newWithinDays: Days,
  loyalMinOrders: z.number().int().min(1).max(1_000_000),
  loyalMinSpend: Money.nullable(),
  atRiskAfterDays: Days,
  churnedAfterDays: Days,
});
export type LifecycleModel = z.infer<typeof LifecycleModel>;

/**
 * RFM bins: four boundaries per measure, giving scores 1–5. Recency: days since the last
 * order, at most `recencyDays[0]` → 5, at most `[1]` → 4 … more than `[3]` → 1. Frequency and
 * monetary: at least `[3]` → 5, at least `[2]` → 4 … below `[0]` → 1. Customers without an
 * order have no scores.
 */
export const RfmModel = z.strictObject({
  recencyDays: z.tuple([Days, Days, Days, Days]),
  frequencyOrders: z.tuple([
    z.number().int().min(1).max(1_000_000),
    z.number().int().min(1).max(1_000_000),
    z.number().int().min(1).max(1_000_000),
    z.number().int().min(1).max(1_000_000),
  ]),
  monetarySpend: z.tuple([Money, Money, Money, Money]),
  /** A score at or above this counts as "high" for the segments. */
  highFrom: z.number().int().min(2).max(5),
});
export type RfmModel = z.infer<typeof RfmModel>;

export const StratificationRun = z.object({
  id: Id,
  status: z.enum(['queued', 'running', 'done', 'superseded', 'failed']),
  /** Customers to go through, known once the run starts. */
  total: z.number().int(),
  processed: z.number().int(),
  /** Customers whose stage or scores changed. */
  changed: z.number().int(),
  modelVersion: z.number().int(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type StratificationRun = z.infer<typeof StratificationRun>;

export const StratificationModel = z.object({
  lifecycle: LifecycleModel,
  rfm: RfmModel,
  /** 0 while the tenant uses Pond's defaults; each change adds one. */
  version: z.number().int(),
  isDefault: z.boolean(),
  updatedAt: Timestamp.nullable(),
  /** The latest full recompute, if any. */
  run: StratificationRun.nullable(),
});
export type StratificationModel = z.infer<typeof StratificationModel>;

/** Replaces the parts given; a change recomputes every customer in the background. */
export const UpdateStratification = z.strictObject({
  lifecycle: LifecycleModel.optional(),
  rfm: RfmModel.optional(),
});
export type UpdateStratification = z.infer<typeof UpdateStratification>;

const Count = z.number().int();
const Score = z.number().int().min(1).max(5);

/** How the customers the caller may see spread over stages, scores and segments. */
export const StratificationDistribution = z.object({
  total: Count,
  lifecycle: z.array(z.object({ stage: LifecycleStage, count: Count })),
  /** Customers with no stage yet (not computed, or a value from before stages were computed). */
  unstaged: Count,
  recency: z.array(z.object({ score: Score, count: Count })),
  frequency: z.array(z.object({ score: Score, count: Count })),
  monetary: z.array(z.object({ score: Score, count: Count })),
  /** Recency × frequency, the cells holding anyone. */
  rf: z.array(z.object({ r: Score, f: Score, count: Count })),
  segments: z.array(z.object({ segment: RfmSegment, count: Count })),
  /** Customers without an order, who have no RFM scores. */
  unscored: Count,
});
export type StratificationDistribution = z.infer<typeof StratificationDistribution>;

/** One step of the lifecycle model for one customer: whether it held, and what it looked at. */
export const LifecycleCheck = z.object({
  stage: LifecycleStage,
  held: z.boolean(),
  /** inactive days, orders, or days since first seen; null for the last stage (the rest). */
  value: z.number().nullable(),
  threshold: z.number().nullable(),
});
export type LifecycleCheck = z.infer<typeof LifecycleCheck>;

export const CustomerStratification = z.object({
  customerId: Id,
  lifecycleStage: LifecycleStage.nullable(),
  lifecycleChangedAt: Timestamp.nullable(),
  /** The model's checks in order, as they stand now. */
  checks: z.array(LifecycleCheck),
  rfm: z.object({
    recency: Score.nullable(),
    frequency: Score.nullable(),
    monetary: Score.nullable(),
    segment: RfmSegment.nullable(),
    daysSinceLastOrder: z.number().int().nullable(),
    orderCount: Count,
    totalSpend: z.number(),
  }),
  /** When time alone may next change the stage or scores (a durable timer is set for it). */
  nextChangeAt: Timestamp.nullable(),
});
export type CustomerStratification = z.infer<typeof CustomerStratification>;

/** The values rule fields kept by stratification can take; rules comparing with others are refused. */
export const STRATUM_FIELD_VALUES: Readonly<Record<string, readonly (string | number)[]>> = {
  lifecycleStage: LIFECYCLE_STAGES,
  rfmSegment: RFM_SEGMENTS,
  rfmRecency: [1, 2, 3, 4, 5],
  rfmFrequency: [1, 2, 3, 4, 5],
  rfmMonetary: [1, 2, 3, 4, 5],
};
