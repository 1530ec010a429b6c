import { MAX_RULE_DEPTH, MAX_RULE_NODES, type Rule } from '@pond/contracts';
import { type Draft, type DraftKind, draftToRule, newDraft, ruleToDraft } from './rule-drafts.ts';

/**
 * The builder's tree: groups (all / any / none of their children) holding conditions and
 * further groups. "None" is the rule language's `not` over "any" — or over the one child,
 * when there is one.
 */
export type GroupKind = 'all' | 'any' | 'not';
export interface GroupNode {
  readonly key: string;
  readonly type: 'group';
  readonly kind: GroupKind;
  readonly children: readonly TreeNode[];
}
export interface ConditionNode {
  readonly key: string;
  readonly type: 'condition';
  readonly draft: Draft;
}
export type TreeNode = GroupNode | ConditionNode;

let seq = 0;
const nextKey = () => `n${++seq}`;

export const conditionNode = (kind: DraftKind = 'attribute'): ConditionNode => ({
  key: nextKey(),
  type: 'condition',
  draft: newDraft(kind),
});

export const groupNode = (kind: GroupKind = 'all', children: TreeNode[] = [conditionNode()]): GroupNode => ({
  key: nextKey(),
  type: 'group',
  kind,
  children,
});

function nodeOf(r: Rule): TreeNode {
  if (r.kind === 'all' || r.kind === 'any') return groupNode(r.kind, r.rules.map(nodeOf));
  if (r.kind === 'not')
    return groupNode('not', r.rule.kind === 'any' ? r.rule.rules.map(nodeOf) : [nodeOf(r.rule)]);
  return { key: nextKey(), type: 'condition', draft: ruleToDraft(r) };
}

/** A rule as the builder's tree; the root is always a group. */
export function treeOf(rule: Rule): GroupNode {
  const node = nodeOf(rule);
  return node.type === 'group' ? node : groupNode('all', [node]);
}

/** The tree as a rule, or null while a condition is incomplete or a group is empty. */
export function ruleOf(node: TreeNode): Rule | null {
  if (node.type === 'condition') return draftToRule(node.draft);
  const rules = node.children.map(ruleOf);
  if (rules.length === 0 || rules.some((r) => r === null)) return null;
  const all = rules as Rule[];
  if (node.kind !== 'not') return { kind: node.kind, rules: all };
  const [only] = all;
  return { kind: 'not', rule: all.length === 1 && only ? only : { kind: 'any', rules: all } };
}

/** How deep a rule nests (the root is 1), as the server counts. */
export function depthOf(r: Rule): number {
  if (r.kind === 'all' || r.kind === 'any') return 1 + Math.max(0, ...r.rules.map(depthOf));
  if (r.kind === 'not') return 1 + depthOf(r.rule);
  return 1;
}

/** How many nodes a rule holds, as the server counts. */
export function sizeOf(r: Rule): number {
  if (r.kind === 'all' || r.kind === 'any') return 1 + r.rules.reduce((n, c) => n + sizeOf(c), 0);
  if (r.kind === 'not') return 1 + sizeOf(r.rule);
  return 1;
}

/**
 * The level a group's conditions sit at (the root group's are at 2). A "none" group of
 * several children adds a level (its hidden "any").
 */
export function childLevel(group: GroupNode, level: number): number {
  return level + (group.kind === 'not' && group.children.length > 1 ? 2 : 1);
}

/** Whether a subgroup (holding a condition) may still be added to a group at `level`. */
export const canNest = (group: GroupNode, level: number) =>
  childLevel({ ...group, children: [...group.children, conditionNode()] }, level) + 1 <= MAX_RULE_DEPTH;

export const withinLimits = (r: Rule) => depthOf(r) <= MAX_RULE_DEPTH && sizeOf(r) <= MAX_RULE_NODES;

/** The tree with the node `key` replaced by `fn(node)`, or removed when `fn` returns null. */
export function edit(root: GroupNode, key: string, fn: (n: TreeNode) => TreeNode | null): GroupNode {
  const walk = (n: TreeNode): TreeNode | null => {
    if (n.key === key) return fn(n);
    if (n.type === 'condition') return n;
    const children = n.children.map(walk).filter((c): c is TreeNode => c !== null);
    return { ...n, children };
  };
  return (walk(root) as GroupNode | null) ?? groupNode();
}
