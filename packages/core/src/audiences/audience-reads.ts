import type { AudienceOverlap, CustomerAudiences } from '@pond/contracts';
import type { Db } from '@pond/storage';
import { customerScope } from '../customers/scope.ts';
import type { Ctx } from '../shared/context.ts';
import { notFound, ok, type Result } from '../shared/result.ts';

/** The audiences a customer (in the caller's scope) is in, and the last 100 entries and exits. */
export async function audiencesOfCustomer(
  db: Db,
  ctx: Ctx,
  publicId: string,
): Promise<Result<CustomerAudiences>> {
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
}

/** Sizes, pairwise overlaps and the common core of 2–5 audiences, within the caller's scope. */
export async function overlapOf(db: Db, ctx: Ctx, ids: readonly string[]): Promise<Result<AudienceOverlap>> {
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
}
