import type { Rule } from '@pond/contracts';
import { makeTenant, must, openTestStorage, settle, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services.ts';
import type { Ctx } from '../shared/context.ts';
import { DAY } from './model.ts';

describe.each(testDialects())('stratification on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let close: () => Promise<void>;

  beforeAll(async () => {
    // A private schema on PostgreSQL: the timers here run on this file's clock, and must neither
    // fire other files' timers nor have theirs fire these.
    const opened = await openTestStorage(dialect, { isolated: true });
    close = opened.close;
    services = createServices({ storage: opened.storage, clock });
  });
  afterAll(() => close());

  const tenant = async () => {
    const t = await makeTenant(services);
    return { ...t, source: must(await services.sources.create(t.owner, { name: 'app' })) };
  };
  const newCustomer = async (owner: Ctx, name: string) =>
    must(await services.customers.create(owner, { name, identities: [{ type: 'user_id', value: name }] }))
      .customer.id;
  const row = (publicId: string) =>
    services.platform.db
      .selectFrom('customers')
      .select(['id', 'lifecycle_stage', 'rfm_recency', 'rfm_frequency', 'rfm_monetary', 'rfm_segment'])
      .where('public_id', '=', publicId)
      .executeTakeFirstOrThrow();
  const stage = async (publicId: string) => (await row(publicId)).lifecycle_stage;
  /** Only the timers: what time alone does, without any outbox delivery. */
  const timers = () => services.platform.jobs.runDue();
  /** Orders as a commerce source would record them on the profile, then a profile change. */
  const ordered = async (owner: Ctx, publicId: string, orders: number, spend: number, at: number) => {
    await services.platform.db
      .updateTable('customers')
      .set({ order_count: orders, total_spend: spend, last_order_at: at })
      .where('public_id', '=', publicId)
      .execute();
    must(await services.customers.update(owner, publicId, { city: `城市${orders}` }));
  };

  it('moves a customer through the stages at the due moments, by durable timers', async () => {
    const t = await tenant();
    const a = await newCustomer(t.owner, 'A');
    await settle(services);
    expect(await stage(a)).toBe('new');
    const view = must(await services.stratification.ofCustomer(t.owner, a));
    expect(view.nextChangeAt).toBe(clock.now() + 30 * DAY);

    // One millisecond early nothing happens; at the moment itself the timer moves the stage.
    clock.advance(30 * DAY - 60_001);
    await timers();
    expect(await stage(a)).toBe('new');
    clock.advance(60_001);
    await timers();
    expect(await stage(a)).toBe('active');
    clock.advance(30 * DAY);
    await timers();
    expect(await stage(a)).toBe('at_risk');
    clock.advance(120 * DAY);
    await timers();
    expect(await stage(a)).toBe('churned');

    // Each change is on the timeline and on the outbox.
    const timeline = must(await services.timeline.list(t.owner, a, { limit: 50 }));
    const changes = timeline.data.flatMap((i) =>
      i.kind === 'change' && i.source === 'stratification' ? [i.changes.lifecycleStage] : [],
    );
    expect(changes).toEqual([
      ['at_risk', 'churned'],
      ['active', 'at_risk'],
      ['new', 'active'],
      [null, 'new'],
    ]);
    const events = await services.platform.db
      .selectFrom('outbox')
      .select('payload')
      .where('tenant_id', '=', t.tenantId)
      .where('type', '=', 'customer.lifecycle_changed')
      .orderBy('id')
      .execute();
    expect(events.map((e) => JSON.parse(e.payload).to)).toEqual(['new', 'active', 'at_risk', 'churned']);

    // Activity brings the customer back, through the outbox.
    must(
      await services.ingest.ingest(
        { id: t.source.id, tenantId: t.tenantId },
        [{ userId: 'A', event: 'Page Viewed', timestamp: new Date(clock.now()).toISOString() }],
        'track',
      ),
    );
    await settle(services);
    expect(await stage(a)).toBe('active');
  });

  it('finds due customers through their due time, leaving the others alone', async () => {
    const t = await tenant();
    const early = await newCustomer(t.owner, 'E');
    clock.advance(10 * DAY);
    const late = await newCustomer(t.owner, 'L');
    await settle(services);
    const before = await services.platform.db
      .selectFrom('customers')
      .select(['public_id', 'stratum_due_at'])
      .where('tenant_id', '=', t.tenantId)
      .execute();
    clock.advance(20 * DAY);
    await timers();
    expect([await stage(early), await stage(late)]).toEqual(['active', 'new']);
    const after = await services.platform.db
      .selectFrom('customers')
      .select(['public_id', 'stratum_due_at'])
      .where('tenant_id', '=', t.tenantId)
      .execute();
    const due = (rows: typeof before, id: string) => rows.find((r) => r.public_id === id)?.stratum_due_at;
    expect(due(after, late)).toBe(due(before, late));
    expect(due(after, early)).toBeGreaterThan(due(before, early) ?? 0);
    // One pending timer per tenant, at its earliest due moment, not one per customer.
    const queued = await services.platform.db
      .selectFrom('jobs')
      .select('run_at')
      .where('tenant_id', '=', t.tenantId)
      .where('queue', '=', 'stratification.due')
      .where('status', '=', 'queued')
      .orderBy('run_at')
      .execute();
    const dues = after.map((r) => r.stratum_due_at ?? Number.MAX_SAFE_INTEGER);
    expect(queued[0]?.run_at).toBe(Math.ceil(Math.min(...dues) / 60_000) * 60_000);
    expect(queued.length).toBeLessThanOrEqual(2);
    // The timer chain carries on: the late customer's moment comes, then the early one's.
    clock.advance(10 * DAY);
    await timers();
    expect([await stage(early), await stage(late)]).toEqual(['active', 'active']);
    clock.advance(20 * DAY);
    await timers();
    expect([await stage(early), await stage(late)]).toEqual(['at_risk', 'active']);
    clock.advance(10 * DAY);
    await timers();
    expect([await stage(early), await stage(late)]).toEqual(['at_risk', 'at_risk']);
  });

  it('scores RFM from order totals and lets recency age with time', async () => {
    const t = await tenant();
    const b = await newCustomer(t.owner, 'B');
    await ordered(t.owner, b, 6, 1200, clock.now() - 5 * DAY);
    await settle(services);
    expect(await row(b)).toMatchObject({
      lifecycle_stage: 'loyal',
      rfm_recency: 5,
      rfm_frequency: 4,
      rfm_monetary: 4,
      rfm_segment: 'important_value',
    });
    clock.advance(25 * DAY);
    await timers();
    expect((await row(b)).rfm_recency).toBe(4);
    const last = await services.platform.db
      .selectFrom('outbox')
      .select('payload')
      .where('tenant_id', '=', t.tenantId)
      .where('type', '=', 'customer.rfm_changed')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(last.payload)).toMatchObject({ from: { recency: 5 }, to: { recency: 4 } });

    // The scores are rule fields: an audience over them follows the timers too.
    const preview = must(
      await services.audiences.preview(t.owner, {
        rule: {
          kind: 'all',
          rules: [
            { kind: 'attribute', field: 'rfmRecency', op: 'eq', value: 4 },
            { kind: 'attribute', field: 'rfmSegment', op: 'eq', value: 'important_value' },
          ],
        },
      }),
    );
    expect(preview.count).toBe(1);
    // Values a stage, segment or score never takes are refused where they are.
    const refusals: [Rule, string][] = [
      [{ kind: 'attribute', field: 'lifecycleStage', op: 'eq', value: 'vip' }, 'body.rule.value'],
      [
        { kind: 'attribute', field: 'rfmSegment', op: 'in', value: ['important_value', 'x'] },
        'body.rule.value',
      ],
      [{ kind: 'attribute', field: 'rfmRecency', op: 'eq', value: 6 }, 'body.rule.value'],
    ];
    for (const [rule, field] of refusals) {
      const refused = await services.audiences.preview(t.owner, { rule });
      expect(refused.ok ? 'accepted' : [refused.error.code, refused.error.field]).toEqual([
        'invalid_request',
        field,
      ]);
    }
    const audience = must(
      await services.savedAudiences.create(t.owner, {
        name: '沉睡',
        kind: 'dynamic',
        rule: { kind: 'attribute', field: 'lifecycleStage', op: 'eq', value: 'at_risk' },
      }),
    );
    expect(audience.size).toBe(0);
    clock.advance(60 * DAY);
    await settle(services);
    expect(await stage(b)).toBe('at_risk');
    expect(must(await services.savedAudiences.get(t.owner, audience.id)).size).toBe(1);
  });

  it('recomputes everyone when the model changes, with progress, and a newer change supersedes', async () => {
    const t = await tenant();
    const ids = [];
    for (const name of ['R1', 'R2', 'R3']) ids.push(await newCustomer(t.owner, name));
    await settle(services);
    clock.advance(10 * DAY);
    expect(await Promise.all(ids.map(stage))).toEqual(['new', 'new', 'new']);

    const first = must(
      await services.stratification.update(t.owner, {
        lifecycle: {
          inactivityBasis: 'activity',
          newWithinDays: 7,
          loyalMinOrders: 3,
          loyalMinSpend: null,
          atRiskAfterDays: 30,
          churnedAfterDays: 90,
        },
      }),
    );
    expect(first).toMatchObject({ version: 1, isDefault: false, run: { status: 'queued' } });
    const second = must(
      await services.stratification.update(t.owner, {
        lifecycle: { ...first.lifecycle, atRiskAfterDays: 8, churnedAfterDays: 90 },
      }),
    );
    expect(second.version).toBe(2);
    await settle(services);
    const runs = await services.platform.db
      .selectFrom('stratification_runs')
      .select(['model_version', 'status', 'processed', 'total', 'changed'])
      .where('tenant_id', '=', t.tenantId)
      .orderBy('id')
      .execute();
    expect(runs).toEqual([
      { model_version: 1, status: 'superseded', processed: 0, total: 0, changed: 0 },
      { model_version: 2, status: 'done', processed: 3, total: 3, changed: 3 },
    ]);
    expect(await Promise.all(ids.map(stage))).toEqual(['at_risk', 'at_risk', 'at_risk']);
    const got = must(await services.stratification.ofCustomer(t.owner, ids[0] ?? ''));
    expect(got.checks.find((c) => c.stage === 'at_risk')).toEqual({
      stage: 'at_risk',
      held: true,
      value: 10,
      threshold: 8,
    });

    const dist = await services.stratification.distribution(t.owner);
    expect(dist.total).toBe(3);
    expect(dist.lifecycle.find((s) => s.stage === 'at_risk')?.count).toBe(3);
    expect(dist.unscored).toBe(3);

    // An unchanged model writes nothing and queues nothing.
    const same = must(await services.stratification.update(t.owner, { lifecycle: second.lifecycle }));
    expect(same.version).toBe(2);
  });

  it('catches up brands never stratified, once', async () => {
    const t = await tenant();
    const c = await newCustomer(t.owner, 'Old');
    // A stage from before stages were computed, and no outbox delivery since.
    await services.platform.db
      .updateTable('customers')
      .set({ lifecycle_stage: '沉睡' })
      .where('public_id', '=', c)
      .execute();
    expect(await services.stratification.catchUp()).toBeGreaterThan(0);
    await timers();
    expect(await stage(c)).toBe('new');
    const model = await services.stratification.get(t.owner);
    expect(model.run).toMatchObject({ status: 'done', processed: 1 });
    await services.stratification.catchUp();
    expect((await services.stratification.get(t.owner)).run?.id).toBe(model.run?.id);
  });

  it('marks a run failed once its job has no attempt left', async () => {
    const t = await tenant();
    await newCustomer(t.owner, 'F');
    const run = must(await services.stratification.recompute(t.owner));
    // A model the run cannot read makes every attempt fail.
    await services.platform.db
      .insertInto('stratification_models')
      .values({ tenant_id: t.tenantId, lifecycle: '{', rfm: '{', version: 0, updated_at: clock.now() })
      .execute();
    for (let attempt = 1; attempt <= 5; attempt++) {
      await timers();
      const now = await services.platform.db
        .selectFrom('stratification_runs')
        .select('status')
        .where('public_id', '=', run.id)
        .executeTakeFirstOrThrow();
      expect([attempt, now.status]).toEqual([attempt, attempt < 5 ? 'queued' : 'failed']);
      clock.advance(60_000);
    }
    await services.platform.db
      .deleteFrom('stratification_models')
      .where('tenant_id', '=', t.tenantId)
      .execute();
  });

  it('refuses models that break their own order, naming the field', async () => {
    const t = await tenant();
    const model = await services.stratification.get(t.owner);
    const bad = await services.stratification.update(t.owner, {
      rfm: { ...model.rfm, monetarySpend: [500, 200, 1000, 3000] },
    });
    expect(bad.ok ? null : [bad.error.code, bad.error.field]).toEqual([
      'invalid_request',
      'body.rfm.monetarySpend.1',
    ]);
    const empty = await services.stratification.update(t.owner, {});
    expect(empty.ok ? null : empty.error.field).toBe('body');
    expect((await services.stratification.get(t.owner)).version).toBe(0);
  });
});
