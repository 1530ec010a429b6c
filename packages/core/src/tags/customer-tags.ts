import type { BulkOutcome, BulkTarget, CustomerTag, TagColor } from '@pond/contracts';
import type { Executor, Trx } from '@pond/storage';
import { chunked } from '../audiences/matching.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { customerScope } from '../customers/scope.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { EXPIRE_QUEUE, findTag, type TagOrigin } from './tag-rows.ts';

/**
 * Tags on customers: each row says where it came from and until when; putting on and taking
 * off go on the outbox, and expiries are durable timers.
 */
export function createCustomerTagging(p: Platform, audit: AuditLog) {
  const { db, clock } = p;

  /** Tags the tenant has with these ids, in use (not archived); the first unknown one fails. */
  async function usableTags(ex: Executor, tenantId: string, ids: readonly string[], field: string) {
    const rows = await ex
      .selectFrom('tags')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...ids])
      .execute();
    for (const [i, id] of ids.entries()) {
      const row = rows.find((r) => r.id === id);
      if (!row) return notFound('tag', `${field}.${i}`);
      if (row.archived_at !== null) {
        return fail('conflict', `the tag ${row.name} is archived; restore it first`, {
          field: `${field}.${i}`,
        });
      }
    }
    return ok(rows);
  }

  /**
   * Puts tags on customers (dense ids) inside the caller's transaction. A tag a customer
   * already carries keeps its origin and takes the new expiry. Returns the customers changed.
   */
  async function apply(
    trx: Trx,
    tenantId: string,
    customerIds: readonly number[],
    tagIds: readonly string[],
    origin: TagOrigin,
    expiresAt: number | null,
  ): Promise<Set<number>> {
    const now = clock.now();
    const changed = new Set<number>();
    if (customerIds.length === 0) return changed;
    const existing = await trx
      .selectFrom('customer_tags')
      .select(['customer_id', 'tag_id'])
      .where('tenant_id', '=', tenantId)
      .where('customer_id', 'in', [...customerIds])
      .where('tag_id', 'in', [...tagIds])
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .execute();
    const held = new Set(existing.map((r) => `${r.customer_id}:${r.tag_id}`));
    const rows = customerIds.flatMap((customerId) =>
      tagIds
        .filter((tagId) => !held.has(`${customerId}:${tagId}`))
        .map((tagId) => ({
          tenant_id: tenantId,
          customer_id: customerId,
          origin_customer_id: customerId,
          tag_id: tagId,
          source: origin.source,
          source_ref: origin.ref,
          source_name: origin.name,
          expires_at: expiresAt,
          created_at: now,
        })),
    );
    if (existing.length > 0) {
      await trx
        .updateTable('customer_tags')
        .set({ expires_at: expiresAt })
        .where('tenant_id', '=', tenantId)
        .where('customer_id', 'in', [...customerIds])
        .where('tag_id', 'in', [...tagIds])
        .execute();
    }
    for (const chunk of chunked(rows, 500)) {
      await trx.insertInto('customer_tags').values(chunk).execute();
    }
    if (rows.length > 0) {
      await p.outbox.append(
        trx,
        rows.map((r) => ({
          tenantId,
          type: 'customer.tagged',
          aggregateType: 'customer',
          aggregateId: String(r.customer_id),
          payload: { customerId: r.customer_id, tagId: r.tag_id, source: r.source, expiresAt },
        })),
      );
    }
    if (expiresAt !== null) {
      await p.jobs.enqueue(
        {
          queue: EXPIRE_QUEUE,
          tenantId,
          payload: { tenantId },
          runAt: expiresAt,
          dedupeKey: `${EXPIRE_QUEUE}:${tenantId}:${expiresAt}`,
        },
        trx,
      );
    }
    for (const r of rows) changed.add(r.customer_id);
    return changed;
  }

  /** Takes tags off customers; returns the customers changed. */
  async function remove(
    trx: Trx,
    tenantId: string,
    customerIds: readonly number[],
    tagIds: readonly string[],
    /** `sync`: WeCom no longer carries it (never sent back to WeCom). */
    reason: 'removed' | 'expired' | 'sync',
    now = clock.now(),
  ): Promise<Set<number>> {
    const gone = await trx
      .deleteFrom('customer_tags')
      .where('tenant_id', '=', tenantId)
      .where('customer_id', 'in', [...customerIds])
      .where('tag_id', 'in', [...tagIds])
      .returning(['customer_id', 'tag_id', 'expires_at'])
      .execute();
    // Rows already past their expiry were gone for readers: they changed nobody now.
    const visible = gone.filter((r) => r.expires_at === null || r.expires_at > now || reason === 'expired');
    const pairs = [...new Map(visible.map((r) => [`${r.customer_id}:${r.tag_id}`, r])).values()];
    if (pairs.length > 0) {
      await p.outbox.append(
        trx,
        pairs.map((r) => ({
          tenantId,
          type: 'customer.untagged',
          aggregateType: 'customer',
          aggregateId: String(r.customer_id),
          payload: { customerId: r.customer_id, tagId: r.tag_id, reason },
        })),
      );
    }
    return new Set(pairs.map((r) => r.customer_id));
  }

  /** The dense ids of the caller's customers among these public ids, and the ids not found. */
  async function visibleCustomers(ex: Executor, ctx: Ctx, publicIds: readonly string[]) {
    const rows: { id: number; public_id: string }[] = [];
    for (const chunk of chunked(publicIds, 500)) {
      rows.push(
        ...(await ex
          .selectFrom('customers')
          .select(['id', 'public_id'])
          .where(customerScope(ctx))
          .where('status', '=', 'active')
          .where('public_id', 'in', chunk)
          .execute()),
      );
    }
    const found = new Set(rows.map((r) => r.public_id));
    return { ids: rows.map((r) => r.id), notFound: [...new Set(publicIds)].filter((id) => !found.has(id)) };
  }

  /** The customers a bulk call is for: listed ids the caller sees, or an audience's members. */
  async function targetOf(
    ex: Executor,
    ctx: Ctx,
    target: BulkTarget,
  ): Promise<Result<{ ids: number[]; notFound: string[] }>> {
    if ('customerIds' in target) return ok(await visibleCustomers(ex, ctx, target.customerIds));
    const audience = await ex
      .selectFrom('audiences')
      .select('id')
      .where('tenant_id', '=', ctx.principal.tenantId)
      .where('id', '=', target.audienceId)
      .executeTakeFirst();
    if (!audience) return notFound('audience', 'body.audienceId');
    const rows = await ex
      .selectFrom('audience_members as m')
      .innerJoin('customers', 'customers.id', 'm.customer_id')
      .select('customers.id')
      .where('m.audience_id', '=', audience.id)
      .where(customerScope(ctx))
      .where('customers.status', '=', 'active')
      .execute();
    return ok({ ids: rows.map((r) => r.id), notFound: [] });
  }

  async function customerTags(ex: Executor, tenantId: string, customerId: number): Promise<CustomerTag[]> {
    const now = clock.now();
    const rows = await ex
      .selectFrom('customer_tags as ct')
      .innerJoin('tags as t', 't.id', 'ct.tag_id')
      .innerJoin('tag_groups as g', 'g.id', 't.group_id')
      .select([
        'ct.tag_id',
        't.name',
        't.color',
        'g.name as group_name',
        'ct.source',
        'ct.source_name',
        'ct.expires_at',
        'ct.created_at',
      ])
      .where('ct.tenant_id', '=', tenantId)
      .where('ct.customer_id', '=', customerId)
      .where((eb) => eb.or([eb('ct.expires_at', 'is', null), eb('ct.expires_at', '>', now)]))
      .orderBy('ct.id')
      .execute();
    // After a merge a customer may hold a tag twice; the earliest row speaks for it.
    const seen = new Set<string>();
    return rows
      .filter((r) => !seen.has(r.tag_id) && seen.add(r.tag_id))
      .map((r) => ({
        tagId: r.tag_id,
        name: r.name,
        color: r.color as TagColor,
        groupName: r.group_name,
        source: r.source,
        sourceName: r.source_name,
        expiresAt: r.expires_at,
        createdAt: r.created_at,
      }));
  }

  async function oneCustomer(ex: Executor, ctx: Ctx, publicId: string) {
    return ex
      .selectFrom('customers')
      .select(['id', 'status'])
      .where(customerScope(ctx))
      .where('status', '=', 'active')
      .where('public_id', '=', publicId)
      .executeTakeFirst();
  }

  const manual = (ctx: Ctx): TagOrigin => ({
    source: 'manual',
    ref: ctx.principal.id,
    name: ctx.principal.name,
  });

  p.jobs.handle(EXPIRE_QUEUE, async (payload) => {
    const tenantId = String(payload.tenantId);
    await p.tx(async (trx) => {
      const now = clock.now();
      const due = await trx
        .selectFrom('customer_tags')
        .select(['customer_id', 'tag_id'])
        .where('tenant_id', '=', tenantId)
        .where('expires_at', '<=', now)
        .execute();
      for (const r of due) await remove(trx, tenantId, [r.customer_id], [r.tag_id], 'expired', now);
      return ok(null);
    });
  });

  return {
    apply,
    remove,
    customerTags,

    /** Puts one tag on many customers (ids the caller may see, or an audience); others are reported. */
    bulkApply(ctx: Ctx, tagId: string, target: BulkTarget, expiresAt?: number): Promise<Result<BulkOutcome>> {
      return p.tx(async (trx) => {
        const tag = await findTag(trx, ctx.principal.tenantId, tagId);
        if (!tag) return notFound('tag');
        if (tag.archived_at !== null)
          return fail('conflict', `the tag ${tag.name} is archived; restore it first`);
        const found = await targetOf(trx, ctx, target);
        if (!found.ok) return found;
        const { ids, notFound: missing } = found.value;
        let changed = 0;
        for (const chunk of chunked(ids)) {
          changed += (
            await apply(trx, ctx.principal.tenantId, chunk, [tagId], manual(ctx), expiresAt ?? null)
          ).size;
        }
        const outcome = { changed, unchanged: ids.length - changed, notFound: missing };
        await audit.record(trx, ctx, {
          action: 'tag.applied',
          targetType: 'tag',
          targetId: tagId,
          after: { customers: ids.length, changed, expiresAt: expiresAt ?? null, ...target },
        });
        return ok(outcome);
      });
    },

    bulkRemove(ctx: Ctx, tagId: string, target: BulkTarget): Promise<Result<BulkOutcome>> {
      return p.tx(async (trx) => {
        const tag = await findTag(trx, ctx.principal.tenantId, tagId);
        if (!tag) return notFound('tag');
        const found = await targetOf(trx, ctx, target);
        if (!found.ok) return found;
        const { ids, notFound: missing } = found.value;
        let changed = 0;
        for (const chunk of chunked(ids)) {
          changed += (await remove(trx, ctx.principal.tenantId, chunk, [tagId], 'removed')).size;
        }
        const outcome = { changed, unchanged: ids.length - changed, notFound: missing };
        await audit.record(trx, ctx, {
          action: 'tag.removed',
          targetType: 'tag',
          targetId: tagId,
          after: { customers: ids.length, changed, ...target },
        });
        return ok(outcome);
      });
    },

    async ofCustomer(ctx: Ctx, publicId: string): Promise<Result<CustomerTag[]>> {
      const customer = await oneCustomer(db, ctx, publicId);
      if (!customer) return notFound('customer');
      return ok(await customerTags(db, ctx.principal.tenantId, customer.id));
    },

    tagCustomer(
      ctx: Ctx,
      publicId: string,
      tagIds: readonly string[],
      expiresAt?: number,
    ): Promise<Result<CustomerTag[]>> {
      return p.tx(async (trx) => {
        const customer = await oneCustomer(trx, ctx, publicId);
        if (!customer) return notFound('customer');
        const tags = await usableTags(trx, ctx.principal.tenantId, tagIds, 'body.tagIds');
        if (!tags.ok) return tags;
        if (expiresAt !== undefined && expiresAt <= clock.now()) {
          return fail('invalid_request', 'expiresAt must be in the future', { field: 'body.expiresAt' });
        }
        const before = await customerTags(trx, ctx.principal.tenantId, customer.id);
        await apply(trx, ctx.principal.tenantId, [customer.id], tagIds, manual(ctx), expiresAt ?? null);
        const after = await customerTags(trx, ctx.principal.tenantId, customer.id);
        await audit.record(trx, ctx, {
          action: 'customer.tagged',
          targetType: 'customer',
          targetId: publicId,
          before: { tags: before.map((t) => t.name) },
          after: { tags: after.map((t) => t.name) },
        });
        return ok(after);
      });
    },

    untagCustomer(ctx: Ctx, publicId: string, tagIds: readonly string[]): Promise<Result<CustomerTag[]>> {
      return p.tx(async (trx) => {
        const customer = await oneCustomer(trx, ctx, publicId);
        if (!customer) return notFound('customer');
        const before = await customerTags(trx, ctx.principal.tenantId, customer.id);
        await remove(trx, ctx.principal.tenantId, [customer.id], tagIds, 'removed');
        const after = await customerTags(trx, ctx.principal.tenantId, customer.id);
        await audit.record(trx, ctx, {
          action: 'customer.untagged',
          targetType: 'customer',
          targetId: publicId,
          before: { tags: before.map((t) => t.name) },
          after: { tags: after.map((t) => t.name) },
        });
        return ok(after);
      });
    },
  };
}
