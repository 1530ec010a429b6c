import type {
  Audience,
  AudienceDay,
  AudienceDependants,
  AudienceTrends,
  CreateAudience,
  Rule,
  UpdateAudience,
} from '@pond/contracts';
import type { AudienceTable, Executor, Trx } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { definitionsOf } from '../customers/attributes.ts';
import type { OutboxEvent } from '../platform/outbox.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { checkNoTagLoop, tagGraphOf } from '../tags/tag-loops.ts';
import {
  type AudienceNode,
  checkNoCycle,
  dependencyOrder,
  dependsOn,
  groupsNamed,
  usesOrgTree,
} from './audience-graph.ts';
import { audiencesOfCustomer, overlapOf } from './audience-reads.ts';
import { DAY, daysOf, recordSize, trendsOf } from './audience-sizes.ts';
import type { AudienceEngine } from './engine/engine.ts';
import { chunked, matchingCustomers, touchedByTenant } from './matching.ts';
import { checkRule, ruleContextOf } from './rule-check.ts';

type Row = Selectable<AudienceTable>;

const REFRESH_QUEUE = 'audiences.refresh';
/** Domain events after which customers may sit elsewhere in the org tree. */
const ORG_TREE_EVENTS = new Set(['org_unit.moved', 'staff.updated', 'staff.departed', 'staff.reinstated']);
/** Domain events after which a WeCom customer group's members may differ (aggregate: the group). */
const GROUP_EVENTS = new Set(['wecom.group_created', 'wecom.group_updated', 'wecom.group_dismissed']);

const toAudience = (r: Row): Audience => ({
  id: r.id,
  name: r.name,
  rule: JSON.parse(r.rule) as Rule,
  kind: r.kind,
  size: r.size,
  refreshedAt: r.refreshed_at,
  archivedAt: r.archived_at,
  createdAt: r.created_at,
});

const nodeOf = (r: Row): AudienceNode & { row: Row } => ({
  id: r.id,
  name: r.name,
  rule: JSON.parse(r.rule) as Rule,
  row: r,
});

/** Entries into and exits from each audience in a batch of domain events, per tenant. */
export function membershipChanges(events: readonly OutboxEvent[]) {
  const byTenant = new Map<string, Map<string, number[]>>();
  for (const e of events) {
    if (e.type !== 'audience.entered' && e.type !== 'audience.exited') continue;
    const p = e.payload as { audienceId?: unknown; customerId?: unknown };
    const audiences = byTenant.get(e.tenantId) ?? new Map<string, number[]>();
    const id = String(p.audienceId);
    audiences.set(id, [...(audiences.get(id) ?? []), Number(p.customerId)]);
    byTenant.set(e.tenantId, audiences);
  }
  return byTenant;
}

/**
 * Saved audiences. A dynamic audience's members follow its rule: customers a domain event
 * touched are re-checked from the outbox, a full refresh runs when it is saved and daily, and
 * every entry and exit goes on the outbox (`audience.entered` / `audience.exited`). A static
 * audience keeps the members it was saved with. An audience may name others in its rule;
 * those entries and exits re-check its own members, so dependants follow their dependencies.
 */
