import type { Rule } from '@pond/contracts';
import type { Executor } from '@pond/storage';
import { fail, ok, type Result } from '../shared/result.ts';

/** What an auto-tag rule or an audience names in its rule: audiences and tags, with their paths. */
function refsOf(rule: Rule, at: string): { to: string; path: string }[] {
  switch (rule.kind) {
    case 'all':
    case 'any':
      return rule.rules.flatMap((r, i) => refsOf(r, `${at}.rules.${i}`));
    case 'not':
      return refsOf(rule.rule, `${at}.rule`);
    case 'audience':
      return [{ to: `a:${rule.audienceId}`, path: `${at}.audienceId` }];
    case 'tags':
      return rule.tagIds.map((t, i) => ({ to: `t:${t}`, path: `${at}.tagIds.${i}` }));
    default:
      return [];
  }
}

interface Named {
  readonly id: string;
  readonly name: string;
  readonly rule: Rule;
}

/**
 * The graph auto-tag loops live in: an auto-tag rule names audiences and tags, an audience
 * names audiences and tags, and a tag leads to the auto-tag rules that set it.
 */
export interface TagGraph {
  readonly audiences: readonly Named[];
  readonly rules: readonly (Named & { readonly tagId: string })[];
  readonly tagNames: ReadonlyMap<string, string>;
}

/** The tenant's audiences, auto-tag rules and tag names, as the loop check sees them. */
export async function tagGraphOf(ex: Executor, tenantId: string): Promise<TagGraph> {
  const [audiences, rules, tags] = await Promise.all([
    ex.selectFrom('audiences').select(['id', 'name', 'rule']).where('tenant_id', '=', tenantId).execute(),
    ex
      .selectFrom('auto_tag_rules')
      .select(['id', 'name', 'rule', 'tag_id'])
      .where('tenant_id', '=', tenantId)
      .execute(),
    ex.selectFrom('tags').select(['id', 'name']).where('tenant_id', '=', tenantId).execute(),
  ]);
  return {
    audiences: audiences.map((a) => ({ id: a.id, name: a.name, rule: JSON.parse(a.rule) as Rule })),
    rules: rules.map((r) => ({ id: r.id, name: r.name, rule: JSON.parse(r.rule) as Rule, tagId: r.tag_id })),
    tagNames: new Map(tags.map((t) => [t.id, t.name])),
  };
}

/**
 * Refuses a change that would let an auto-tag rule depend, through audiences (and the tags
 * other rules set), on the tag it sets itself: such a rule would put its tag on, see it, and
 * take it off again. `start` is the node changing (`r:<rule id>` or `a:<audience id>`) with
 * its new rule already in `graph`. The error names the reference in the new rule that starts
 * the loop and the whole path (`auto-tag rule "R" → audience "A" → tag "T" → auto-tag rule "R"`).
 */
export function checkNoTagLoop(graph: TagGraph, start: string, at = 'body.rule'): Result<null> {
  const audiences = new Map(graph.audiences.map((a) => [a.id, a]));
  const rules = new Map(graph.rules.map((r) => [r.id, r]));
  const setters = new Map<string, string[]>();
  for (const r of graph.rules) setters.set(r.tagId, [...(setters.get(r.tagId) ?? []), r.id]);
  const edges = (node: string): { to: string; path: string }[] => {
    const id = node.slice(2);
    if (node.startsWith('t:')) return (setters.get(id) ?? []).map((r) => ({ to: `r:${r}`, path: '' }));
    const n = node.startsWith('a:') ? audiences.get(id) : rules.get(id);
    return n ? refsOf(n.rule, '') : [];
  };
  const label = (node: string) => {
    const id = node.slice(2);
    if (node.startsWith('t:')) return `tag "${graph.tagNames.get(id) ?? id}" (${id})`;
    if (node.startsWith('a:')) return `audience "${audiences.get(id)?.name ?? id}" (${id})`;
    return `auto-tag rule "${rules.get(id)?.name ?? id}" (${id})`;
  };
  // A path from `from` back to `start`, or null; each node is explored once.
  const seen = new Set<string>();
  const back = (from: string): string[] | null => {
    if (from === start) return [from];
    if (seen.has(from)) return null;
    seen.add(from);
    for (const e of edges(from)) {
      const rest = back(e.to);
      if (rest) return [from, ...rest];
    }
    return null;
  };
  for (const first of edges(start)) {
    const path = back(first.to);
    // A loop among audiences alone is the audience cycle check's to name.
    if (!path?.some((n) => n.startsWith('t:'))) continue;
    const chain = [start, ...path].map(label).join(' → ');
    return fail('invalid_request', `an auto-tag rule cannot depend on the tag it sets: ${chain}`, {
      field: `${at}${first.path}`,
    });
  }
  return ok(null);
}
