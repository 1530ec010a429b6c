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

const DAY = 86_400_000;

describe.each(testDialects())('audiences naming audiences on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let owner: Ctx;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ services, close } = await openTestServices(dialect, clock));
    owner = (await makeTenant(services)).owner;
  });
  afterAll(() => close());

  const settle = async () => {
    await settleAll(services);
    await settleAll(services);
  };
  const customer = async (name: string, city: string, membershipLevel?: string) =>
    must(
      await services.customers.create(owner, {
        name,
        city,
        ...(membershipLevel ? { membershipLevel } : {}),
        identities: [{ type: 'user_id', value: `${name}-${city}` }],
      }),
    ).customer.id;
  const save = async (name: string, rule: Rule, kind: 'dynamic' | 'static' = 'dynamic') =>
    must(await services.savedAudiences.create(owner, { name, rule, kind })).id;
  const member = (audienceId: string, match: 'in' | 'not_in' = 'in'): Rule => ({
    kind: 'audience',
    audienceId,
    match,
  });
  const members = async (audienceId: string) =>
    must(await services.customers.list(owner, { audienceId, limit: 50, order: 'asc' }))
      .data.map((c) => c.name ?? '')
      .sort();
  const city = (value: string): Rule => ({ kind: 'attribute', field: 'city', op: 'eq', value });

  it('refuses cycles, direct or deeper, naming the node and the whole path', async () => {
    const a = await save('A', city('成都'));
    const b = await save('B', member(a));
    const c = await save('C', { kind: 'all', rules: [member(b), city('成都')] });
    const refused = async (id: string, rule: Rule) => {
      const r = await services.savedAudiences.update(owner, id, { rule });
      return r.ok ? 'accepted' : [r.error.code, r.error.field, r.error.message];
    };
    expect(await refused(a, member(a))).toEqual([
      'invalid_request',
      'body.rule.audienceId',
      `an audience cannot depend on itself: "A" (${a}) → "A" (${a})`,
    ]);
    expect(
      await refused(a, {
        kind: 'any',
        rules: [city('成都'), { kind: 'not', rule: member(c, 'not_in') }],
      }),
    ).toEqual([
      'invalid_request',
      'body.rule.rules.1.rule.audienceId',
      `an audience cannot depend on itself: "A" (${a}) → "C" (${c}) → "B" (${b}) → "A" (${a})`,
    ]);
    // Nothing changed: A's rule is still its own.
    expect(must(await services.savedAudiences.get(owner, a)).rule).toEqual(city('成都'));
    // Naming the same audience twice, or a chain without a loop, is fine.
    must(
      await services.savedAudiences.update(owner, c, {
        rule: { kind: 'all', rules: [member(b), member(a)] },
      }),
    );
  });

  it('keeps dependants current when what they name changes, dynamic or static', async () => {
    const x = await customer('X', '重庆', '金卡');
    await customer('Y', '重庆');
    await customer('Z', '西安', '金卡');
    const chongqing = await save('重庆', city('重庆'));
    const gold = await save('重庆金卡', {
      kind: 'all',
      rules: [member(chongqing), { kind: 'attribute', field: 'membershipLevel', op: 'eq', value: '金卡' }],
    });
    const outside = await save('非重庆', member(gold, 'not_in'));
    expect(await members(gold)).toEqual(['X']);
    // A customer's change reaches the first audience, then its dependants, then theirs.
    must(await services.customers.update(owner, x, { city: '西安' }));
    await settle();
    expect(await members(chongqing)).toEqual(['Y']);
    expect(await members(gold)).toEqual([]);
    expect((await members(outside)).filter((n) => ['X', 'Y', 'Z'].includes(n))).toEqual(['X', 'Y', 'Z']);
    // A full refresh (the rule changed) reaches dependants through its entries and exits.
    must(await services.savedAudiences.update(owner, chongqing, { rule: city('西安') }));
    await settle();
    expect(await members(gold)).toEqual(['X', 'Z']);
    // A static audience is named by its snapshot; a new snapshot moves its dependants.
    const snapshot = await save('西安快照', city('西安'), 'static');
    const fromSnapshot = await save('快照里的', member(snapshot));
    expect(await members(fromSnapshot)).toEqual(['X', 'Z']);
    const w = await customer('W', '西安');
    await settle();
    expect(await members(fromSnapshot)).toEqual(['X', 'Z']);
    must(await services.savedAudiences.update(owner, snapshot, { rule: city('西安') }));
    await settle();
    expect(await members(fromSnapshot)).toEqual(['W', 'X', 'Z']);
    expect(w).toBeTruthy();
  });

  it('archives only what nothing depends on, and restores with a fresh check', async () => {
    const base = await save('基础', city('拉萨'));
    const user = await save('依赖', member(base));
    const groupId = must(await services.tags.createGroup(owner, { name: '依赖组' })).id;
    const tagId = must(await services.tags.create(owner, { groupId, name: '拉萨', color: 'blue' })).id;
    const rule = must(
      await services.autoTags.create(owner, {
        name: '拉萨标签',
        rule: member(base),
        tagId,
        removeWhenUnmatched: true,
      }),
    );
    const archive = await services.savedAudiences.update(owner, base, { archived: true });
    expect(archive.ok ? 'archived' : [archive.error.code, archive.error.field]).toEqual([
      'conflict',
      'body.archived',
    ]);
    expect(archive.ok ? '' : archive.error.message).toBe(
      `"基础" cannot be archived while others depend on it: audience "依赖" (${user}), auto-tag rule "拉萨标签" (${rule.id})`,
    );
    must(await services.autoTags.update(owner, rule.id, { rule: city('拉萨') }));
    const archivedUser = must(await services.savedAudiences.update(owner, user, { archived: true }));
    expect(archivedUser.archivedAt).toBe(clock.now());
    const archivedBase = must(await services.savedAudiences.update(owner, base, { archived: true }));
    expect(archivedBase.archivedAt).not.toBeNull();

    // Archived: members stay as they were, nobody new enters, the rule cannot change.
    await customer('L', '拉萨');
    await settle();
    expect(await members(base)).toEqual([]);
    const edit = await services.savedAudiences.update(owner, base, { rule: city('林芝') });
    expect(edit.ok ? 'edited' : [edit.error.code, edit.error.field]).toEqual(['conflict', 'body.rule']);
    // Nothing new may name an archived audience, and a dependant comes back only after it.
    const naming = await services.savedAudiences.create(owner, {
      name: 'n',
      rule: member(base),
      kind: 'dynamic',
    });
    expect(naming.ok ? 'saved' : [naming.error.field, naming.error.message]).toEqual([
      'body.rule.audienceId',
      'the audience "基础" is archived; restore it first',
    ]);
    const early = await services.savedAudiences.update(owner, user, { archived: false });
    expect(early.ok ? 'restored' : early.error.field).toBe('body.rule.audienceId');
    const restored = must(await services.savedAudiences.update(owner, base, { archived: false }));
    expect([restored.archivedAt, restored.size]).toEqual([null, 1]);
    expect(must(await services.savedAudiences.update(owner, user, { archived: false })).size).toBe(1);
  });

  it('keeps a daily size series, with entries and exits, and every audience’s trend', async () => {
    clock.set(Date.UTC(2026, 2, 1, 10));
    const day0 = Date.UTC(2026, 2, 1);
    await customer('D1', '大理');
    const dali = await save('大理', city('大理'));
    clock.advance(DAY);
    await customer('D2', '大理');
    const d3 = await customer('D3', '大理');
    await settle();
    clock.advance(DAY);
    must(await services.customers.update(owner, d3, { city: '丽江' }));
    await settle();
    clock.advance(2 * DAY);
    const sizes = must(await services.savedAudiences.sizes(owner, dali, 7));
    expect(sizes.days).toEqual([
      { day: day0, size: 1, entered: 1, exited: 0 },
      { day: day0 + DAY, size: 3, entered: 2, exited: 0 },
      { day: day0 + 2 * DAY, size: 2, entered: 0, exited: 1 },
      { day: day0 + 3 * DAY, size: 2, entered: 0, exited: 0 },
      { day: day0 + 4 * DAY, size: 2, entered: 0, exited: 0 },
    ]);
    const trends = await services.savedAudiences.trends(owner, 7);
    expect(trends.from).toBe(day0 - 2 * DAY);
    expect(trends.data.find((t) => t.audienceId === dali)?.sizes).toEqual([0, 0, 1, 3, 2, 2, 2]);
    // Every audience of the tenant has a series as long as the window.
    expect(trends.data.every((t) => t.sizes.length === 7)).toBe(true);
    const missing = await services.savedAudiences.sizes(owner, 'aud_nope', 7);
    expect(missing.ok ? 'found' : missing.error.code).toBe('not_found');
  });
});