export function createSavedAudiences(p: Platform, audit: AuditLog, engine?: AudienceEngine) {
  const { db, clock } = p;

  /** Brings membership up to date for some customers, or all; returns the entries and exits. */
  async function refresh(trx: Trx, a: Row, only?: readonly number[]) {
    const now = clock.now();
    const matching = await matchingCustomers(
      trx,
      { tenantId: a.tenant_id, now, dialect: p.dialect },
      JSON.parse(a.rule) as Rule,
      only,
      engine,
    );
    if (!matching) return;
    const members = new Set<number>();
    for (const chunk of only ? chunked(only) : [undefined]) {
      let q = trx.selectFrom('audience_members').select('customer_id').where('audience_id', '=', a.id);
      if (chunk) q = q.where('customer_id', 'in', chunk);
      for (const m of await q.execute()) members.add(m.customer_id);
    }
    const matched = new Set(matching);
    const entered = matching.filter((id) => !members.has(id));
    const exited = [...members].filter((id) => !matched.has(id));
    for (const chunk of chunked(entered, 500)) {
      await trx
        .insertInto('audience_members')
        .values(
          chunk.map((customer_id) => ({
            audience_id: a.id,
            customer_id,
            tenant_id: a.tenant_id,
            entered_at: now,
          })),
        )
        .execute();
    }
    for (const chunk of chunked(exited)) {
      await trx
        .deleteFrom('audience_members')
        .where('audience_id', '=', a.id)
        .where('customer_id', 'in', chunk)
        .execute();
    }
    const change = (type: string, ids: number[]) =>
      ids.map((customerId) => ({
        tenantId: a.tenant_id,
        type,
        aggregateType: 'customer',
        aggregateId: String(customerId),
        payload: { audienceId: a.id, customerId },
      }));
    for (const chunk of chunked(
      [...change('audience.entered', entered), ...change('audience.exited', exited)],
      500,
    )) {
      await p.outbox.append(trx, chunk);
    }
    const history = [
      ...entered.map((customer_id) => ({ customer_id, change: 'entered' as const })),
      ...exited.map((customer_id) => ({ customer_id, change: 'exited' as const })),
    ];
    for (const chunk of chunked(history, 500)) {
      await trx
        .insertInto('audience_history')
        .values(chunk.map((h) => ({ ...h, tenant_id: a.tenant_id, audience_id: a.id, at: now })))
        .execute();
    }
    if (entered.length || exited.length || !only) {
      const size = await trx
        .selectFrom('audience_members')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('audience_id', '=', a.id)
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('audiences')
        .set({ size: Number(size.n), ...(only ? {} : { refreshed_at: now }) })
        .where('id', '=', a.id)
        .execute();
      await recordSize(trx, a, Number(size.n), now);
    }
  }

  /** A full refresh at `runAt`; `cause` tells apart refreshes asked for at the same moment. */
  const enqueueRefresh = (ex: Executor, a: Pick<Row, 'id' | 'tenant_id'>, runAt = clock.now(), cause = '') =>
    p.jobs.enqueue(
      {
        queue: REFRESH_QUEUE,
        tenantId: a.tenant_id,
        payload: { audienceId: a.id },
        runAt,
        dedupeKey: `${REFRESH_QUEUE}:${a.id}:${runAt}${cause}`,
      },
      ex,
    );
  const tomorrow = () => (Math.floor(clock.now() / DAY) + 1) * DAY;

  p.jobs.handle(REFRESH_QUEUE, async (payload) => {
    await p.tx(async (trx) => {
      const a = await trx
        .selectFrom('audiences')
        .selectAll()
        .where('id', '=', String(payload.audienceId))
        .executeTakeFirst();
      if (a?.kind !== 'dynamic' || a.archived_at !== null) return ok(null);
      await refresh(trx, a);
      // Again tomorrow, so windows such as "in the last 30 days" follow the clock.
      await enqueueRefresh(trx, a, tomorrow());
      return ok(null);
    });
  });

  p.outbox.subscribe({
    name: 'audiences',
    async handle(events, trx) {
      const touched = touchedByTenant(events, { tagsSetByRules: true });
      const changed = membershipChanges(events);
      const orgMoved = new Set(events.filter((e) => ORG_TREE_EVENTS.has(e.type)).map((e) => e.tenantId));
      const groupsChanged = new Map<string, Set<string>>();
      for (const e of events.filter((x) => GROUP_EVENTS.has(x.type))) {
        groupsChanged.set(e.tenantId, (groupsChanged.get(e.tenantId) ?? new Set()).add(e.aggregateId));
      }
      const lastEvent = events.at(-1)?.id ?? 0;
      const tenants = [...touched.keys(), ...changed.keys(), ...orgMoved, ...groupsChanged.keys()];
      for (const tenantId of new Set(tenants)) {
        const rows = await trx
          .selectFrom('audiences')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('kind', '=', 'dynamic')
          .where('archived_at', 'is', null)
          .execute();
        const ids = touched.get(tenantId) ?? [];
        const entries = changed.get(tenantId);
        // Dependencies first: a dependant then reads their new members in this transaction.
        for (const a of dependencyOrder(rows.map(nodeOf))) {
          // Customers touched, and those who entered or left an audience this one names.
          const recheck = new Set(ids);
          for (const [audienceId, customers] of entries ?? []) {
            if (dependsOn(a.rule, audienceId)) for (const c of customers) recheck.add(c);
          }
          if (recheck.size > 0) await refresh(trx, a.row, [...recheck]);
          // A unit or staff member moved: who sits in a subtree may have changed for anyone.
          if (orgMoved.has(tenantId) && usesOrgTree(a.rule))
            await enqueueRefresh(trx, a.row, clock.now(), `:org:${lastEvent}`);
          // A group's members changed: WeCom names the group, not each customer, so in full.
          const groups = groupsChanged.get(tenantId);
          if (groups && groupsNamed(a.rule).some((g) => groups.has(g)))
            await enqueueRefresh(trx, a.row, clock.now(), `:group:${lastEvent}`);
        }
      }
    },
  });

  const find = (ex: Executor, ctx: Ctx, id: string) =>
    ex
      .selectFrom('audiences')
      .selectAll()
      .where('tenant_id', '=', ctx.principal.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  /**
   * The rule checked against the tenant's data and the other audiences (no cycle), and no
   * auto-tag rule led back to the tag it sets through this audience.
   */
  async function checkAudienceRule(trx: Trx, ctx: Ctx, id: string, name: string, rule: Rule) {
    const tenantId = ctx.principal.tenantId;
    const checked = checkRule(
      rule,
      await ruleContextOf(trx, tenantId, await definitionsOf(trx, tenantId), rule),
    );
    if (!checked.ok) return checked;
    const others = await trx
      .selectFrom('audiences')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '!=', id)
      .execute();
    const acyclic = checkNoCycle({ id, name, rule }, others.map(nodeOf));
    if (!acyclic.ok) return acyclic;
    const graph = await tagGraphOf(trx, tenantId);
    const audiences = [...graph.audiences.filter((a) => a.id !== id), { id, name, rule }];
    return checkNoTagLoop({ ...graph, audiences }, `a:${id}`);
  }

  /** The audiences and auto-tag rules whose rules name this audience. */
  async function dependantsOf(ex: Executor, a: Pick<Row, 'id' | 'tenant_id'>): Promise<AudienceDependants> {
    const [audiences, rules] = await Promise.all([
      ex
        .selectFrom('audiences')
        .select(['id', 'name', 'rule', 'archived_at'])
        .where('tenant_id', '=', a.tenant_id)
        .where('id', '!=', a.id)
        .orderBy('created_at')
        .execute(),
      ex
        .selectFrom('auto_tag_rules')
        .select(['id', 'name', 'rule'])
        .where('tenant_id', '=', a.tenant_id)
        .orderBy('created_at')
        .execute(),
    ]);
    const naming = <T extends { rule: string }>(rows: T[]) =>
      rows.filter((r) => dependsOn(JSON.parse(r.rule) as Rule, a.id));
    return {
      audiences: naming(audiences).map((x) => ({ id: x.id, name: x.name, archived: x.archived_at !== null })),
      autoTagRules: naming(rules).map((x) => ({ id: x.id, name: x.name })),
    };
  }

  const reread = (trx: Trx, id: string) =>
    trx.selectFrom('audiences').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  return {
    async list(ctx: Ctx): Promise<Audience[]> {
      const rows = await db
        .selectFrom('audiences')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toAudience);
    },

    async get(ctx: Ctx, id: string): Promise<Result<Audience>> {
      const row = await find(db, ctx, id);
      return row ? ok(toAudience(row)) : notFound('audience');
    },

    /** Every audience's size per UTC day over the last `days` days, oldest first. */
    async trends(ctx: Ctx, days: number): Promise<AudienceTrends> {
      const tenantId = ctx.principal.tenantId;
      const rows = await db
        .selectFrom('audiences')
        .select(['id', 'size', 'created_at'])
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at', 'desc')
        .execute();
      return trendsOf(db, tenantId, rows, days, clock.now());
    },

    /** One audience's size, entries and exits per UTC day over the last `days` days. */
    async sizes(
      ctx: Ctx,
      id: string,
      days: number,
    ): Promise<Result<{ audienceId: string; days: AudienceDay[] }>> {
      const row = await find(db, ctx, id);
      if (!row) return notFound('audience');
      return ok({ audienceId: id, days: await daysOf(db, row.tenant_id, row, days, clock.now()) });
    },

    /** The audiences (archived ones included) and auto-tag rules naming this audience. */
    async dependants(ctx: Ctx, id: string): Promise<Result<AudienceDependants>> {
      const row = await find(db, ctx, id);
      return row ? ok(await dependantsOf(db, row)) : notFound('audience');
    },

    ofCustomer: (ctx: Ctx, publicId: string) => audiencesOfCustomer(db, ctx, publicId),

    overlap: (ctx: Ctx, ids: readonly string[]) => overlapOf(db, ctx, ids),

    /** Saves an audience; its members are computed at once, in the same transaction. */
    create(ctx: Ctx, input: CreateAudience): Promise<Result<Audience>> {
      return p.tx(async (trx) => {
        const now = clock.now();
        const id = newId('aud', now);
        // A new audience cannot close a cycle (nothing names it yet); the check still walks
        // what it names, so a cycle already stored would show here.
        const checked = await checkAudienceRule(trx, ctx, id, input.name, input.rule);
        if (!checked.ok) return checked;
        const row: Row = {
          id,
          tenant_id: ctx.principal.tenantId,
          name: input.name,
          rule: JSON.stringify(input.rule),
          kind: input.kind,
          size: 0,
          refreshed_at: null,
          archived_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('audiences').values(row).execute();
        await refresh(trx, row);
        if (row.kind === 'dynamic') await enqueueRefresh(trx, row, tomorrow());
        const out = toAudience(await reread(trx, id));
        await audit.record(trx, ctx, {
          action: 'audience.created',
          targetType: 'audience',
          targetId: row.id,
          after: out,
        });
        await p.outbox.append(trx, {
          tenantId: row.tenant_id,
          type: 'audience.created',
          aggregateType: 'audience',
          aggregateId: row.id,
          payload: { audienceId: row.id, name: out.name, kind: out.kind, size: out.size },
        });
        return ok(out);
      });
    },

    /**
     * Renames, changes the rule (members follow at once; a static audience takes a new
     * snapshot), archives or restores. Archiving is refused while other audiences or auto-tag
     * rules name the audience; an archived audience keeps its members and is not refreshed.
     */
    update(ctx: Ctx, id: string, input: UpdateAudience): Promise<Result<Audience>> {
      return p.tx(async (trx) => {
        const row = await find(trx, ctx, id);
        if (!row) return notFound('audience');
        const archiving = input.archived === true && row.archived_at === null;
        const restoring = input.archived === false && row.archived_at !== null;
        const archived = archiving || (row.archived_at !== null && !restoring);
        if (input.rule && archived) {
          return fail('conflict', 'an archived audience keeps its rule; restore it first', {
            field: 'body.rule',
          });
        }
        if (archiving) {
          // Archived dependants are frozen too; they are checked again when restored.
          const named = await dependantsOf(trx, row);
          const dependants = [
            ...named.audiences.filter((x) => !x.archived).map((x) => `audience "${x.name}" (${x.id})`),
            ...named.autoTagRules.map((x) => `auto-tag rule "${x.name}" (${x.id})`),
          ];
          if (dependants.length > 0) {
            return fail(
              'conflict',
              `"${row.name}" cannot be archived while others depend on it: ${dependants.join(', ')}`,
              { field: 'body.archived' },
            );
          }
        }
        const name = input.name ?? row.name;
        const rule = input.rule ?? (JSON.parse(row.rule) as Rule);
        if (input.rule || restoring) {
          // A restored audience's rule is checked again: what it names may be gone or archived.
          const checked = await checkAudienceRule(trx, ctx, id, name, rule);
          if (!checked.ok) return checked;
        }
        const now = clock.now();
        await trx
          .updateTable('audiences')
          .set({
            name,
            rule: JSON.stringify(rule),
            archived_at: archiving ? now : restoring ? null : row.archived_at,
            updated_at: now,
          })
          .where('id', '=', id)
          .execute();
        const next = await reread(trx, id);
        if (!archived && (input.rule || (restoring && next.kind === 'dynamic'))) {
          await refresh(trx, next);
          if (next.kind === 'dynamic') await enqueueRefresh(trx, next, tomorrow());
        }
        const before = toAudience(row);
        const after = toAudience(await reread(trx, id));
        const action = archiving ? 'audience.archived' : restoring ? 'audience.restored' : 'audience.updated';
        await audit.record(trx, ctx, { action, targetType: 'audience', targetId: id, before, after });
        await p.outbox.append(trx, {
          tenantId: row.tenant_id,
          type: action,
          aggregateType: 'audience',
          aggregateId: id,
          payload: { audienceId: id, name: after.name, kind: after.kind, size: after.size },
        });
        return ok(after);
      });
    },
  };
}
