import type { AutoTagRule, CreateAutoTagRule, Rule, UpdateAutoTagRule } from '@pond/contracts';
import type { AutoTagRuleTable, Executor, Trx } from '@pond/storage';
import type { Selectable } from 'kysely';
import { audienceRefs } from '../audiences/audience-graph.ts';
import type { AudienceEngine } from '../audiences/engine/engine.ts';
import { chunked, matchingCustomers, touchedByTenant } from '../audiences/matching.ts';
import { checkRule, ruleContextOf } from '../audiences/rule-check.ts';
import { membershipChanges } from '../audiences/saved-audiences.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { definitionsOf } from '../customers/attributes.ts';
import type { OutboxEvent } from '../platform/outbox.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { checkNoTagLoop, tagGraphOf } from './tag-loops.ts';
import type { Tags } from './tags.ts';

type Row = Selectable<AutoTagRuleTable>;

const RUN_QUEUE = 'auto_tags.run';
const DAY = 86_400_000;

const mentionsTag = (r: Rule, tagId: string): boolean => {
  switch (r.kind) {
    case 'all':
    case 'any':
      return r.rules.some((c) => mentionsTag(c, tagId));
    case 'not':
      return mentionsTag(r.rule, tagId);
    case 'tags':
      return r.tagIds.includes(tagId);
    default:
      return false;
  }
};

/** The audiences a rule names, and those they name in turn (each once). */
function audiencesBehind(rule: Rule, rules: ReadonlyMap<string, Rule>): Set<string> {
  const out = new Set<string>();
  const walk = (r: Rule) => {
    for (const { audienceId } of audienceRefs(r, '')) {
      if (out.has(audienceId)) continue;
      out.add(audienceId);
      const named = rules.get(audienceId);
      if (named) walk(named);
    }
  };
  walk(rule);
  return out;
}

/**
 * Auto-tag rules: a tag kept on exactly the customers an audience rule matches. Changes to a
 * customer (events, profile, tags, merges) re-check the rules for that customer through the
 * outbox; a full run follows every change of a rule and repeats daily, so windows such as
 * "in the last 30 days" move with the clock. A rule naming saved audiences also re-checks
 * the customers who enter or leave them (or the audiences they name), in the same relay pass
 * as the audiences' own refresh once `followAudiences` has subscribed after them. A rule only
 * ever removes the tag where it put it, and never depends on its own tag, even through
 * audiences and other rules.
 */
