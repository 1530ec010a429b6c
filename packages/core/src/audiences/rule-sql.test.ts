import type { Rule } from '@pond/contracts';
import { makeTenant, must, openTestServices, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import type { Ctx } from '../shared/context.ts';

const DAY = 86_400_000;

describe.each(testDialects())('audience rules in SQL on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let owner: Ctx;
  let close: () => Promise<void>;
  const tag: Record<string, string> = {};

  beforeAll(async () => {
    ({ services, close } = await openTestServices(dialect, clock));
    const t = await makeTenant(services);
    owner = t.owner;
    for (const [key, type, options] of [
      ['shoe_size', 'number'],
      ['vip', 'boolean'],
      ['interests', 'list', ['跑步', '瑜伽']],
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
    const group = must(await services.tags.createGroup(owner, { name: '兴趣' }));
    for (const name of ['T1', 'T2'])
      tag[name] = must(await services.tags.create(owner, { groupId: group.id, name, color: 'blue' })).id;

    const customers = {
      A: {
        city: '上海',
        membershipLevel: '金卡',
        attributes: { shoe_size: 38, vip: true, interests: ['跑步'], anniversary: '2020-05-01' },
      },
      B: {
        city: '北京',
        membershipLevel: '银卡',
        attributes: { shoe_size: 42, vip: false, interests: ['瑜伽', '跑步'] },
      },
      C: { city: '上海' },
    };
    for (const [name, fields] of Object.entries(customers)) {
      must(
        await services.customers.create(owner, {
          name,
          ...fields,
          identities: [{ type: 'user_id', value: name }],
        }),
      );
    }
    const id = async (name: string) =>
      must(await services.customers.list(owner, { q: name, limit: 1, order: 'desc' })).data[0]?.id ?? '';
    must(await services.tags.tagCustomer(owner, await id('A'), [tag.T1 ?? '']));
    must(await services.tags.tagCustomer(owner, await id('B'), [tag.T1 ?? '', tag.T2 ?? '']));

    const source = must(await services.sources.create(owner, { name: 'mall' }));
    const at = (days: number) => new Date(clock.now() - days * DAY).toISOString();
    must(
      await services.ingest.ingest(
        { id: source.id, tenantId: t.tenantId },
        [
          { userId: 'A', event: 'Order Completed', properties: { value: 100 }, timestamp: at(1) },
          { userId: 'A', event: 'Order Completed', properties: { value: 200 }, timestamp: at(2) },
          { userId: 'A', event: 'Order Completed', properties: { value: 300 }, timestamp: at(3) },
          { userId: 'B', event: 'Order Completed', properties: { value: 50 }, timestamp: at(40) },
          { userId: 'C', event: 'Page Viewed', properties: { path: '/' }, timestamp: at(1) },
        ],
        'track',
      ),
    );
    const consent = async (name: string, status: 'granted' | 'withdrawn') =>
      must(
        await services.privacy.recordConsent(owner, await id(name), {
          purpose: 'marketing',
          channel: 'sms',
          status,
          source: 'console',
        }),
      );
    await consent('A', 'granted');
    await consent('B', 'granted');
    clock.advance(1000);
    await consent('B', 'withdrawn');
  });
  afterAll(() => close());

  const names = async (rule: Rule) =>
    must(await services.audiences.preview(owner, { rule }))
      .sample.map((c) => c.name)
      .sort();

  it.each<[string, Rule, string[]]>([
    ['text equals', { kind: 'attribute', field: 'city', op: 'eq', value: '上海' }, ['A', 'C']],
    [
      'not equal holds without a value',
      { kind: 'attribute', field: 'membershipLevel', op: 'neq', value: '金卡' },
      ['B', 'C'],
    ],
    ['no value', { kind: 'attribute', field: 'membershipLevel', op: 'not_exists' }, ['C']],
    [
      'in a list',
      { kind: 'attribute', field: 'membershipLevel', op: 'in', value: ['金卡', '银卡'] },
      ['A', 'B'],
    ],
    [
      'contains text',
      { kind: 'attribute', field: 'membershipLevel', op: 'contains', value: '卡' },
      ['A', 'B'],
    ],
    ['custom number', { kind: 'attribute', field: 'attributes.shoe_size', op: 'gt', value: 40 }, ['B']],
    [
      'custom between',
      { kind: 'attribute', field: 'attributes.shoe_size', op: 'between', value: [37, 39] },
      ['A'],
    ],
    ['custom yes', { kind: 'attribute', field: 'attributes.vip', op: 'eq', value: true }, ['A']],
    ['custom no', { kind: 'attribute', field: 'attributes.vip', op: 'eq', value: false }, ['B']],
    [
      'custom list',
      { kind: 'attribute', field: 'attributes.interests', op: 'contains', value: '瑜伽' },
      ['B'],
    ],
    [
      'custom date',
      { kind: 'attribute', field: 'attributes.anniversary', op: 'lt', value: '2021-01-01' },
      ['A'],
    ],
    ['custom exists', { kind: 'attribute', field: 'attributes.shoe_size', op: 'exists' }, ['A', 'B']],
    ['active lately', { kind: 'attribute', field: 'lastActiveAt', op: 'within_last', value: 5 }, ['A', 'C']],
    ['any tag', { kind: 'tags', match: 'any', tagIds: ['T1'] }, ['A', 'B']],
    ['all tags', { kind: 'tags', match: 'all', tagIds: ['T1', 'T2'] }, ['B']],
    ['no tag', { kind: 'tags', match: 'none', tagIds: ['T1'] }, ['C']],
    ['did an event', { kind: 'event', name: 'Order Completed' }, ['A', 'B']],
    ['did it lately', { kind: 'event', name: 'Order Completed', withinDays: 30 }, ['A']],
    ['at least 3 times', { kind: 'event', name: 'Order Completed', count: { op: 'at_least', n: 3 } }, ['A']],
    ['at most once', { kind: 'event', name: 'Order Completed', count: { op: 'at_most', n: 1 } }, ['B', 'C']],
    [
      'with a property filter',
      { kind: 'event', name: 'Order Completed', where: [{ property: 'value', op: 'gt', value: 150 }] },
      ['A'],
    ],
    ['not since', { kind: 'not_since', name: 'Order Completed', days: 30 }, ['B', 'C']],
    [
      'sum over a window',
      {
        kind: 'aggregate',
        name: 'Order Completed',
        fn: 'sum',
        property: 'value',
        withinDays: 90,
        op: 'gte',
        value: 500,
      },
      ['A'],
    ],
    [
      'average over a window',
      {
        kind: 'aggregate',
        name: 'Order Completed',
        fn: 'avg',
        property: 'value',
        withinDays: 90,
        op: 'lt',
        value: 100,
      },
      ['B'],
    ],
    [
      'count of none',
      { kind: 'aggregate', name: 'Order Completed', fn: 'count', withinDays: 90, op: 'eq', value: 0 },
      ['C'],
    ],
    ['consent granted', { kind: 'consent', purpose: 'marketing', channel: 'sms', status: 'granted' }, ['A']],
    [
      'consent withdrawn',
      { kind: 'consent', purpose: 'marketing', channel: 'sms', status: 'withdrawn' },
      ['B'],
    ],
    [
      'groups and negation',
      {
        kind: 'all',
        rules: [
          { kind: 'attribute', field: 'city', op: 'eq', value: '上海' },
          { kind: 'not', rule: { kind: 'tags', match: 'any', tagIds: ['T1'] } },
        ],
      },
      ['C'],
    ],
    [
      'either',
      {
        kind: 'any',
        rules: [
          { kind: 'attribute', field: 'attributes.vip', op: 'eq', value: false },
          { kind: 'event', name: 'Page Viewed' },
        ],
      },
      ['B', 'C'],
    ],
  ])('%s', async (_, rule, expected) => {
    // Tag names in the table stand for the tenant's tag ids.
    const withIds = JSON.parse(JSON.stringify(rule), (k, v) =>
      k === 'tagIds' ? (v as string[]).map((n) => tag[n] ?? n) : v,
    ) as Rule;
    expect(await names(withIds)).toEqual(expected);
  });

  it('explains, node by node, why a customer is in or out, with the values that decided it', async () => {
    const a =
      must(await services.customers.list(owner, { q: 'A', limit: 1, order: 'desc' })).data[0]?.id ?? '';
    const explained = must(
      await services.audiences.explain(owner, {
        customerId: a,
        rule: {
          kind: 'all',
          rules: [
            { kind: 'attribute', field: 'attributes.shoe_size', op: 'gt', value: 40 },
            { kind: 'event', name: 'Order Completed', withinDays: 30, count: { op: 'at_least', n: 2 } },
            {
              kind: 'aggregate',
              name: 'Order Completed',
              fn: 'sum',
              property: 'value',
              withinDays: 90,
              op: 'gt',
              value: 500,
            },
            { kind: 'tags', match: 'all', tagIds: [tag.T1 ?? '', tag.T2 ?? ''] },
            { kind: 'consent', purpose: 'marketing', channel: 'sms', status: 'granted' },
          ],
        },
      }),
    );
    expect(explained.held).toBe(false);
    expect(explained.children?.map((c) => [c.path, c.held, c.value])).toEqual([
      ['rule.rules.0', false, 38],
      ['rule.rules.1', true, 3],
      ['rule.rules.2', true, 600],
      ['rule.rules.3', false, [tag.T1]],
      ['rule.rules.4', true, 'granted'],
    ]);
    const stranger = await services.audiences.explain(owner, {
      customerId: 'cus_nobody',
      rule: { kind: 'attribute', field: 'city', op: 'exists' },
    });
    expect(stranger.ok ? 'found' : stranger.error.field).toBe('body.customerId');
  });

  it('refuses rules naming what the tenant does not have, at the node at fault', async () => {
    const refused: [Rule, string, string][] = [
      [{ kind: 'attribute', field: 'shoe', op: 'eq', value: 1 }, 'body.rule.field', 'no field'],
      [{ kind: 'attribute', field: 'city', op: 'gt', value: 'x' }, 'body.rule.op', 'takes'],
      [
        { kind: 'attribute', field: 'attributes.shoe_size', op: 'eq', value: '38' },
        'body.rule.value',
        'a number',
      ],
      [{ kind: 'attribute', field: 'lastActiveAt', op: 'within_last', value: 0 }, 'body.rule.value', 'days'],
      [{ kind: 'attribute', field: 'city', op: 'exists', value: 'x' }, 'body.rule.value', 'no value'],
      [
        { kind: 'all', rules: [{ kind: 'tags', match: 'any', tagIds: ['tag_nope'] }] },
        'body.rule.rules.0.tagIds.0',
        'tag',
      ],
      [{ kind: 'event', name: 'Never Sent' }, 'body.rule.name', 'no event'],
      [
        { kind: 'aggregate', name: 'Order Completed', fn: 'sum', withinDays: 7, op: 'gt', value: 1 },
        'body.rule.property',
        'property',
      ],
    ];
    for (const [rule, field, words] of refused) {
      const r = await services.audiences.preview(owner, { rule });
      expect(r.ok ? 'accepted' : [r.error.field, r.error.message.includes(words)]).toEqual([field, true]);
    }
    let deep: Rule = { kind: 'attribute', field: 'city', op: 'exists' };
    for (let i = 0; i < 7; i++) deep = { kind: 'not', rule: deep };
    const tooDeep = await services.audiences.preview(owner, { rule: deep });
    expect(tooDeep.ok ? 'accepted' : tooDeep.error.message).toContain('nest at most');
  });
});
