import type { Tag, TagColor, TagSource } from '@pond/contracts';
import type { Executor, TagTable } from '@pond/storage';
import type { Selectable } from 'kysely';

export type TagRow = Selectable<TagTable>;

/** The queue of the durable timers that take expired tags off. */
export const EXPIRE_QUEUE = 'tags.expire';

/** Who or what puts a tag on: a person in the console, a rule, an import… */
export interface TagOrigin {
  readonly source: TagSource;
  readonly ref: string | null;
  readonly name: string | null;
}

export const toTag = (r: TagRow, customers: number): Tag => ({
  id: r.id,
  groupId: r.group_id,
  name: r.name,
  color: r.color as TagColor,
  archivedAt: r.archived_at,
  customers,
  createdAt: r.created_at,
});

export const findTag = (ex: Executor, tenantId: string, id: string) =>
  ex.selectFrom('tags').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
export const findGroup = (ex: Executor, tenantId: string, id: string) =>
  ex
    .selectFrom('tag_groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