export function createAutoTags(p: Platform, audit: AuditLog, tags: Tags, engine?: AudienceEngine) {
  const { db, clock } = p;

  const toRule = async (ex: Executor, r: Row): Promise<AutoTagRule> => {
    const tagged = await ex
      .selectFrom('customer_tags')
      .select((eb) => eb.fn.count<number | string>('customer_id').distinct().as('n'))
      .where('tenant_id', '=', r.tenant_id)
      .where('tag_id', '=', r.tag_id)
      .where('source', '=', 'rule')
      .where('source_ref', '=', r.id)
      .executeTakeFirstOrThrow();
    return {
      id: r.id,
      name: r.name,
      rule: JSON.parse(r.rule) as Rule,
      tagId: r.tag_id,
      removeWhenUnmatched: r.remove_when_unmatched === 1,
      enabled: r.enabled === 1,
      tagged: Number(tagged.n),
      lastRunAt: r.last_run_at,
      createdAt: r.created_at,
    };
  };

  /** Applies one rule to some customers (dense ids), or to all of the tenant's. */
  async function evaluate(trx: Trx, r: Row, only?: readonly number[]) {
    const env = { tenantId: r.tenant_id, now: clock.now(), dialect: p.dialect };
    const matching = await matchingCustomers(trx, env, JSON.parse(r.rule) as Rule, only, engine);
    if (!matching) return; // the tenant's data changed under the rule (an attribute went away…)
    const origin = { source: 'rule' as const, ref: r.id, name: r.name };
    for (const chunk of chunked(matching))
      await tags.apply(trx, r.tenant_id, chunk, [r.tag_id], origin, null);
    if (r.remove_when_unmatched !== 1) return;
    const matched = new Set(matching);
    const rows: { customer_id: number; source: string; source_ref: string | null }[] = [];
    for (const chunk of only ? chunked(only) : [undefined]) {
      let held = trx
        .selectFrom('customer_tags')
        .select(['customer_id', 'source', 'source_ref'])
        .where('tenant_id', '=', r.tenant_id)
        .where('tag_id', '=', r.tag_id);
      if (chunk) held = held.where('customer_id', 'in', chunk);
      rows.push(...(await held.execute()));
    }
    // Only customers whose every row of the tag is this rule's: a manual tag stays.
    const others = new Set(
      rows.filter((x) => x.source !== 'rule' || x.source_ref !== r.id).map((x) => x.customer_id),
    );
    const drop = [...new Set(rows.map((x) => x.customer_id))].filter(
      (id) => !matched.has(id) && !others.has(id),
    );
    for (const chunk of chunked(drop)) await tags.remove(trx, r.tenant_id, chunk, [r.tag_id], 'removed');
  }

  const enqueueRun = (ex: Executor, r: Pick<Row, 'id' | 'tenant_id'>, runAt = clock.now()) =>
    p.jobs.enqueue(
      {
        queue: RUN_QUEUE,
        tenantId: r.tenant_id,
        payload: { ruleId: r.id },
        runAt,
        dedupeKey: `${RUN_QUEUE}:${r.id}:${runAt}`,
      },
      ex,
    );

  p.jobs.handle(RUN_QUEUE, async (payload) => {
    const ruleId = String(payload.ruleId);
    await p.tx(async (trx) => {
      const r = await trx
        .selectFrom('auto_tag_rules')
        .selectAll()
        .where('id', '=', ruleId)
        .executeTakeFirst();
      if (r?.enabled !== 1) return ok(null);
      await evaluate(trx, r);
      const now = clock.now();
      await trx.updateTable('auto_tag_rules').set({ last_run_at: now }).where('id', '=', r.id).execute();
      // Again tomorrow, so relative windows follow the clock.
      await enqueueRun(trx, r, (Math.floor(now / DAY) + 1) * DAY);
      return ok(null);
    });
  });

  const enabledRules = (trx: Trx, tenantId: string) =>
    trx
      .selectFrom('auto_tag_rules')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('enabled', '=', 1)
      .execute();

  p.outbox.subscribe({
    name: 'auto-tags',
    async handle(events, trx) {
      for (const [tenantId, ids] of touchedByTenant(events, { tagsSetByRules: false })) {
        for (const r of await enabledRules(trx, tenantId)) await evaluate(trx, r, ids);
      }
    },
  });

  /**
   * Re-checks, for each rule naming an audience (directly or through audiences that name it),
   * the customers who entered or left it in a batch of domain events.
   */
  async function followMemberships(events: readonly OutboxEvent[], trx: Trx) {
    for (const [tenantId, changed] of membershipChanges(events)) {
      const rules = await enabledRules(trx, tenantId);
      const parsed = rules.map((r) => ({ row: r, rule: JSON.parse(r.rule) as Rule }));
      const naming = parsed.filter((r) => audienceRefs(r.rule, '').length > 0);
      if (naming.length === 0) continue;
      const audiences = await trx
        .selectFrom('audiences')
        .select(['id', 'rule'])
        .where('tenant_id', '=', tenantId)
        .execute();
      const audienceRules = new Map(audiences.map((a) => [a.id, JSON.parse(a.rule) as Rule]));
      for (const r of naming) {
        // A full run reads everything committed before it; entries and exits more than a day
        // older than the rule's last run are in it (this bounds the catch-up when the consumer
        // first starts on an outbox with history).
        const cutoff = (r.row.last_run_at ?? 0) - DAY;
        const recent = events.some((e) => e.createdAt < cutoff)
          ? (membershipChanges(events.filter((e) => e.createdAt >= cutoff)).get(tenantId) ?? new Map())
          : changed;
        const recheck = new Set<number>();
        for (const audienceId of audiencesBehind(r.rule, audienceRules)) {
          for (const c of recent.get(audienceId) ?? []) recheck.add(c);
        }
        if (recheck.size > 0) await evaluate(trx, r.row, [...recheck]);
      }
    }
  }

  async function checkInput(
    ex: Executor,
    ctx: Ctx,
    ruleId: string,
    name: string,
    rule: Rule,
    tagId: string,
  ): Promise<Result<null>> {
    const tenantId = ctx.principal.tenantId;
    const tag = await ex
      .selectFrom('tags')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', tagId)
      .executeTakeFirst();
    if (!tag) return notFound('tag', 'body.tagId');
    if (tag.archived_at !== null)
      return fail('conflict', `the tag ${tag.name} is archived; restore it first`, { field: 'body.tagId' });
    if (mentionsTag(rule, tagId))
      return fail('invalid_request', 'a rule cannot depend on the tag it sets', { field: 'body.rule' });
    const checked = checkRule(rule, await ruleContextOf(ex, tenantId, await definitionsOf(ex, tenantId)));
    if (!checked.ok) return checked;
    // Through audiences (and the tags other rules set) back to its own tag: a rule that flaps.
    const graph = await tagGraphOf(ex, tenantId);
    const rules = [...graph.rules.filter((r) => r.id !== ruleId), { id: ruleId, name, rule, tagId }];
    return checkNoTagLoop({ ...graph, rules }, `r:${ruleId}`);
  }

  const find = (ex: Executor, ctx: Ctx, id: string) =>
    ex
      .selectFrom('auto_tag_rules')
      .selectAll()
      .where('tenant_id', '=', ctx.principal.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  let following = false;

  return {
    /**
     * Subscribes the rules to audience entries and exits. Called once, after saved audiences
     * have subscribed, so a customer's change reaches an audience and then the rules naming
     * it in the same relay pass.
     */
    followAudiences() {
      if (following) return;
      following = true;
      p.outbox.subscribe({ name: 'auto-tags.audiences', handle: followMemberships });
    },

    async list(ctx: Ctx): Promise<AutoTagRule[]> {
      const rows = await db
        .selectFrom('auto_tag_rules')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .orderBy('created_at')
        .execute();
      return Promise.all(rows.map((r) => toRule(db, r)));
    },

    create(ctx: Ctx, input: CreateAutoTagRule): Promise<Result<AutoTagRule>> {
      return p.tx(async (trx) => {
        const now = clock.now();
        const id = newId('atr', now);
        const valid = await checkInput(trx, ctx, id, input.name, input.rule, input.tagId);
        if (!valid.ok) return valid;
        const row: Row = {
          id,
          tenant_id: ctx.principal.tenantId,
          name: input.name,
          rule: JSON.stringify(input.rule),
          tag_id: input.tagId,
          remove_when_unmatched: input.removeWhenUnmatched ? 1 : 0,
          enabled: 1,
          last_run_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('auto_tag_rules').values(row).execute();
        await enqueueRun(trx, row);
        const out = await toRule(trx, row);
        await audit.record(trx, ctx, {
          action: 'auto_tag_rule.created',
          targetType: 'auto_tag_rule',
          targetId: row.id,
          after: out,
        });
        return ok(out);
      });
    },

    update(ctx: Ctx, id: string, input: UpdateAutoTagRule): Promise<Result<AutoTagRule>> {
      return p.tx(async (trx) => {
        const row = await find(trx, ctx, id);
        if (!row) return notFound('auto-tag rule');
        if (input.rule) {
          const valid = await checkInput(trx, ctx, id, input.name ?? row.name, input.rule, row.tag_id);
          if (!valid.ok) return valid;
        }
        const next: Row = {
          ...row,
          name: input.name ?? row.name,
          rule: input.rule ? JSON.stringify(input.rule) : row.rule,
          remove_when_unmatched:
            input.removeWhenUnmatched === undefined
              ? row.remove_when_unmatched
              : input.removeWhenUnmatched
                ? 1
                : 0,
          enabled: input.enabled === undefined ? row.enabled : input.enabled ? 1 : 0,
          updated_at: clock.now(),
        };
        await trx
          .updateTable('auto_tag_rules')
          .set({
            name: next.name,
            rule: next.rule,
            remove_when_unmatched: next.remove_when_unmatched,
            enabled: next.enabled,
            updated_at: next.updated_at,
          })
          .where('id', '=', id)
          .execute();
        if (next.enabled === 1) await enqueueRun(trx, next);
        const before = await toRule(trx, row);
        const after = await toRule(trx, next);
        await audit.record(trx, ctx, {
          action: 'auto_tag_rule.updated',
          targetType: 'auto_tag_rule',
          targetId: id,
          before,
          after,
        });
        return ok(after);
      });
    },

    /** Queues a full run now (it also runs after every change of the rule, and daily). */
    run(ctx: Ctx, id: string): Promise<Result<AutoTagRule>> {
      return p.tx(async (trx) => {
        const row = await find(trx, ctx, id);
        if (!row) return notFound('auto-tag rule');
        if (row.enabled !== 1) return fail('conflict', 'the rule is disabled; enable it first');
        await enqueueRun(trx, row);
        await audit.record(trx, ctx, {
          action: 'auto_tag_rule.run',
          targetType: 'auto_tag_rule',
          targetId: id,
        });
        return ok(await toRule(trx, row));
      });
    },
  };
}
