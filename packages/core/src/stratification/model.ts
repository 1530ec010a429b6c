import type { LifecycleCheck, LifecycleModel, LifecycleStage, RfmModel, RfmSegment } from '@pond/contracts';

export const DAY = 86_400_000;

export const DEFAULT_LIFECYCLE: LifecycleModel = {
  inactivityBasis: 'activity',
  newWithinDays: 30,
  loyalMinOrders: 3,
  loyalMinSpend: null,
  atRiskAfterDays: 60,
  churnedAfterDays: 180,
};

export const DEFAULT_RFM: RfmModel = {
  recencyDays: [30, 90, 180, 365],
  frequencyOrders: [2, 3, 5, 10],
  monetarySpend: [200, 500, 1000, 3000],
  highFrom: 3,
};

export interface Models {
  readonly lifecycle: LifecycleModel;
  readonly rfm: RfmModel;
}

/** What stratification reads from a customer profile. */
export interface StratumInput {
  readonly firstSeenAt: number | null;
  readonly createdAt: number;
  readonly lastActiveAt: number | null;
  readonly lastOrderAt: number | null;
  readonly orderCount: number;
  readonly totalSpend: number;
}

export interface Rfm {
  readonly recency: number | null;
  readonly frequency: number | null;
  readonly monetary: number | null;
  readonly segment: RfmSegment | null;
}

export interface Stratum {
  readonly stage: LifecycleStage;
  readonly checks: LifecycleCheck[];
  readonly rfm: Rfm;
  /** The next moment at which time alone changes the stage or a score; null if none will. */
  readonly dueAt: number | null;
}

/** A rule that breaks an ordering the model depends on, with the field at fault. */
export interface ModelProblem {
  readonly field: string;
  readonly message: string;
}

const increasing = (values: readonly number[], field: string): ModelProblem | null => {
  for (let i = 1; i < values.length; i++) {
    const [before, here] = [values[i - 1] ?? 0, values[i] ?? 0];
    if (here <= before)
      return { field: `${field}.${i}`, message: `must be more than the bin before it (${before})` };
  }
  return null;
};

/** Checks what the schema cannot see field by field; fields are named as in the request body. */
export function checkModels(lifecycle?: LifecycleModel, rfm?: RfmModel): ModelProblem | null {
  if (lifecycle && lifecycle.churnedAfterDays <= lifecycle.atRiskAfterDays) {
    return {
      field: 'body.lifecycle.churnedAfterDays',
      message: `must be more than atRiskAfterDays (${lifecycle.atRiskAfterDays}): churned comes after at risk`,
    };
  }
  if (!rfm) return null;
  if (rfm.frequencyOrders[0] < 2) {
    return {
      field: 'body.rfm.frequencyOrders.0',
      message: 'must be at least 2: every customer with an order has made one, so score 1 would be empty',
    };
  }
  if (rfm.monetarySpend[0] <= 0) {
    return { field: 'body.rfm.monetarySpend.0', message: 'must be more than 0' };
  }
  return (
    increasing(rfm.recencyDays, 'body.rfm.recencyDays') ??
    increasing(rfm.frequencyOrders, 'body.rfm.frequencyOrders') ??
    increasing(rfm.monetarySpend, 'body.rfm.monetarySpend')
  );
}

const latest = (...times: (number | null)[]) => Math.max(...times.filter((t): t is number => t !== null));

/**
 * The moment inactivity is counted from: the latest event or order (or the latest order only),
 * and the first time the customer was seen if there is none.
 */
export function inactiveSince(input: StratumInput, model: LifecycleModel): number {
  const firstSeen = input.firstSeenAt ?? input.createdAt;
  return model.inactivityBasis === 'purchase'
    ? (input.lastOrderAt ?? firstSeen)
    : latest(input.lastActiveAt, input.lastOrderAt, firstSeen);
}

/** The lifecycle stage: the model's checks in order, the first that holds decides. */
export function lifecycleOf(input: StratumInput, model: LifecycleModel, now: number) {
  const firstSeen = input.firstSeenAt ?? input.createdAt;
  const since = inactiveSince(input, model);
  const inactiveDays = Math.max(0, Math.floor((now - since) / DAY));
  const loyal =
    input.orderCount >= model.loyalMinOrders &&
    (model.loyalMinSpend === null || input.totalSpend >= model.loyalMinSpend);
  const checks: LifecycleCheck[] = [
    {
      stage: 'churned',
      held: now - since >= model.churnedAfterDays * DAY,
      value: inactiveDays,
      threshold: model.churnedAfterDays,
    },
    {
      stage: 'at_risk',
      held: now - since >= model.atRiskAfterDays * DAY,
      value: inactiveDays,
      threshold: model.atRiskAfterDays,
    },
    { stage: 'loyal', held: loyal, value: input.orderCount, threshold: model.loyalMinOrders },
    {
      stage: 'new',
      held: now - firstSeen < model.newWithinDays * DAY,
      value: Math.max(0, Math.floor((now - firstSeen) / DAY)),
      threshold: model.newWithinDays,
    },
    { stage: 'active', held: true, value: null, threshold: null },
  ];
  const stage = checks.find((c) => c.held)?.stage ?? 'active';
  const boundaries = [
    since + model.atRiskAfterDays * DAY,
    since + model.churnedAfterDays * DAY,
    firstSeen + model.newWithinDays * DAY,
  ];
  return { stage, checks, boundaries };
}

const scoreAtLeast = (value: number, bins: readonly number[]) => 1 + bins.filter((b) => value >= b).length;

export function segmentOf(r: number, f: number, m: number, highFrom: number): RfmSegment {
  const [rh, fh] = [r >= highFrom, f >= highFrom];
  const kind = rh && fh ? 'value' : rh ? 'development' : fh ? 'retention' : 'winback';
  return `${m >= highFrom ? 'important' : 'general'}_${kind}`;
}

/**
 * RFM scores. Recency: an order less than `recencyDays[0]` days ago scores 5, less than `[1]`
 * 4, … and `[3]` days or more scores 1. Customers without an order have no scores.
 */
export function rfmOf(input: StratumInput, model: RfmModel, now: number) {
  if (input.orderCount <= 0) {
    return { rfm: { recency: null, frequency: null, monetary: null, segment: null }, boundaries: [] };
  }
  const last = input.lastOrderAt;
  const ages = model.recencyDays.map((d) => d * DAY);
  const recency = last === null ? 1 : 5 - ages.filter((age) => now - last >= age).length;
  const frequency = scoreAtLeast(input.orderCount, model.frequencyOrders);
  const monetary = scoreAtLeast(input.totalSpend, model.monetarySpend);
  return {
    rfm: { recency, frequency, monetary, segment: segmentOf(recency, frequency, monetary, model.highFrom) },
    boundaries: last === null ? [] : ages.map((age) => last + age),
  };
}

/** A customer's stage, scores and the next moment time alone will change them. */
export function stratumOf(input: StratumInput, models: Models, now: number): Stratum {
  const life = lifecycleOf(input, models.lifecycle, now);
  const { rfm, boundaries } = rfmOf(input, models.rfm, now);
  const future = [...life.boundaries, ...boundaries].filter((t) => t > now);
  return {
    stage: life.stage,
    checks: life.checks,
    rfm,
    dueAt: future.length ? Math.min(...future) : null,
  };
}
