import type { Audience, AudienceOverlap, CreateAudience, CustomerAudiences, Rule } from '@pond/contracts';
import type { AudienceTable, Trx } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { definitionsOf } from '../customers/attributes.ts';
import { customerScope } from '../customers/scope.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { notFound, ok, type Result } from '../shared/result.ts';
import { chunked, matchingCustomers, touchedByTenant } from './matching.ts';
import { checkRule, ruleContextOf } from './rule-check.ts';

type Row = Selectable<AudienceTable>;

const REFRESH_QUEUE = 'audiences.refresh';
const DAY = 86_400_000;

const toAudience = (r: Row): Audience => ({
  id: r.id,
  name: r.name,
  rule: JSON.parse(r.rule) as Rule,
  kind: r.kind,
  size: r.size,
  refreshedAt: r.refreshed_at,
  createdAt: r.created_at,
});

/**
 * Saved audiences. A dynamic audience's members follow its rule: customers a domain event
 * touched are re-checked from the outbox, a full refresh runs when it is saved and daily, and
 * every entry and exit goes on the outbox (`audience.entered` / `audience.exited`). A static
 * audience keeps the members it was saved with.
 */
export function createSavedAudiences(p: Platform, audit: AuditLog) {
  const { db, clock } = p;

  /** Brings membership up to date for some customers, or all; returns the entries and exits. */
  async function refresh(trx: Trx, a: Row, only?: readonly number[]) {
    const now = clock.now();
    const matching = await matchingCustomers(
      trx,
      { tenantId: a.tenant_id, now, dialect: p.dialect },
      JSON.parse(a.rule) as Rule,
      only,
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
    }
  }

  const enqueueRefresh = (trx: Trx, a: Pick<Row, 'id' | 'tenant_id'>, runAt = clock.now()) =>
    p.jobs.enqueue(
      {
        queue: REFRESH_QUEUE,
        tenantId: a.tenant_id,
        payload: { audienceId: a.id },
        runAt,
        dedupeKey: `${REFRESH_QUEUE}:${a.id}:${runAt}`,
      },
      trx,
    );

  p.jobs.handle(REFRESH_QUEUE, async (payload) => {
    await p.tx(async (trx) => {
      const a = await trx
        .selectFrom('audiences')
        .selectAll()
        .where('id', '=', String(payload.audienceId))
        .executeTakeFirst();
      if (a?.kind !== 'dynamic') return ok(null);
      await refresh(trx, a);
      // Again tomorrow, so windows such as "in the last 30 days" follow the clock.
      await enqueueRefresh(trx, a, (Math.floor(clock.now() / DAY) + 1) * DAY);
      return ok(null);
    });
  });

  p.outbox.subscribe({
    name: 'audiences',
    async handle(events, trx) {
      for (const [tenantId, ids] of touchedByTenant(events, { tagsSetByRules: true })) {
        const audiences = await trx
          .selectFrom('audiences')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('kind', '=', 'dynamic')
          .execute();
        for (const a of audiences) await refresh(trx, a, ids);
      }
    },
  });

  const find = (ctx: Ctx, id: string) =>
    db
      .selectFrom('audiences')
      .selectAll()
      .where('tenant_id', '=', ctx.principal.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

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
      const row = await find(ctx, id);
      return row ? ok(toAudience(row)) : notFound('audience');
    },

    /** The audiences a customer (in the caller's scope) is in, and the last 100 entries and exits. */
    async ofCustomer(ctx: Ctx, publicId: string): Promise<Result<CustomerAudiences>> {
      const customer = await db
        .selectFrom('customers')
        .select('id')
        .where(customerScope(ctx))
        .where('public_id', '=', publicId)
        .executeTakeFirst();
      if (!customer) return notFound('customer');
      const tenantId = ctx.principal.tenantId;
      const [current, history] = await Promise.all([
        db
          .selectFrom('audience_members as m')
          .innerJoin('audiences as a', 'a.id', 'm.audience_id')
          .select(['a.id', 'a.name', 'a.kind', 'm.entered_at'])
          .where('m.tenant_id', '=', tenantId)
          .where('m.customer_id', '=', customer.id)
          .orderBy('m.entered_at', 'desc')
          .execute(),
        db
          .selectFrom('audience_history as h')
          .innerJoin('audiences as a', 'a.id', 'h.audience_id')
          .select(['h.audience_id', 'a.name', 'h.change', 'h.at'])
          .where('h.tenant_id', '=', tenantId)
          .where('h.customer_id', '=', customer.id)
          .orderBy('h.id', 'desc')
          .limit(100)
          .execute(),
      ]);
      return ok({
        current: current.map((c) => ({ id: c.id, name: c.name, kind: c.kind, since: c.entered_at })),
        history: history.map((h) => ({
          audienceId: h.audience_id,
          name: h.name,
          change: h.change,
          at: h.at,
        })),
      });
    },

    /** Sizes, pairwise overlaps and the common core of 2–5 audiences, within the caller's scope. */
    async overlap(ctx: Ctx, ids: readonly string[]): Promise<Result<AudienceOverlap>> {
      const rows = await db
        .selectFrom('audiences')
        .select(['id', 'name'])
        .where('tenant_id', '=', ctx.principal.tenantId)
        .where('id', 'in', [...ids])
        .execute();
      for (const [i, id] of ids.entries()) {
        if (!rows.some((r) => r.id === id)) return notFound('audience', `body.audienceIds.${i}`);
      }
      const unique = [...new Set(ids)];
      // Members the caller may see, with the audiences they are in.
      const members = await db
        .selectFrom('audience_members as m')
        .innerJoin('customers', 'customers.id', 'm.customer_id')
        .select(['m.audience_id', 'm.customer_id'])
        .where('m.tenant_id', '=', ctx.principal.tenantId)
        .where('m.audience_id', 'in', unique)
        .where(customerScope(ctx))
        .execute();
      const sets = new Map(unique.map((id) => [id, new Set<number>()]));
      for (const m of members) sets.get(m.audience_id)?.add(m.customer_id);
      const of = (id: string) => sets.get(id) ?? new Set<number>();
      const pairs = unique.flatMap((a, i) =>
        unique.slice(i + 1).map((b) => ({ a, b, both: [...of(a)].filter((c) => of(b).has(c)).length })),
      );
      const [first, ...rest] = unique;
      const all = [...of(first ?? '')].filter((c) => rest.every((id) => of(id).has(c))).length;
      return ok({
        audiences: unique.map((id) => ({
          id,
          name: rows.find((r) => r.id === id)?.name ?? '',
          size: of(id).size,
        })),
        pairs,
        all,
      });
    },

    /** Saves an audience; its members are computed at once, in the same transaction. */
    create(ctx: Ctx, input: CreateAudience): Promise<Result<Audience>> {
      return p.tx(async (trx) => {
        const tenantId = ctx.principal.tenantId;
        const checked = checkRule(
          input.rule,
          await ruleContextOf(trx, tenantId, await definitionsOf(trx, tenantId)),
        );
        if (!checked.ok) return checked;
        const now = clock.now();
        const row: Row = {
          id: newId('aud', now),
          tenant_id: tenantId,
          name: input.name,
          rule: JSON.stringify(input.rule),
          kind: input.kind,
          size: 0,
          refreshed_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('audiences').values(row).execute();
        await refresh(trx, row);
        if (row.kind === 'dynamic') await enqueueRefresh(trx, row, (Math.floor(now / DAY) + 1) * DAY);
        const saved = await trx
          .selectFrom('audiences')
          .selectAll()
          .where('id', '=', row.id)
          .executeTakeFirstOrThrow();
        const out = toAudience(saved);
        await audit.record(trx, ctx, {
          action: 'audience.created',
          targetType: 'audience',
          targetId: row.id,
          after: out,
        });
        return ok(out);
      });
    },
  };
}
