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

describe.each(testDialects())('auto-tag rules on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let owner: Ctx;
  let tenantId: string;
  let groupId: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ services, close } = await openTestServices(dialect, clock));
    const t = await makeTenant(services);
    owner = t.owner;
    tenantId = t.tenantId;
    groupId = must(await services.tags.createGroup(owner, { name: '自动' })).id;
  });
  afterAll(() => close());

  /** Lets queued full runs and outbox reactions happen, as the worker would. */
  const settle = () => settleAll(services);
  const newTag = async (name: string) =>
    must(await services.tags.create(owner, { groupId, name, color: 'blue' })).id;
  const newCustomer = async (name: string, city: string) =>
    must(
      await services.customers.create(owner, { name, city, identities: [{ type: 'user_id', value: name }] }),
    ).customer.id;
  const holders = async (tagId: string) => {
    const rows = await services.platform.db
      .selectFrom('customer_tags as ct')
      .innerJoin('customers as c', 'c.id', 'ct.customer_id')
      .select(['c.name', 'ct.source'])
      .where('ct.tenant_id', '=', tenantId)
      .where('ct.tag_id', '=', tagId)
      .execute();
    return rows.map((r) => `${r.name}:${r.source}`).sort();
  };

  it('keeps the tag on exactly the matching customers as their data changes', async () => {
    const tagId = await newTag('上海客户');
    const a = await newCustomer('A', '上海');
    const b = await newCustomer('B', '北京');
    const c = await newCustomer('C', '北京');
    must(await services.tags.tagCustomer(owner, c, [tagId]));
    const rule = must(
      await services.autoTags.create(owner, {
        name: '上海',
        rule: { kind: 'attribute', field: 'city', op: 'eq', value: '上海' },
        tagId,
        removeWhenUnmatched: true,
      }),
    );
    await settle();
    expect(await holders(tagId)).toEqual(['A:rule', 'C:manual']);

    must(await services.customers.update(owner, b, { city: '上海' }));
    must(await services.customers.update(owner, a, { city: '杭州' }));
    await settle();
    // A stopped matching and loses the tag; C's was put on by hand and stays.
    expect(await holders(tagId)).toEqual(['B:rule', 'C:manual']);
    const listed = (await services.autoTags.list(owner)).find((r) => r.id === rule.id);
    expect(listed).toMatchObject({ tagged: 1, enabled: true, lastRunAt: expect.any(Number) });

    must(await services.autoTags.update(owner, rule.id, { enabled: false }));
    must(await services.customers.update(owner, a, { city: '上海' }));
    await settle();
    expect(await holders(tagId)).toEqual(['B:rule', 'C:manual']);
  });

  it('follows behaviour: events arriving re-check the customer', async () => {
    const tagId = await newTag('复购');
    await newCustomer('D', '成都');
    const source = must(await services.sources.create(owner, { name: 'mall' }));
    const order = (userId: string) => ({
      userId,
      event: 'Order Completed',
      properties: { value: 99 },
      timestamp: new Date(clock.now()).toISOString(),
    });
    must(await services.ingest.ingest({ id: source.id, tenantId }, [order('D')], 'track'));
    must(
      await services.autoTags.create(owner, {
        name: '两次以上下单',
        rule: { kind: 'event', name: 'Order Completed', count: { op: 'at_least', n: 2 } },
        tagId,
        removeWhenUnmatched: true,
      }),
    );
    await settle();
    expect(await holders(tagId)).toEqual([]);
    clock.advance(1000);
    must(await services.ingest.ingest({ id: source.id, tenantId }, [order('D')], 'track'));
    await settle();
    expect(await holders(tagId)).toEqual(['D:rule']);
  });

  it('refuses a rule on the tag it sets, an archived tag and a rule that does not fit', async () => {
    const tagId = await newTag('自指');
    const self = await services.autoTags.create(owner, {
      name: 'x',
      rule: { kind: 'not', rule: { kind: 'tags', match: 'any', tagIds: [tagId] } },
      tagId,
      removeWhenUnmatched: true,
    });
    expect(self.ok ? 'accepted' : self.error.field).toBe('body.rule');
    const wrong = await services.autoTags.create(owner, {
      name: 'x',
      rule: { kind: 'attribute', field: 'shoe', op: 'exists' },
      tagId,
      removeWhenUnmatched: true,
    });
    expect(wrong.ok ? 'accepted' : wrong.error.field).toBe('body.rule.field');
    must(await services.tags.update(owner, tagId, { archived: true }));
    const archived = await services.autoTags.create(owner, {
      name: 'x',
      rule: { kind: 'attribute', field: 'city', op: 'exists' },
      tagId,
      removeWhenUnmatched: true,
    });
    expect(archived.ok ? 'accepted' : archived.error.field).toBe('body.tagId');
  });
});
