import type {
  BulkOutcome,
  CreateTag,
  CreateTagGroup,
  CustomerTag,
  Tag,
  TagColor,
  TagGroup,
  TagSource,
  UpdateTag,
  UpdateTagGroup,
} from '@pond/contracts';
import type { Executor, TagTable, Trx } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { customerScope } from '../customers/scope.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';

type TagRow = Selectable<TagTable>;

export const EXPIRE_QUEUE = 'tags.expire';

/** Who or what puts a tag on: a person in the console, a rule, an import… */
export interface TagOrigin {
  readonly source: TagSource;
  readonly ref: string | null;
  readonly name: string | null;
}

const toTag = (r: TagRow, customers: number): Tag => ({
  id: r.id,
  groupId: r.group_id,
  name: r.name,
  color: r.color as TagColor,
  archivedAt: r.archived_at,
  customers,
  createdAt: r.created_at,
});

export type Tags = ReturnType<typeof createTags>;

export function createTags(p: Platform, audit: AuditLog) {
  const { db, clock } = p;

  const findTag = (ex: Executor, tenantId: string, id: string) =>
    ex
      .selectFrom('tags')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  const findGroup = (ex: Executor, tenantId: string, id: string) =>
    ex
      .selectFrom('tag_groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

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
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto('customer_tags')
        .values(rows.slice(i, i + 500))
        .execute();
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
    reason: 'removed' | 'expired',
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
    for (let i = 0; i < publicIds.length; i += 500) {
      rows.push(
        ...(await ex
          .selectFrom('customers')
          .select(['id', 'public_id'])
          .where(customerScope(ctx))
          .where('status', '=', 'active')
          .where('public_id', 'in', publicIds.slice(i, i + 500))
          .execute()),
      );
    }
    const found = new Set(rows.map((r) => r.public_id));
    return { ids: rows.map((r) => r.id), notFound: [...new Set(publicIds)].filter((id) => !found.has(id)) };
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

    async groups(ctx: Ctx): Promise<TagGroup[]> {
      const tenantId = ctx.principal.tenantId;
      const now = clock.now();
      const [groups, tags, counts] = await Promise.all([
        db
          .selectFrom('tag_groups')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .orderBy('created_at')
          .execute(),
        db.selectFrom('tags').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute(),
        db
          .selectFrom('customer_tags')
          .select((eb) => ['tag_id', eb.fn.count<number | string>('customer_id').distinct().as('n')])
          .where('tenant_id', '=', tenantId)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .groupBy('tag_id')
          .execute(),
      ]);
      const count = new Map(counts.map((c) => [c.tag_id, Number(c.n)]));
      return groups.map((g) => ({
        id: g.id,
        name: g.name,
        createdAt: g.created_at,
        tags: tags.filter((t) => t.group_id === g.id).map((t) => toTag(t, count.get(t.id) ?? 0)),
      }));
    },

    createGroup(ctx: Ctx, input: CreateTagGroup): Promise<Result<TagGroup>> {
      return p.tx(async (trx) => {
        const tenantId = ctx.principal.tenantId;
        const taken = await trx
          .selectFrom('tag_groups')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('name', '=', input.name)
          .executeTakeFirst();
        if (taken)
          return fail('conflict', `a tag group named ${input.name} exists already`, { field: 'body.name' });
        const now = clock.now();
        const row = {
          id: newId('tgg', now),
          tenant_id: tenantId,
          name: input.name,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('tag_groups').values(row).execute();
        const group: TagGroup = { id: row.id, name: row.name, createdAt: now, tags: [] };
        await audit.record(trx, ctx, {
          action: 'tag_group.created',
          targetType: 'tag_group',
          targetId: row.id,
          after: { name: row.name },
        });
        return ok(group);
      });
    },

    updateGroup(ctx: Ctx, id: string, input: UpdateTagGroup): Promise<Result<{ id: string; name: string }>> {
      return p.tx(async (trx) => {
        const group = await findGroup(trx, ctx.principal.tenantId, id);
        if (!group) return notFound('tag group');
        const taken = await trx
          .selectFrom('tag_groups')
          .select('id')
          .where('tenant_id', '=', ctx.principal.tenantId)
          .where('name', '=', input.name)
          .where('id', '!=', id)
          .executeTakeFirst();
        if (taken)
          return fail('conflict', `a tag group named ${input.name} exists already`, { field: 'body.name' });
        await trx
          .updateTable('tag_groups')
          .set({ name: input.name, updated_at: clock.now() })
          .where('id', '=', id)
          .execute();
        await audit.record(trx, ctx, {
          action: 'tag_group.updated',
          targetType: 'tag_group',
          targetId: id,
          before: { name: group.name },
          after: { name: input.name },
        });
        return ok({ id, name: input.name });
      });
    },

    removeGroup(ctx: Ctx, id: string): Promise<Result<{ id: string }>> {
      return p.tx(async (trx) => {
        const group = await findGroup(trx, ctx.principal.tenantId, id);
        if (!group) return notFound('tag group');
        const tag = await trx.selectFrom('tags').select('id').where('group_id', '=', id).executeTakeFirst();
        if (tag)
          return fail(
            'conflict',
            'the group still holds tags; move or archive them into another group first',
          );
        await trx.deleteFrom('tag_groups').where('id', '=', id).execute();
        await audit.record(trx, ctx, {
          action: 'tag_group.deleted',
          targetType: 'tag_group',
          targetId: id,
          before: { name: group.name },
        });
        return ok({ id });
      });
    },

    create(ctx: Ctx, input: CreateTag): Promise<Result<Tag>> {
      return p.tx(async (trx) => {
        const tenantId = ctx.principal.tenantId;
        if (!(await findGroup(trx, tenantId, input.groupId))) return notFound('tag group', 'body.groupId');
        const taken = await trx
          .selectFrom('tags')
          .select('id')
          .where('group_id', '=', input.groupId)
          .where('name', '=', input.name)
          .executeTakeFirst();
        if (taken)
          return fail('conflict', `the group already has a tag named ${input.name}`, { field: 'body.name' });
        const now = clock.now();
        const row: TagRow = {
          id: newId('tag', now),
          tenant_id: tenantId,
          group_id: input.groupId,
          name: input.name,
          color: input.color,
          archived_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('tags').values(row).execute();
        const tag = toTag(row, 0);
        await audit.record(trx, ctx, {
          action: 'tag.created',
          targetType: 'tag',
          targetId: row.id,
          after: tag,
        });
        return ok(tag);
      });
    },

    update(ctx: Ctx, id: string, input: UpdateTag): Promise<Result<Tag>> {
      return p.tx(async (trx) => {
        const tenantId = ctx.principal.tenantId;
        const row = await findTag(trx, tenantId, id);
        if (!row) return notFound('tag');
        const groupId = input.groupId ?? row.group_id;
        if (input.groupId && !(await findGroup(trx, tenantId, input.groupId)))
          return notFound('tag group', 'body.groupId');
        const name = input.name ?? row.name;
        if (name !== row.name || groupId !== row.group_id) {
          const taken = await trx
            .selectFrom('tags')
            .select('id')
            .where('group_id', '=', groupId)
            .where('name', '=', name)
            .where('id', '!=', id)
            .executeTakeFirst();
          if (taken)
            return fail('conflict', `the group already has a tag named ${name}`, { field: 'body.name' });
        }
        const now = clock.now();
        const next: TagRow = {
          ...row,
          group_id: groupId,
          name,
          color: input.color ?? row.color,
          archived_at:
            input.archived === undefined ? row.archived_at : input.archived ? (row.archived_at ?? now) : null,
          updated_at: now,
        };
        await trx
          .updateTable('tags')
          .set({
            group_id: next.group_id,
            name: next.name,
            color: next.color,
            archived_at: next.archived_at,
            updated_at: now,
          })
          .where('id', '=', id)
          .execute();
        const count = await trx
          .selectFrom('customer_tags')
          .select((eb) => eb.fn.count<number | string>('customer_id').distinct().as('n'))
          .where('tenant_id', '=', tenantId)
          .where('tag_id', '=', id)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .executeTakeFirstOrThrow();
        const tag = toTag(next, Number(count.n));
        await audit.record(trx, ctx, {
          action: 'tag.updated',
          targetType: 'tag',
          targetId: id,
          before: toTag(row, tag.customers),
          after: tag,
        });
        return ok(tag);
      });
    },

    /** Puts one tag on many customers (ids the caller may see); others are reported. */
    bulkApply(
      ctx: Ctx,
      tagId: string,
      customerIds: readonly string[],
      expiresAt?: number,
    ): Promise<Result<BulkOutcome>> {
      return p.tx(async (trx) => {
        const tag = await findTag(trx, ctx.principal.tenantId, tagId);
        if (!tag) return notFound('tag');
        if (tag.archived_at !== null)
          return fail('conflict', `the tag ${tag.name} is archived; restore it first`);
        const found = await visibleCustomers(trx, ctx, customerIds);
        const changed = await apply(
          trx,
          ctx.principal.tenantId,
          found.ids,
          [tagId],
          manual(ctx),
          expiresAt ?? null,
        );
        const outcome = {
          changed: changed.size,
          unchanged: found.ids.length - changed.size,
          notFound: found.notFound,
        };
        await audit.record(trx, ctx, {
          action: 'tag.applied',
          targetType: 'tag',
          targetId: tagId,
          after: { customers: found.ids.length, changed: outcome.changed, expiresAt: expiresAt ?? null },
        });
        return ok(outcome);
      });
    },

    bulkRemove(ctx: Ctx, tagId: string, customerIds: readonly string[]): Promise<Result<BulkOutcome>> {
      return p.tx(async (trx) => {
        const tag = await findTag(trx, ctx.principal.tenantId, tagId);
        if (!tag) return notFound('tag');
        const found = await visibleCustomers(trx, ctx, customerIds);
        const changed = await remove(trx, ctx.principal.tenantId, found.ids, [tagId], 'removed');
        const outcome = {
          changed: changed.size,
          unchanged: found.ids.length - changed.size,
          notFound: found.notFound,
        };
        await audit.record(trx, ctx, {
          action: 'tag.removed',
          targetType: 'tag',
          targetId: tagId,
          after: { customers: found.ids.length, changed: outcome.changed },
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
