import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkModels,
  DAY,
  DEFAULT_LIFECYCLE,
  DEFAULT_RFM,
  type Models,
  type StratumInput,
  segmentOf,
  stratumOf,
} from './model.ts';

const NOW = Date.UTC(2026, 5, 1);
const models: Models = { lifecycle: DEFAULT_LIFECYCLE, rfm: DEFAULT_RFM };
const customer = (over: Partial<StratumInput> = {}): StratumInput => ({
  firstSeenAt: NOW - 400 * DAY,
  createdAt: NOW - 400 * DAY,
  lastActiveAt: null,
  lastOrderAt: null,
  orderCount: 0,
  totalSpend: 0,
  ...over,
});

describe('lifecycle stages', () => {
  it.each([
    ['new', { firstSeenAt: NOW - 3 * DAY }],
    ['active', { lastActiveAt: NOW - 10 * DAY }],
    ['loyal', { lastActiveAt: NOW - 10 * DAY, orderCount: 3, lastOrderAt: NOW - 20 * DAY }],
    ['at_risk', { lastActiveAt: NOW - 60 * DAY }],
    ['churned', { lastActiveAt: NOW - 180 * DAY, orderCount: 9, lastOrderAt: NOW - 200 * DAY }],
    // Never active since first seen 400 days ago: inactivity counts from then.
    ['churned', {}],
  ] as const)('%s for %j', (stage, over) => {
    expect(stratumOf(customer(over), models, NOW).stage).toBe(stage);
  });

  it('counts purchases only when the basis is purchase', () => {
    const c = customer({ lastActiveAt: NOW - DAY, lastOrderAt: NOW - 90 * DAY, orderCount: 1 });
    expect(stratumOf(c, models, NOW).stage).toBe('active');
    const byPurchase = {
      ...models,
      lifecycle: { ...DEFAULT_LIFECYCLE, inactivityBasis: 'purchase' as const },
    };
    expect(stratumOf(c, byPurchase, NOW).stage).toBe('at_risk');
  });

  it('needs the loyal spend as well when one is set', () => {
    const c = customer({ lastActiveAt: NOW - DAY, orderCount: 5, totalSpend: 300, lastOrderAt: NOW - DAY });
    const strict = { ...models, lifecycle: { ...DEFAULT_LIFECYCLE, loyalMinSpend: 500 } };
    expect(stratumOf(c, models, NOW).stage).toBe('loyal');
    expect(stratumOf(c, strict, NOW).stage).toBe('active');
  });

  it('explains each check with the value it looked at', () => {
    const s = stratumOf(customer({ lastActiveAt: NOW - 75 * DAY }), models, NOW);
    expect(s.checks.map((c) => [c.stage, c.held, c.value, c.threshold])).toEqual([
      ['churned', false, 75, 180],
      ['at_risk', true, 75, 60],
      ['loyal', false, 0, 3],
      ['new', false, 400, 30],
      ['active', true, null, null],
    ]);
  });
});

describe('RFM', () => {
  it('scores recency, frequency and monetary in the bins and names the segment', () => {
    const s = stratumOf(
      customer({ lastOrderAt: NOW - 45 * DAY, orderCount: 6, totalSpend: 5000, lastActiveAt: NOW - DAY }),
      models,
      NOW,
    );
    expect(s.rfm).toEqual({ recency: 4, frequency: 4, monetary: 5, segment: 'important_value' });
    const once = stratumOf(
      customer({ lastOrderAt: NOW - 400 * DAY, orderCount: 1, totalSpend: 50 }),
      models,
      NOW,
    );
    expect(once.rfm).toEqual({ recency: 1, frequency: 1, monetary: 1, segment: 'general_winback' });
  });

  it('leaves customers without an order unscored', () => {
    expect(stratumOf(customer(), models, NOW).rfm).toEqual({
      recency: null,
      frequency: null,
      monetary: null,
      segment: null,
    });
  });

  it('names the eight segments from high and low', () => {
    expect(segmentOf(5, 1, 5, 3)).toBe('important_development');
    expect(segmentOf(1, 5, 5, 3)).toBe('important_retention');
    expect(segmentOf(1, 1, 3, 3)).toBe('important_winback');
    expect(segmentOf(3, 3, 2, 3)).toBe('general_value');
    expect(segmentOf(4, 2, 1, 3)).toBe('general_development');
    expect(segmentOf(2, 4, 1, 3)).toBe('general_retention');
  });
});

describe('the next change', () => {
  const arbitraryCustomer = fc
    .record({
      firstSeen: fc.integer({ min: 0, max: 800 }),
      active: fc.option(fc.integer({ min: 0, max: 800 })),
      ordered: fc.option(fc.integer({ min: 0, max: 800 })),
      orders: fc.integer({ min: 0, max: 12 }),
      spend: fc.integer({ min: 0, max: 6000 }),
      ms: fc.integer({ min: 0, max: DAY - 1 }),
    })
    .map(
      (c): StratumInput => ({
        firstSeenAt: NOW - c.firstSeen * DAY - c.ms,
        createdAt: NOW - c.firstSeen * DAY - c.ms,
        lastActiveAt: c.active === null ? null : NOW - c.active * DAY,
        lastOrderAt: c.ordered === null || c.orders === 0 ? null : NOW - c.ordered * DAY,
        orderCount: c.ordered === null ? 0 : c.orders,
        totalSpend: c.spend,
      }),
    );

  it('is the first moment time alone changes the stage or a score, never later', () => {
    fc.assert(
      fc.property(arbitraryCustomer, fc.integer({ min: 1, max: 400 }), (c, hours) => {
        const now = stratumOf(c, models, NOW);
        const key = (t: number) => {
          const s = stratumOf(c, models, t);
          return JSON.stringify([s.stage, s.rfm]);
        };
        const later = NOW + hours * 3_600_000;
        // Nothing changes before the due moment…
        if (now.dueAt === null || later < now.dueAt) expect(key(later)).toBe(key(NOW));
        if (now.dueAt !== null) expect(key(now.dueAt - 1)).toBe(key(NOW));
      }),
    );
  });
});

describe('model checks', () => {
  it('names the field that breaks an ordering', () => {
    expect(checkModels({ ...DEFAULT_LIFECYCLE, churnedAfterDays: 60 })?.field).toBe(
      'body.lifecycle.churnedAfterDays',
    );
    expect(checkModels(undefined, { ...DEFAULT_RFM, recencyDays: [30, 20, 180, 365] })).toEqual({
      field: 'body.rfm.recencyDays.1',
      message: 'must be more than the bin before it (30)',
    });
    expect(checkModels(undefined, { ...DEFAULT_RFM, frequencyOrders: [1, 3, 5, 10] })?.field).toBe(
      'body.rfm.frequencyOrders.0',
    );
    expect(checkModels(undefined, { ...DEFAULT_RFM, monetarySpend: [200, 500, 500, 3000] })?.field).toBe(
      'body.rfm.monetarySpend.2',
    );
    expect(checkModels(DEFAULT_LIFECYCLE, DEFAULT_RFM)).toBeNull();
  });
});
