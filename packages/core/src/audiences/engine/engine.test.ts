import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rule } from '@pond/contracts';
import { makeTenant, must, openTestServices, settle, simulatedClock, testDialects } from '@pond/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionsOf } from '../../customers/attributes.ts';
import type { Services } from '../../services.ts';
import type { Ctx } from '../../shared/context.ts';
import type { RuleEnv } from '../rule-sql.ts';
import { type AudienceEngine, createAudienceEngine } from './engine.ts';
import { referenceBitmap } from './leaf-sql.ts';

const DAY = 86_400_000;
const CITIES = ['上海', '北京', '杭州'];
const LEVELS = ['普通会员', '银卡', '金卡'];
const TIERS = ['A', 'B', 'C'];
const INTERESTS = ['跑步', '瑜伽', '咖啡'];
const EVENTS = ['order_paid', 'page_view', 'coupon'];
const TAGS = 4;
const CHANNELS = ['app', 'wecom', 'mall'];
/** Org units by index: two regions under the head office, three stores (2 under region 0). */
const UNITS = 5;
const STAFF = 3;

/** Customers as the generator describes them; tags and events by index. */
const customerArb = fc.record({
  city: fc.option(fc.constantFrom(...CITIES), { nil: undefined }),
  membershipLevel: fc.option(fc.constantFrom(...LEVELS), { nil: undefined }),
  shoe: fc.option(fc.integer({ min: 35, max: 45 }), { nil: undefined }),
  vip: fc.option(fc.boolean(), { nil: undefined }),
  tier: fc.option(fc.constantFrom(...TIERS), { nil: undefined }),
  interests: fc.option(fc.subarray(INTERESTS), { nil: undefined }),
  anniversary: fc.option(fc.constantFrom('2020-01-01', '2021-06-15', '2023-03-03'), { nil: undefined }),
  tags: fc.subarray([0, 1, 2, 3]),
  events: fc.array(
    fc.record({
      name: fc.constantFrom(...EVENTS),
      daysAgo: fc.integer({ min: 0, max: 60 }),
      amount: fc.integer({ min: 0, max: 300 }),
    }),
    { maxLength: 6 },
  ),
  consent: fc.option(fc.constantFrom('granted' as const, 'withdrawn' as const), { nil: undefined }),
  owner: fc.option(fc.nat(STAFF - 1), { nil: undefined }),
  store: fc.option(fc.constantFrom(2, 3, 4), { nil: undefined }),
  channel: fc.option(fc.constantFrom(...CHANNELS), { nil: undefined }),
  /** WeCom customer groups by index: 'member', or 'left' (no longer a member). */
  groups: fc.array(fc.tuple(fc.nat(1), fc.constantFrom('member' as const, 'left' as const)), {
    maxLength: 2,
  }),
});

const indexes = (n: number) => fc.subarray([...Array(n).keys()].map(String), { minLength: 1 });

