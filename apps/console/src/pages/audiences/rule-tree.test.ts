import { MAX_RULE_DEPTH, type Rule } from '@pond/contracts';
import { describe, expect, it } from 'vitest';
import {
  canNest,
  conditionNode,
  depthOf,
  edit,
  groupNode,
  ruleOf,
  treeOf,
  withinLimits,
} from './rule-tree.ts';

const city: Rule = { kind: 'attribute', field: 'city', op: 'eq', value: '上海' };
const staff: Rule = { kind: 'owner_staff', staffIds: ['stf_1'] };
const member: Rule = { kind: 'audience', audienceId: 'aud_1', match: 'not_in' };
const spend: Rule = {
  kind: 'aggregate',
  name: 'Order Completed',
  fn: 'sum',
  property: 'value',
  withinDays: 90,
  op: 'gte',
  value: 500,
};

describe('the builder’s rule tree', () => {
  it.each<[string, Rule]>([
    ['a flat group', { kind: 'all', rules: [city, staff] }],
    ['nested groups', { kind: 'any', rules: [city, { kind: 'all', rules: [staff, member] }] }],
    ['"none of" several', { kind: 'not', rule: { kind: 'any', rules: [city, staff] } }],
    ['"not" of one', { kind: 'all', rules: [{ kind: 'not', rule: member }, city] }],
    ['"not" of an "all" group', { kind: 'not', rule: { kind: 'all', rules: [city, staff] } }],
    [
      'conditions it has no editor for',
      { kind: 'all', rules: [spend, { kind: 'org_unit', unitIds: ['ou_1'] }] },
    ],
  ])('reads and writes back %s unchanged', (_, rule) => {
    expect(ruleOf(treeOf(rule))).toEqual(rule);
  });

  it('wraps a single condition in an "all" group', () => {
    expect(ruleOf(treeOf(city))).toEqual({ kind: 'all', rules: [city] });
  });

  it('is incomplete while a condition or a group is empty', () => {
    const root = groupNode('all', [conditionNode('owner_staff')]);
    expect(ruleOf(root)).toBeNull();
    expect(ruleOf(groupNode('any', []))).toBeNull();
  });

  it('adds, switches and removes groups anywhere in the tree', () => {
    let root = treeOf({ kind: 'all', rules: [city, { kind: 'any', rules: [staff] }] });
    const inner = root.children[1];
    if (inner?.type !== 'group') throw new Error('expected a group');
    root = edit(root, inner.key, (n) =>
      n.type === 'group'
        ? { ...n, kind: 'not', children: [...n.children, treeOf(member).children[0] ?? n] }
        : n,
    );
    expect(ruleOf(root)).toEqual({
      kind: 'all',
      rules: [city, { kind: 'not', rule: { kind: 'any', rules: [staff, member] } }],
    });
    root = edit(root, inner.key, () => null);
    expect(ruleOf(root)).toEqual({ kind: 'all', rules: [city] });
  });

  it('stops nesting at the depth the server accepts', () => {
    let root = groupNode('all');
    let deepest = root;
    let level = 1;
    while (canNest(deepest, level)) {
      const child = groupNode('all');
      root = edit(root, deepest.key, (n) =>
        n.type === 'group' ? { ...n, children: [...n.children, child] } : n,
      );
      deepest = child;
      level += 1;
    }
    // Fill every condition so the tree is a complete rule.
    const fill = (n: ReturnType<typeof groupNode>): ReturnType<typeof groupNode> => ({
      ...n,
      children: n.children.map((c) =>
        c.type === 'group' ? fill(c) : { ...c, draft: { kind: 'owner_staff', staffIds: ['s'] } },
      ),
    });
    const rule = ruleOf(fill(root));
    expect(rule && depthOf(rule)).toBe(MAX_RULE_DEPTH);
    expect(rule && withinLimits(rule)).toBe(true);
  });
});
