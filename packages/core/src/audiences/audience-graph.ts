import type { Rule } from '@pond/contracts';
import { fail, ok, type Result } from '../shared/result.ts';

/** A saved audience as the dependency graph sees it. */
export interface AudienceNode {
  readonly id: string;
  readonly name: string;
  readonly rule: Rule;
}

/** The audiences a rule names ("member of" / "not member of"), with the path of each node. */
export function audienceRefs(rule: Rule, at: string): { audienceId: string; path: string }[] {
  switch (rule.kind) {
    case 'all':
    case 'any':
      return rule.rules.flatMap((r, i) => audienceRefs(r, `${at}.rules.${i}`));
    case 'not':
      return audienceRefs(rule.rule, `${at}.rule`);
    case 'audience':
      return [{ audienceId: rule.audienceId, path: at }];
    default:
      return [];
  }
}

const named = (n: { id: string; name: string } | undefined, id: string) => (n ? `"${n.name}" (${id})` : id);

/**
 * Refuses a rule that would make an audience depend on itself, directly or through others:
 * `candidate` with its new rule among the tenant's other audiences. The error names the
 * reference that closes the cycle and the whole path (`"A" → "B" → "A"`).
 */
export function checkNoCycle(
  candidate: AudienceNode,
  others: readonly AudienceNode[],
  at = 'body.rule',
): Result<null> {
  const nodes = new Map<string, AudienceNode>(others.map((a) => [a.id, a]));
  nodes.set(candidate.id, candidate);
  const refs = new Map<string, string[]>();
  const refsOf = (id: string) => {
    let r = refs.get(id);
    if (!r) {
      const node = nodes.get(id);
      r = node ? [...new Set(audienceRefs(node.rule, '').map((x) => x.audienceId))] : [];
      refs.set(id, r);
    }
    return r;
  };
  // A path from `from` back to the candidate, or null; each audience is explored once.
  const seen = new Set<string>();
  const back = (from: string): string[] | null => {
    if (from === candidate.id) return [from];
    if (seen.has(from)) return null;
    seen.add(from);
    for (const next of refsOf(from)) {
      const rest = back(next);
      if (rest) return [from, ...rest];
    }
    return null;
  };
  for (const ref of audienceRefs(candidate.rule, at)) {
    const path = back(ref.audienceId);
    if (path) {
      const chain = [candidate.id, ...path].map((id) => named(nodes.get(id), id)).join(' → ');
      return fail('invalid_request', `an audience cannot depend on itself: ${chain}`, {
        field: `${ref.path}.audienceId`,
      });
    }
  }
  return ok(null);
}

/**
 * Audiences in an order where each comes after the audiences its rule names, so refreshing
 * them in turn lets a dependant read its dependencies' new members in the same transaction.
 */
export function dependencyOrder<T extends AudienceNode>(audiences: readonly T[]): T[] {
  const byId = new Map(audiences.map((a) => [a.id, a]));
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (a: T) => {
    if (state.has(a.id)) return; // done, or a cycle the checks refused (left where it falls)
    state.set(a.id, 'visiting');
    for (const ref of audienceRefs(a.rule, '')) {
      const dep = byId.get(ref.audienceId);
      if (dep) visit(dep);
    }
    state.set(a.id, 'done');
    out.push(a);
  };
  for (const a of audiences) visit(a);
  return out;
}

/** Whether a rule names the audience `audienceId`. */
export const dependsOn = (rule: Rule, audienceId: string) =>
  audienceRefs(rule, '').some((r) => r.audienceId === audienceId);

/** The WeCom customer groups a rule names. */
export function groupsNamed(rule: Rule): string[] {
  switch (rule.kind) {
    case 'all':
    case 'any':
      return rule.rules.flatMap(groupsNamed);
    case 'not':
      return groupsNamed(rule.rule);
    case 'customer_group':
      return rule.groupIds;
    default:
      return [];
  }
}

/** Whether a rule places customers by the org tree (which moves as units and staff move). */
export function usesOrgTree(rule: Rule): boolean {
  switch (rule.kind) {
    case 'all':
    case 'any':
      return rule.rules.some(usesOrgTree);
    case 'not':
      return usesOrgTree(rule.rule);
    default:
      return rule.kind === 'org_unit';
  }
}
