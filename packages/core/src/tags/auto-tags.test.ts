import type { Rule } from '@pond/contracts';
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
import type { Result } from '../shared/result.ts';

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

  const city = (value: string): Rule => ({ kind: 'attribute', field: 'city', op: 'eq', value });
  const member = (audienceId: string): Rule => ({ kind: 'audience', audienceId, match: 'in' });
  const audience = async (name: string, rule: Rule) =>
    must(await services.savedAudiences.create(owner, { name, rule, kind: 'dynamic' })).id;
  const saveRule = (name: string, tagId: string, rule: Rule, removeWhenUnmatched = true) =>
    services.autoTags.create(owner, { name, rule, tagId, removeWhenUnmatched });

  it('follows the audiences it names, directly or through others, in the same relay pass', async () => {
    const inSuzhou = await audience('苏州', city('苏州'));
    const throughIt = await audience('苏州的', member(inSuzhou));
    const direct = await newTag('苏州人群');
    const deeper = await newTag('苏州人群（间接）');
    const kept = await newTag('来过苏州');
    must(await saveRule('直接', direct, member(inSuzhou)));
    must(await saveRule('间接', deeper, member(throughIt)));
    must(await saveRule('留下', kept, member(inSuzhou), false));
    const e = await newCustomer('E', '无锡');
    await settle();
    expect(await holders(direct)).toEqual([]);

    // One relay pass: the change reaches the audiences, then the rules naming them.
    must(await services.customers.update(owner, e, { city: '苏州' }));
    await services.platform.outbox.drain();
    expect(await holders(direct)).toEqual(['E:rule']);
    expect(await holders(deeper)).toEqual(['E:rule']);
    expect(await holders(kept)).toEqual(['E:rule']);

    // Leaving: the rules that remove their tag do; the other keeps it.
    must(await services.customers.update(owner, e, { city: '无锡' }));
    await services.platform.outbox.drain();
    expect(await holders(direct)).toEqual([]);
    expect(await holders(deeper)).toEqual([]);
    expect(await holders(kept)).toEqual(['E:rule']);

    // An audience's own rule changing (a full refresh) moves the rules too.
    must(await services.savedAudiences.update(owner, inSuzhou, { rule: city('无锡') }));
    await services.platform.outbox.drain();
    expect(await holders(direct)).toEqual(['E:rule']);
    expect(await holders(deeper)).toEqual(['E:rule']);
  });

  it('refuses a rule that would reach its own tag through audiences, and an audience closing such a loop', async () => {
    const vip = await newTag('循环');
    const tagged = await audience('有循环标签', { kind: 'tags', match: 'any', tagIds: [vip] });
    const above = await audience('有循环标签的', member(tagged));
    const refused = (r: Result<unknown>) =>
      r.ok ? 'accepted' : [r.error.code, r.error.field, r.error.message];
    const create = (r: Rule) => saveRule('打循环', vip, r);
    expect(refused(await create(member(tagged)))).toEqual([
      'invalid_request',
      'body.rule.audienceId',
      expect.stringMatching(
        /^an auto-tag rule cannot depend on the tag it sets: auto-tag rule "打循环" \(atr_\w+\) → audience "有循环标签" \(aud_\w+\) → tag "循环" \(\w+\) → auto-tag rule "打循环" \(atr_\w+\)$/,
      ),
    ]);
    const deeper = await create({ kind: 'all', rules: [city('苏州'), member(above)] });
    expect(refused(deeper)).toEqual([
      'invalid_request',
      'body.rule.rules.1.audienceId',
      expect.stringContaining(
        `audience "有循环标签的" (${above}) → audience "有循环标签" (${tagged}) → tag "循环"`,
      ),
    ]);
    expect(await services.autoTags.list(owner)).not.toContainEqual(
      expect.objectContaining({ name: '打循环' }),
    );

    // A rule that does not loop is saved; changing its rule to one that does is refused.
    const safe = must(await create(city('苏州')));
    const changed = await services.autoTags.update(owner, safe.id, { rule: member(above) });
    expect(refused(changed)).toEqual([
      'invalid_request',
      'body.rule.audienceId',
      expect.stringContaining(`auto-tag rule "打循环" (${safe.id}) → audience "有循环标签的" (${above})`),
    ]);

    // The audience side: a rule naming an audience, whose new rule would name the rule's tag.
    const plain = await audience('普通', city('苏州'));
    const other = await newTag('另一个');
    const naming = must(await saveRule('普通人群', other, member(plain)));
    const patched = await services.savedAudiences.update(owner, plain, {
      rule: { kind: 'any', rules: [city('苏州'), { kind: 'tags', match: 'none', tagIds: [other] }] },
    });
    expect(refused(patched)).toEqual([
      'invalid_request',
      'body.rule.rules.1.tagIds.0',
      expect.stringContaining(
        `audience "普通" (${plain}) → tag "另一个" (${other}) → auto-tag rule "普通人群" (${naming.id}) → audience "普通" (${plain})`,
      ),
    ]);
    expect(must(await services.savedAudiences.get(owner, plain)).rule).toEqual(city('苏州'));
    // Through another rule's tag: this audience names what "普通人群" sets, and a rule on it sets
    // the tag an audience "普通人群" names would need.
    const second = await newTag('第二个');
    const onOther = await audience('有另一个', { kind: 'tags', match: 'any', tagIds: [other] });
    must(await saveRule('第二条', second, member(onOther)));
    const viaRules = await services.savedAudiences.update(owner, plain, {
      rule: { kind: 'tags', match: 'any', tagIds: [second] },
    });
    expect(refused(viaRules)).toEqual([
      'invalid_request',
      'body.rule.tagIds.0',
      expect.stringContaining(
        `audience "普通" (${plain}) → tag "第二个" (${second}) → auto-tag rule "第二条"`,
      ),
    ]);
  });
});
