import {
  makeTenant,
  must,
  openTestServices,
  settle as settleAll,
  simulatedClock,
  testDialects,
} from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import type { Ctx } from '../shared/context.ts';

describe.each(testDialects())('saved audiences on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let owner: Ctx;
  let tenantId: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ services, close } = await openTestServices(dialect, clock));
    const t = await makeTenant(services);
    owner = t.owner;
    tenantId = t.tenantId;
  });
  afterAll(() => close());

  const settle = () => settleAll(services);
  const members = async (audienceId: string) =>
    must(await services.customers.list(owner, { audienceId, limit: 50, order: 'asc' }))
      .data.map((c) => c.name)
      .sort();
  const changes = async (audienceId: string) =>
    (
      await services.platform.db
        .selectFrom('outbox')
        .select(['type', 'payload'])
        .where('tenant_id', '=', tenantId)
        .where('type', 'in', ['audience.entered', 'audience.exited'])
        .orderBy('id')
        .execute()
    )
      .map((r) => ({
        type: r.type,
        ...(JSON.parse(r.payload) as { audienceId: string; customerId: number }),
      }))
      .filter((r) => r.audienceId === audienceId)
      .map((r) => r.type);

  it('keeps a dynamic audience current, announcing entries and exits; a static one stays', async () => {
    const create = async (name: string, city: string) =>
      must(
        await services.customers.create(owner, {
          name,
          city,
          identities: [{ type: 'user_id', value: name }],
        }),
      ).customer.id;
    const a = await create('A', '上海');
    const b = await create('B', '北京');
    const c = await create('C', '上海');
    const rule = { kind: 'attribute', field: 'city', op: 'eq', value: '上海' } as const;
    const dynamic = must(
      await services.savedAudiences.create(owner, { name: '上海', rule, kind: 'dynamic' }),
    );
    const snapshot = must(
      await services.savedAudiences.create(owner, { name: '上海快照', rule, kind: 'static' }),
    );
    expect([dynamic.size, snapshot.size]).toEqual([2, 2]);
    expect(await members(dynamic.id)).toEqual(['A', 'C']);

    must(await services.customers.update(owner, b, { city: '上海' }));
    must(await services.customers.update(owner, a, { city: '杭州' }));
    await settle();
    expect(await members(dynamic.id)).toEqual(['B', 'C']);
    expect(await members(snapshot.id)).toEqual(['A', 'C']);
    expect(must(await services.savedAudiences.get(owner, dynamic.id)).size).toBe(2);
    expect(await changes(dynamic.id)).toEqual([
      'audience.entered',
      'audience.entered',
      'audience.entered',
      'audience.exited',
    ]);

    const history = must(await services.savedAudiences.ofCustomer(owner, a));
    expect(history.current.map((x) => x.name)).toEqual(['上海快照']);
    expect(history.history.filter((h) => h.name === '上海').map((h) => h.change)).toEqual([
      'exited',
      'entered',
    ]);

    // A merged-away profile leaves; the survivor is re-checked.
    must(await services.customers.manualMerge(owner, b, c));
    await settle();
    expect(await members(dynamic.id)).toEqual(['B']);
  });

  it('measures the overlap of audiences', async () => {
    const create = async (name: string, city: string, level: string) =>
      must(
        await services.customers.create(owner, {
          name,
          city,
          membershipLevel: level,
          identities: [{ type: 'user_id', value: name }],
        }),
      );
    await create('O1', '苏州', '金卡');
    await create('O2', '苏州', '银卡');
    await create('O3', '无锡', '金卡');
    const save = async (name: string, field: 'city' | 'membershipLevel', value: string) =>
      must(
        await services.savedAudiences.create(owner, {
          name,
          rule: { kind: 'attribute', field, op: 'eq', value },
          kind: 'static',
        }),
      ).id;
    const suzhou = await save('苏州', 'city', '苏州');
    const gold = await save('金卡', 'membershipLevel', '金卡');
    const wuxi = await save('无锡', 'city', '无锡');
    const overlap = must(await services.savedAudiences.overlap(owner, [suzhou, gold, wuxi]));
    expect(overlap.audiences.map((a) => [a.name, a.size])).toEqual([
      ['苏州', 2],
      ['金卡', 2],
      ['无锡', 1],
    ]);
    expect(overlap.pairs.map((p) => p.both)).toEqual([1, 0, 1]);
    expect(overlap.all).toBe(0);
    const unknown = await services.savedAudiences.overlap(owner, [suzhou, 'aud_nope']);
    expect(unknown.ok ? 'found' : unknown.error.field).toBe('body.audienceIds.1');
  });

  it('refuses a rule that does not fit the tenant', async () => {
    const r = await services.savedAudiences.create(owner, {
      name: 'x',
      rule: { kind: 'attribute', field: 'attributes.nope', op: 'exists' },
      kind: 'dynamic',
    });
    expect(r.ok ? 'accepted' : r.error.field).toBe('body.rule.field');
  });
});
