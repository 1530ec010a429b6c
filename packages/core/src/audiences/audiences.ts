import type { Customer, ExplainAudience, ExplainedNode, PreviewAudience, Rule } from '@pond/contracts';
import { sql } from 'kysely';
import { definitionsOf } from '../customers/attributes.ts';
import { toCustomer } from '../customers/customer-view.ts';
import { customerScope } from '../customers/scope.ts';
import type { Platform } from '../platform/platform.ts';
import { type Ctx, can } from '../shared/context.ts';
import { notFound, ok, type Result } from '../shared/result.ts';
import { RoaringBitmap32 } from './engine/bitmaps.ts';
import type { AudienceEngine } from './engine/engine.ts';
import { checkRule, ruleContextOf } from './rule-check.ts';
import { ruleToSql, sqlOf } from './rule-sql.ts';

export interface AudiencePreview {
  readonly count: number;
  readonly sample: Customer[];
  /** The in-memory index, or the database while the index is not ready (or is off). */
  readonly answeredBy: 'index' | 'database';
  readonly tookMs: number;
}

export function createAudiences(p: Platform, engine?: AudienceEngine) {
  const { db, clock } = p;
  return {
    /** How many of the customers the caller sees match a rule now, and the newest few of them. */
    async preview(ctx: Ctx, input: PreviewAudience): Promise<Result<AudiencePreview>> {
      const tenantId = ctx.principal.tenantId;
      const definitions = await definitionsOf(db, tenantId);
      const checked = checkRule(input.rule, await ruleContextOf(db, tenantId, definitions, input.rule));
      if (!checked.ok) return checked;
      const env = { tenantId, now: clock.now(), dialect: p.dialect, definitions };
      const unmasked = can(ctx, 'pii.view');
      const started = performance.now();
      const took = () => Math.round((performance.now() - started) * 100) / 100;
      // The bitmap engine when its index is ready; the SQL reference otherwise.
      const members = await engine?.evaluate(db, env, checked.value);
      if (members && engine) {
        const scope = await engine.scope(db, ctx);
        const seen = scope ? RoaringBitmap32.and(members, scope) : members;
        const newest = engine.newest(tenantId, seen, 10);
        if (newest) {
          const rows =
            newest.length === 0
              ? []
              : await db
                  .selectFrom('customers')
                  .selectAll()
                  .where('id', 'in', newest)
                  .orderBy('created_at', 'desc')
                  .orderBy('id', 'desc')
                  .execute();
          return ok({
            count: seen.size,
            sample: rows.map((r) => toCustomer(r, unmasked)),
            answeredBy: 'index',
            tookMs: took(),
          });
        }
      }
      const matches = ruleToSql(checked.value, env);
      const base = db
        .selectFrom('customers')
        .where(customerScope(ctx))
        .where('status', '=', 'active')
        .where(matches);
      const [total, rows] = await Promise.all([
        base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
        base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(10).execute(),
      ]);
      return ok({
        count: Number(total.n),
        sample: rows.map((r) => toCustomer(r, unmasked)),
        answeredBy: 'database',
        tookMs: took(),
      });
    },

    /** Why one customer is in or out: each node of the rule, held or not, with its value. */
    async explain(ctx: Ctx, input: ExplainAudience): Promise<Result<ExplainedNode>> {
      const tenantId = ctx.principal.tenantId;
      const customer = await db
        .selectFrom('customers')
        .select('id')
        .where(customerScope(ctx))
        .where('public_id', '=', input.customerId)
        .executeTakeFirst();
      if (!customer) return notFound('customer', 'body.customerId');
      const definitions = await definitionsOf(db, tenantId);
      const checked = checkRule(input.rule, await ruleContextOf(db, tenantId, definitions, input.rule));
      if (!checked.ok) return checked;
      const now = clock.now();
      const { condition, value } = sqlOf({ tenantId, now, dialect: p.dialect, definitions });
      const one = () => db.selectFrom('customers').where('customers.id', '=', customer.id);
      const walk = async (r: Rule, path: string): Promise<ExplainedNode> => {
        if (r.kind === 'all' || r.kind === 'any') {
          const children = await Promise.all(r.rules.map((c, i) => walk(c, `${path}.rules.${i}`)));
          const held = r.kind === 'all' ? children.every((c) => c.held) : children.some((c) => c.held);
          return { path, kind: r.kind, held, children };
        }
        if (r.kind === 'not') {
          const child = await walk(r.rule, `${path}.rule`);
          return { path, kind: r.kind, held: !child.held, children: [child] };
        }
        const held =
          (await one()
            .select('customers.id')
            .where((eb) => condition(eb, r))
            .executeTakeFirst()) !== undefined;
        if (r.kind === 'tags') {
          const rows = await db
            .selectFrom('customer_tags')
            .select('tag_id')
            .where('tenant_id', '=', tenantId)
            .where('customer_id', '=', customer.id)
            .where('tag_id', 'in', r.tagIds)
            .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
            .execute();
          return { path, kind: r.kind, held, value: [...new Set(rows.map((x) => x.tag_id))] };
        }
        if (r.kind === 'customer_group') {
          const rows = await db
            .selectFrom('wecom_group_members')
            .select('group_id')
            .where('tenant_id', '=', tenantId)
            .where('customer_id', '=', customer.id)
            .where('status', '=', 'member')
            .where('group_id', 'in', r.groupIds)
            .execute();
          return { path, kind: r.kind, held, value: [...new Set(rows.map((x) => x.group_id))] };
        }
        if (r.kind === 'org_unit') {
          // What placed the customer in (or out of) the subtree: the owner's unit and the store.
          const where = await one()
            .leftJoin('staff as s', (j) =>
              j.onRef('s.id', '=', 'customers.owner_staff_id').on('s.tenant_id', '=', tenantId),
            )
            .select(['customers.owner_staff_id', 's.org_unit_id', 'customers.store_id'])
            .executeTakeFirstOrThrow();
          const value = {
            ownerStaffId: where.owner_staff_id,
            ownerUnitId: where.org_unit_id,
            storeId: where.store_id,
          };
          return { path, kind: r.kind, held, value };
        }
        const v = await one()
          .select((eb) => sql`${value(eb, r) ?? sql`null`}`.as('v'))
          .executeTakeFirst();
        return { path, kind: r.kind, held, value: (v as { v?: unknown } | undefined)?.v ?? null };
      };
      return ok(await walk(checked.value, 'rule'));
    },
  };
}
