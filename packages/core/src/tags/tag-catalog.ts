import type { CreateTag, CreateTagGroup, Tag, TagGroup, UpdateTag, UpdateTagGroup } from '@pond/contracts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { findGroup, findTag, type TagRow, toTag } from './tag-rows.ts';

/** Tag groups and tags: names unique within a group, archived rather than deleted. */
export function createTagCatalog(p: Platform, audit: AuditLog) {
  const { db, clock } = p;
  return {
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
        await p.outbox.append(trx, {
          tenantId: ctx.principal.tenantId,
          type: 'tag_group.updated',
          aggregateType: 'tag_group',
          aggregateId: id,
          payload: { groupId: id },
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
        await p.outbox.append(trx, {
          tenantId,
          type: 'tag.created',
          aggregateType: 'tag',
          aggregateId: row.id,
          payload: { groupId: row.group_id },
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
        await p.outbox.append(trx, {
          tenantId,
          type: 'tag.updated',
          aggregateType: 'tag',
          aggregateId: id,
          payload: { groupId: next.group_id },
        });
        return ok(tag);
      });
    },
  };
}