const days = fc.integer({ min: 1, max: 45 });
const leafArb: fc.Arbitrary<Rule> = fc.oneof(
  fc
    .record({
      kind: fc.constant('attribute' as const),
      field: fc.constantFrom('city', 'membershipLevel'),
      op: fc.constantFrom('eq' as const, 'neq' as const, 'exists' as const, 'not_exists' as const),
      value: fc.constantFrom(...CITIES, ...LEVELS),
    })
    .map((r) => (r.op === 'exists' || r.op === 'not_exists' ? { ...r, value: undefined } : r)),
  fc.record({
    kind: fc.constant('attribute' as const),
    field: fc.constantFrom('city', 'membershipLevel', 'attributes.tier'),
    op: fc.constantFrom('in' as const, 'not_in' as const),
    value: fc.subarray([...CITIES, ...LEVELS, ...TIERS], { minLength: 1 }),
  }),
  fc.record({
    kind: fc.constant('attribute' as const),
    field: fc.constant('city'),
    op: fc.constant('contains' as const),
    value: fc.constantFrom('上', '京', 'x'),
  }),
  fc.record({
    kind: fc.constant('attribute' as const),
    field: fc.constant('attributes.shoe'),
    op: fc.constantFrom('eq' as const, 'neq' as const, 'lt' as const, 'gte' as const),
    value: fc.integer({ min: 35, max: 45 }),
  }),
  fc.record({
    kind: fc.constant('attribute' as const),
    field: fc.constantFrom('attributes.shoe', 'totalSpend', 'orderCount'),
    op: fc.constant('between' as const),
    value: fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 38, max: 45 })),
  }),
  fc.record({
    kind: fc.constant('attribute' as const),
    field: fc.constant('attributes.vip'),
    op: fc.constant('eq' as const),
    value: fc.boolean(),
  }),
  fc
    .record({
      kind: fc.constant('attribute' as const),
      field: fc.constant('attributes.interests'),
      op: fc.constantFrom('contains' as const, 'exists' as const),
      value: fc.constantFrom(...INTERESTS),
    })
    .map((r) => (r.op === 'exists' ? { ...r, value: undefined } : r)),
  fc.record({
    kind: fc.constant('attribute' as const),
    field: fc.constant('attributes.anniversary'),
    op: fc.constantFrom('lt' as const, 'gte' as const, 'eq' as const),
    value: fc.constantFrom('2021-01-01', '2021-06-15'),
  }),
  fc.record({
    kind: fc.constant('attribute' as const),
    field: fc.constantFrom('lastActiveAt', 'createdAt'),
    op: fc.constantFrom('within_last' as const, 'before_last' as const),
    value: days,
  }),
  fc.record({
    kind: fc.constant('tags' as const),
    match: fc.constantFrom('any' as const, 'all' as const, 'none' as const),
    tagIds: fc.subarray(['0', '1', '2', '3'], { minLength: 1 }),
  }),
  fc.record({
    kind: fc.constant('event' as const),
    name: fc.constantFrom(...EVENTS),
    count: fc.option(
      fc.record({
        op: fc.constantFrom('at_least' as const, 'at_most' as const, 'exactly' as const),
        n: fc.nat(3),
      }),
      { nil: undefined },
    ),
    withinDays: fc.option(days, { nil: undefined }),
    where: fc.option(
      fc.array(
        fc.record({
          property: fc.constant('amount'),
          op: fc.constantFrom('gt' as const, 'lte' as const, 'eq' as const),
          value: fc.integer({ min: 0, max: 300 }),
        }),
        { maxLength: 1 },
      ),
      { nil: undefined },
    ),
  }),
  fc.record({ kind: fc.constant('not_since' as const), name: fc.constantFrom(...EVENTS), days }),
  fc.record({
    kind: fc.constant('aggregate' as const),
    name: fc.constant('order_paid'),
    fn: fc.constantFrom('sum' as const, 'avg' as const, 'min' as const, 'max' as const, 'count' as const),
    property: fc.constant('amount'),
    withinDays: days,
    op: fc.constantFrom('gt' as const, 'lte' as const, 'eq' as const),
    value: fc.integer({ min: 0, max: 400 }),
  }),
  fc.record({ kind: fc.constant('owner_staff' as const), staffIds: indexes(STAFF) }),
  fc.record({
    kind: fc.constant('store' as const),
    storeIds: fc.subarray(['2', '3', '4'], { minLength: 1 }),
  }),
  fc.record({
    kind: fc.constant('source_channel' as const),
    channels: fc.subarray([...CHANNELS, 'none'], { minLength: 1 }),
  }),
  fc.record({
    kind: fc.constant('org_unit' as const),
    unitIds: indexes(UNITS),
    via: fc.option(fc.constantFrom('owner' as const, 'store' as const, 'either' as const), {
      nil: undefined,
    }),
  }),
  fc.record({ kind: fc.constant('customer_group' as const), groupIds: indexes(2) }),
  fc.record({
    kind: fc.constant('audience' as const),
    audienceId: fc.constantFrom('0', '1'),
    match: fc.constantFrom('in' as const, 'not_in' as const),
  }),
  fc.record({
    kind: fc.constant('consent' as const),
    purpose: fc.constant('marketing'),
    channel: fc.constant('sms' as const),
    status: fc.constantFrom('granted' as const, 'withdrawn' as const),
  }),
);

