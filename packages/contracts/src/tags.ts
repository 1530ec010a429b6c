import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

export const TagColor = z.enum([
  'blue',
  'green',
  'gold',
  'orange',
  'red',
  'purple',
  'cyan',
  'magenta',
  'gray',
]);
export type TagColor = z.infer<typeof TagColor>;

export const TagSource = z.enum(['manual', 'rule', 'event', 'import', 'journey', 'sync']);
export type TagSource = z.infer<typeof TagSource>;

export const Tag = z.object({
  id: Id,
  groupId: Id,
  name: z.string(),
  color: TagColor,
  /** Archived tags stay on customers and can be restored; they are not offered for tagging. */
  archivedAt: Timestamp.nullable(),
  /** Customers carrying the tag now. */
  customers: z.number().int(),
  createdAt: Timestamp,
});
export type Tag = z.infer<typeof Tag>;

export const TagGroup = z.object({
  id: Id,
  name: z.string(),
  tags: z.array(Tag),
  createdAt: Timestamp,
});
export type TagGroup = z.infer<typeof TagGroup>;

const Name = z.string().trim().min(1).max(50);

export const CreateTagGroup = z.strictObject({ name: Name });
export type CreateTagGroup = z.infer<typeof CreateTagGroup>;
export const UpdateTagGroup = z.strictObject({ name: Name });
export type UpdateTagGroup = z.infer<typeof UpdateTagGroup>;

export const CreateTag = z.strictObject({ groupId: Id, name: Name, color: TagColor.default('blue') });
export type CreateTag = z.infer<typeof CreateTag>;
export const UpdateTag = z.strictObject({
  groupId: Id.optional(),
  name: Name.optional(),
  color: TagColor.optional(),
  archived: z.boolean().optional(),
});
export type UpdateTag = z.infer<typeof UpdateTag>;

/** A tag on one customer, with where it came from. */
export const CustomerTag = z.object({
  tagId: Id,
  name: z.string(),
  color: TagColor,
  groupName: z.string(),
  source: TagSource,
  /** Who or what applied it: a user's name, a rule's name… */
  sourceName: z.string().nullable(),
  expiresAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type CustomerTag = z.infer<typeof CustomerTag>;

export const TagCustomer = z.strictObject({
  tagIds: z.array(Id).min(1).max(50),
  /** When the tags come off by themselves; omitted, they stay. */
  expiresAt: Timestamp.optional(),
});
export type TagCustomer = z.infer<typeof TagCustomer>;

export const UntagCustomer = z.strictObject({ tagIds: z.array(Id).min(1).max(50) });
export type UntagCustomer = z.infer<typeof UntagCustomer>;

const oneTarget = {
  message: 'give customerIds or audienceId, one of them',
  path: ['customerIds'],
};
const exactlyOne = (b: { customerIds?: unknown; audienceId?: unknown }) =>
  (b.customerIds === undefined) !== (b.audienceId === undefined);

/** Bulk tagging: up to 10,000 customer ids, or every member of a saved audience. */
export const BulkTag = z
  .strictObject({
    customerIds: z.array(Id).min(1).max(10_000).optional(),
    audienceId: Id.optional(),
    expiresAt: Timestamp.optional(),
  })
  .refine(exactlyOne, oneTarget);
export type BulkTag = z.infer<typeof BulkTag>;

export const BulkUntag = z
  .strictObject({ customerIds: z.array(Id).min(1).max(10_000).optional(), audienceId: Id.optional() })
  .refine(exactlyOne, oneTarget);
export type BulkUntag = z.infer<typeof BulkUntag>;

/** Whom a bulk call is for. */
export type BulkTarget = { readonly customerIds: readonly string[] } | { readonly audienceId: string };

export const BulkOutcome = z.object({
  /** Customers the call changed. */
  changed: z.number().int(),
  /** Customers it left as they were (already tagged, or untagged). */
  unchanged: z.number().int(),
  /** Ids not found among the customers the caller may see. */
  notFound: z.array(z.string()),
});
export type BulkOutcome = z.infer<typeof BulkOutcome>;