const ruleArb: fc.Arbitrary<Rule> = fc.letrec<{ rule: Rule }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.record({
      kind: fc.constantFrom('all' as const, 'any' as const),
      rules: fc.array(tie('rule'), { minLength: 1, maxLength: 4 }),
    }),
    fc.record({ kind: fc.constant('not' as const), rule: tie('rule') }),
  ),
})).rule;

/** A change applied through the services after the engine has answered once. */
const changeArb = fc.oneof(
  fc.record({ kind: fc.constant('update' as const), who: fc.nat(), city: fc.constantFrom(...CITIES, null) }),
  fc.record({
    kind: fc.constant('shoe' as const),
    who: fc.nat(),
    shoe: fc.option(fc.integer({ min: 35, max: 45 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('tag' as const),
    who: fc.nat(),
    tag: fc.nat(TAGS - 1),
    expires: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('untag' as const), who: fc.nat(), tag: fc.nat(TAGS - 1) }),
  fc.record({ kind: fc.constant('event' as const), who: fc.nat(), name: fc.constantFrom(...EVENTS) }),
  fc.record({ kind: fc.constant('merge' as const), who: fc.nat(), into: fc.nat() }),
  fc.record({ kind: fc.constant('erase' as const), who: fc.nat() }),
  fc.record({ kind: fc.constant('consent' as const), who: fc.nat(), granted: fc.boolean() }),
  fc.record({
    kind: fc.constant('owner' as const),
    who: fc.nat(),
    staff: fc.option(fc.nat(STAFF - 1), { nil: null }),
    store: fc.option(fc.constantFrom(2, 3, 4), { nil: null }),
  }),
  // Staff member 2 moves to region 0; store 4 moves under region 0.
  fc.record({ kind: fc.constant('staffMove' as const), staff: fc.nat(STAFF - 1), unit: fc.nat(UNITS - 1) }),
  fc.constant({ kind: 'unitMove' as const }),
  // A customer joins or leaves a WeCom group, as the group sync records it (with its event).
  {
    arbitrary: fc.record({
      kind: fc.constant('group' as const),
      who: fc.nat(),
      group: fc.nat(1),
      joins: fc.boolean(),
    }),
    weight: 4,
  },
);

type GenCustomer = Partial<Gen> & Pick<Gen, 'tags' | 'events'>;
const groupId = (run: number, i: string | number) => `wrg-${run}-${i}`;
/** A customer's row in a WeCom group, as the group sync writes it. */
const groupMember = (
  tenantId: string,
  run: number,
  n: number,
  g: number,
  customerId: number,
  status: 'member' | 'left',
  at: number,
) => ({
  tenant_id: tenantId,
  group_id: groupId(run, g),
  member_id: `wm-${run}-${n}-${g}`,
  kind: 'external' as const,
  customer_id: customerId,
  origin_customer_id: customerId,
  staff_id: null,
  name: null,
  status,
  joined_at: at,
  join_scene: null,
  quit_scene: null,
  left_at: status === 'left' ? at : null,
  updated_at: at,
});
type Gen = typeof customerArb extends fc.Arbitrary<infer T> ? T : never;

describe.each(testDialects())('audience engine against the SQL reference on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let close: () => Promise<void>;
  let run = 0;

  const snapshotDir = mkdtempSync(join(tmpdir(), 'pond-engine-snapshots-'));

  beforeAll(async () => {
    ({ services, close } = await openTestServices(dialect, clock));
  });
  afterAll(async () => {
    await close();
    rmSync(snapshotDir, { recursive: true, force: true });
  });

  /** A tenant with the generated customers; returns what rules and changes need. */
  async function seed(customers: GenCustomer[]) {
    const t = await makeTenant(services, `Engine ${++run}`);
    const owner: Ctx = t.owner;
    for (const [key, type, options] of [
      ['shoe', 'number'],
      ['vip', 'boolean'],
      ['tier', 'enum', TIERS],
      ['interests', 'list', INTERESTS],
      ['anniversary', 'date'],
    ] as const) {
      must(
        await services.attributes.create(owner, {
          key,
          label: key,
          type,
          ...(options ? { options: [...options] } : {}),
        }),
      );
    }
    const group = must(await services.tags.createGroup(owner, { name: 'g' }));
    const tagIds: string[] = [];
    for (let i = 0; i < TAGS; i++)
      tagIds.push(
        must(await services.tags.create(owner, { groupId: group.id, name: `T${i}`, color: 'blue' })).id,
      );
    const source = must(await services.sources.create(owner, { name: 'app' }));
    const unit = async (parentId: string, name: string, kind: 'region' | 'store') =>
      must(await services.orgUnits.create(owner, { parentId, name, kind })).id;
    const r0 = await unit(t.rootUnitId, 'R0', 'region');
    const r1 = await unit(t.rootUnitId, 'R1', 'region');
    const unitIds = [
      r0,
      r1,
      await unit(r0, 'S0', 'store'),
      await unit(r0, 'S1', 'store'),
      await unit(r1, 'S2', 'store'),
    ];
    const staffIds: string[] = [];
    for (const [i, at] of [2, 4, 1].entries())
      staffIds.push(
        must(await services.staff.create(owner, { name: `st${i}`, orgUnitId: unitIds[at] ?? '' })).id,
      );
    const publicIds: string[] = [];
    const messages: unknown[] = [];
    const first: GenCustomer = { tags: [], events: EVENTS.map((name) => ({ name, daysAgo: 50, amount: 1 })) };
    for (const [i, gen] of [first, ...customers].entries()) {
      const attributes: Record<string, unknown> = {};
      if (gen.shoe !== undefined) attributes.shoe = gen.shoe;
      if (gen.vip !== undefined) attributes.vip = gen.vip;
      if (gen.tier !== undefined) attributes.tier = gen.tier;
      if (gen.interests !== undefined) attributes.interests = gen.interests;
      if (gen.anniversary !== undefined) attributes.anniversary = gen.anniversary;
      const created = must(
        await services.customers.create(owner, {
          name: `c${i}`,
          ...(gen.city ? { city: gen.city } : {}),
          ...(gen.membershipLevel ? { membershipLevel: gen.membershipLevel } : {}),
          ...(gen.owner !== undefined ? { ownerStaffId: staffIds[gen.owner] } : {}),
          ...(gen.store !== undefined ? { storeId: unitIds[gen.store] } : {}),
          ...(gen.channel !== undefined ? { sourceChannel: gen.channel } : {}),
          attributes,
          identities: [{ type: 'user_id', value: `u${run}-${i}` }],
        }),
      );
      publicIds.push(created.customer.id);
      // WeCom group memberships as the group sync writes them.
      const dense = (
        await services.platform.db
          .selectFrom('customers')
          .select('id')
          .where('public_id', '=', created.customer.id)
          .executeTakeFirstOrThrow()
      ).id;
      for (const [g, status] of gen.groups ?? []) {
        await services.platform.db
          .insertInto('wecom_group_members')
          .values(groupMember(t.tenantId, run, i, g, dense, status, clock.now()))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      const tags = (gen.tags ?? []).map((t) => tagIds[t] ?? '');
      if (tags.length > 0) must(await services.tags.tagCustomer(owner, created.customer.id, tags));
      if (gen.consent) {
        must(
          await services.privacy.recordConsent(owner, created.customer.id, {
            purpose: 'marketing',
            channel: 'sms',
            status: gen.consent,
            source: 'test',
          }),
        );
      }
      for (const e of gen.events) {
        messages.push({
          userId: `u${run}-${i}`,
          event: e.name,
          properties: { amount: e.amount },
          timestamp: new Date(clock.now() - e.daysAgo * DAY - 3_600_000).toISOString(),
        });
      }
    }
    if (messages.length > 0)
      must(await services.ingest.ingest({ id: source.id, tenantId: t.tenantId }, messages, 'track'));
    const audienceIds = [
      must(
        await services.savedAudiences.create(owner, {
          name: 'dynamic',
          kind: 'dynamic',
          rule: { kind: 'attribute', field: 'city', op: 'eq', value: '上海' },
        }),
      ).id,
      must(
        await services.savedAudiences.create(owner, {
          name: 'static',
          kind: 'static',
          rule: { kind: 'attribute', field: 'city', op: 'in', value: ['北京', '杭州'] },
        }),
      ).id,
    ];
    await settle(services);
    const ids = {
      tags: tagIds,
      staff: staffIds,
      units: unitIds,
      audiences: audienceIds,
      groups: [0, 1].map((g) => groupId(run, g)),
    };
    return { tenantId: t.tenantId, owner, tagIds, publicIds, source, ids };
  }

  type Ids = Record<'tags' | 'staff' | 'units' | 'audiences' | 'groups', string[]>;
  /** Generated rules name tags, staff, units and audiences by index: the tenant's ids. */
  const resolveIds = (r: Rule, ids: Ids): Rule => {
    const of = (list: string[], xs: string[]) => xs.map((i) => list[Number(i)] ?? '');
    switch (r.kind) {
      case 'all':
      case 'any':
        return { ...r, rules: r.rules.map((c) => resolveIds(c, ids)) };
      case 'not':
        return { ...r, rule: resolveIds(r.rule, ids) };
      case 'tags':
        return { ...r, tagIds: of(ids.tags, r.tagIds) };
      case 'owner_staff':
        return { ...r, staffIds: of(ids.staff, r.staffIds) };
      case 'store':
        return { ...r, storeIds: of(ids.units, r.storeIds) };
      case 'org_unit':
        return { ...r, unitIds: of(ids.units, r.unitIds) };
      case 'customer_group':
        return { ...r, groupIds: of(ids.groups, r.groupIds) };
      case 'audience':
        return { ...r, audienceId: ids.audiences[Number(r.audienceId)] ?? '' };
      default:
        return r;
    }
  };

  async function compare(engine: AudienceEngine, tenantId: string, rules: Rule[]) {
    const env: RuleEnv = {
      tenantId,
      now: clock.now(),
      dialect: services.platform.dialect,
      definitions: await definitionsOf(services.platform.db, tenantId),
    };
    for (const rule of rules) {
      const fromEngine = await engine.evaluate(services.platform.db, env, rule);
      const reference = await referenceBitmap(services.platform.db, env, rule);
      expect(fromEngine, 'the index is ready').not.toBeNull();
      expect({ rule, members: fromEngine?.toArray() }).toEqual({ rule, members: reference.toArray() });
    }
  }

  it('answers generated rules exactly as SQL does, before and after changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(customerArb, { minLength: 5, maxLength: 20 }),
        fc.array(ruleArb, { minLength: 30, maxLength: 30 }),
        fc.array(changeArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 20 }),
        async (customers, rules, changes, advanceDays) => {
          const s = await seed(customers);
          const resolved = rules.map((r) => resolveIds(r, s.ids));
          const engine = createAudienceEngine({ db: services.platform.db, clock, snapshotDir });
          await engine.build(s.tenantId);
          await compare(engine, s.tenantId, resolved);
          // The snapshot of the index as built: loaded again after the changes below.
          await engine.saveSnapshots();

          const pick = (n: number) => s.publicIds[n % s.publicIds.length] ?? '';
          for (const c of changes) {
            const who = pick('who' in c ? c.who : 0);
            if (c.kind === 'update') await services.customers.update(s.owner, who, { city: c.city });
            else if (c.kind === 'shoe')
              await services.customers.update(s.owner, who, { attributes: { shoe: c.shoe } });
            else if (c.kind === 'tag') {
              const tag = s.tagIds[c.tag] ?? '';
              await services.tags.tagCustomer(
                s.owner,
                who,
                [tag],
                c.expires ? clock.now() + 2 * DAY : undefined,
              );
            } else if (c.kind === 'untag')
              await services.tags.untagCustomer(s.owner, who, [s.tagIds[c.tag] ?? '']);
            else if (c.kind === 'event') {
              const at = new Date(clock.now() - 3_600_000).toISOString();
              await services.ingest.ingest(
                { id: s.source.id, tenantId: s.tenantId },
                [
                  {
                    userId: `u${run}-${c.who % s.publicIds.length}`,
                    event: c.name,
                    properties: { amount: 120 },
                    timestamp: at,
                  },
                ],
                'track',
              );
            } else if (c.kind === 'owner')
              await services.customers.update(s.owner, who, {
                ownerStaffId: c.staff === null ? null : (s.ids.staff[c.staff] ?? null),
                storeId: c.store === null ? null : (s.ids.units[c.store] ?? null),
              });
            else if (c.kind === 'staffMove')
              await services.staff.update(s.owner, s.ids.staff[c.staff] ?? '', {
                orgUnitId: s.ids.units[c.unit] ?? '',
              });
            else if (c.kind === 'unitMove')
              await services.orgUnits.update(s.owner, s.ids.units[4] ?? '', {
                parentId: s.ids.units[0] ?? '',
              });
            else if (c.kind === 'group') {
              const n = c.who % s.publicIds.length;
              const { db, outbox } = services.platform;
              const dense = (
                await db
                  .selectFrom('customers')
                  .select('id')
                  .where('public_id', '=', who)
                  .executeTakeFirstOrThrow()
              ).id;
              const status = c.joins ? ('member' as const) : ('left' as const);
              await db.transaction().execute(async (trx) => {
                await trx
                  .insertInto('wecom_group_members')
                  .values(groupMember(s.tenantId, run, n, c.group, dense, status, clock.now()))
                  .onConflict((oc) => oc.columns(['group_id', 'member_id']).doUpdateSet({ status }))
                  .execute();
                await outbox.append(trx, {
                  tenantId: s.tenantId,
                  type: 'wecom.group_updated',
                  aggregateType: 'wecom_group',
                  aggregateId: groupId(run, c.group),
                  payload: {},
                });
              });
            } else if (c.kind === 'merge') await services.customers.manualMerge(s.owner, pick(c.into), who);
            else if (c.kind === 'erase')
              await services.privacy.erase(s.owner, who, { confirm: who, reason: 'test' });
            else {
              await services.privacy.recordConsent(s.owner, who, {
                purpose: 'marketing',
                channel: 'sms',
                status: c.granted ? 'granted' : 'withdrawn',
                source: 'test',
              });
            }
          }
          // The relay runs: dynamic audiences follow the changes, announcing entries and exits.
          await settle(services);
          // Time passes: windows slide, relative times move, tags expire.
          clock.advance(advanceDays * DAY + 1234);
          await compare(engine, s.tenantId, resolved);
          // A restart: the snapshot from before the changes, caught up through the outbox.
          const restarted = createAudienceEngine({ db: services.platform.db, clock, snapshotDir });
          await restarted.build(s.tenantId);
          expect(restarted.stats(s.tenantId)?.origin).toBe('snapshot');
          await compare(restarted, s.tenantId, resolved);
        },
      ),
      { numRuns: dialect === 'postgres' ? 4 : 20, seed: 20261123 },
    );
  }, 120_000);
});
