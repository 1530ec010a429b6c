import { z } from 'zod';
import { AttributeKey } from './attributes.ts';
import { Id, PageQuery, page, Timestamp } from './common.ts';
import { Identity } from './identities.ts';

export const Gender = z.enum(['male', 'female', 'unknown']);
export const CustomerStatus = z.enum(['active', 'merged', 'erased']);

const Text = (max = 100) => z.string().trim().min(1).max(max);
const BirthDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 1990-05-17')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'is not a real date');

export const Customer = z.object({
  id: Id,
  name: z.string().nullable(),
  gender: Gender,
  birthday: z.string().nullable(),
  /** Masked unless the caller may see personal data. */
  phone: z.string().nullable(),
  email: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  membershipLevel: z.string().nullable(),
  lifecycleStage: z.string().nullable(),
  sourceChannel: z.string().nullable(),
  ownerStaffId: Id.nullable(),
  storeId: Id.nullable(),
  attributes: z.record(z.string(), z.unknown()),
  firstSeenAt: Timestamp.nullable(),
  lastActiveAt: Timestamp.nullable(),
  orderCount: z.number().int(),
  totalSpend: z.number(),
  averageOrderValue: z.number().nullable(),
  lastOrderAt: Timestamp.nullable(),
  status: CustomerStatus,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Customer = z.infer<typeof Customer>;

export const CustomerIdentity = z.object({
  type: Identity.shape.type,
  namespace: z.string().nullable(),
  /** Phones and emails masked unless the caller may see personal data. */
  value: z.string(),
  source: z.string(),
  createdAt: Timestamp,
});
export type CustomerIdentity = z.infer<typeof CustomerIdentity>;

export const CustomerDetail = Customer.extend({ identities: z.array(CustomerIdentity) });
export type CustomerDetail = z.infer<typeof CustomerDetail>;

const ProfileFields = {
  name: Text().optional(),
  gender: Gender.optional(),
  birthday: BirthDate.optional(),
  region: Text(50).optional(),
  city: Text(50).optional(),
  membershipLevel: Text(50).optional(),
  // No lifecycleStage: the stage is computed by stratification and refused as input.
  sourceChannel: Text(100).optional(),
  ownerStaffId: Id.optional(),
  storeId: Id.optional(),
};

/** A new customer; `phone` and `email` also become identities, matched against existing profiles. */
export const CreateCustomer = z.strictObject({
  ...ProfileFields,
  phone: z.string().trim().min(1).max(32).optional(),
  email: z.string().trim().min(1).max(254).optional(),
  identities: z.array(Identity).max(20).default([]),
  /** Custom attribute values, keyed by attribute definitions; checked against their types. */
  attributes: z.record(AttributeKey, z.unknown()).optional(),
});
export type CreateCustomer = z.infer<typeof CreateCustomer>;

/** `null` clears a field; in `attributes`, `null` removes that attribute's value. */
export const UpdateCustomer = z.strictObject({
  ...(Object.fromEntries(
    Object.entries(ProfileFields).map(([k, v]) => [k, v.unwrap().nullable().optional()]),
  ) as {
    [K in keyof typeof ProfileFields]: z.ZodOptional<
      z.ZodNullable<ReturnType<(typeof ProfileFields)[K]['unwrap']>>
    >;
  }),
  attributes: z.record(AttributeKey, z.unknown()).optional(),
});
export type UpdateCustomer = z.infer<typeof UpdateCustomer>;

export const ListCustomersQuery = z.strictObject({
  ...PageQuery,
  /** A name fragment, or an exact phone, email or any other identifier. */
  q: z.string().trim().min(1).max(100).optional(),
  ownerStaffId: Id.optional(),
  storeId: Id.optional(),
  lifecycleStage: z.string().max(50).optional(),
  membershipLevel: z.string().max(50).optional(),
  sourceChannel: z.string().max(100).optional(),
  city: z.string().max(50).optional(),
  /** Customers carrying this tag now. */
  tagId: Id.optional(),
  /** Members of this saved audience. */
  audienceId: Id.optional(),
  createdFrom: z.coerce.number().int().nonnegative().optional(),
  createdTo: z.coerce.number().int().nonnegative().optional(),
});
export type ListCustomersQuery = z.infer<typeof ListCustomersQuery>;
export const CustomerPage = page(Customer);

/** The most common values of the free-text profile fields, for filter pickers. */
export const CustomerFacets = z.object({
  membershipLevel: z.array(z.object({ value: z.string(), count: z.number().int() })),
  lifecycleStage: z.array(z.object({ value: z.string(), count: z.number().int() })),
  sourceChannel: z.array(z.object({ value: z.string(), count: z.number().int() })),
  city: z.array(z.object({ value: z.string(), count: z.number().int() })),
});
export type CustomerFacets = z.infer<typeof CustomerFacets>;

export const AttachIdentities = z.strictObject({ identities: z.array(Identity).min(1).max(20) });
export type AttachIdentities = z.infer<typeof AttachIdentities>;

export const ResolveOutcome = z.object({
  customer: CustomerDetail,
  /** Public ids of profiles folded into this one. */
  merged: z.array(Id),
  conflicts: z.array(z.object({ identity: Identity, reason: z.string() })),
});
export type ResolveOutcome = z.infer<typeof ResolveOutcome>;

export const TimelineItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('event'),
    id: z.number().int(),
    at: Timestamp,
    type: z.string(),
    name: z.string(),
    properties: z.record(z.string(), z.unknown()),
  }),
  z.object({
    kind: z.literal('change'),
    id: z.number().int(),
    at: Timestamp,
    changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
    source: z.string(),
    actor: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('note'),
    id: z.number().int(),
    at: Timestamp,
    body: z.string(),
    author: z.string(),
  }),
  z.object({
    kind: z.literal('merge'),
    id: z.number().int(),
    at: Timestamp,
    status: z.enum(['merged', 'unmerged']),
    survivorId: Id,
    mergedId: Id,
    reason: z.string(),
  }),
]);
export type TimelineItem = z.infer<typeof TimelineItem>;

export const TimelineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});
export type TimelineQuery = z.infer<typeof TimelineQuery>;
export const TimelinePage = page(TimelineItem);

export const AddNote = z.strictObject({ body: z.string().trim().min(1).max(4000) });
export type AddNote = z.infer<typeof AddNote>;

export const MergeRecord = z.object({
  id: z.number().int(),
  survivorId: Id,
  mergedId: Id,
  reason: z.string(),
  status: z.enum(['merged', 'unmerged']),
  createdAt: Timestamp,
  unmergedAt: Timestamp.nullable(),
});
export type MergeRecord = z.infer<typeof MergeRecord>;

export const ManualMerge = z.strictObject({ survivorId: Id, mergedId: Id });
export type ManualMerge = z.infer<typeof ManualMerge>;

export const ExportCustomersQuery = ListCustomersQuery.omit({
  limit: true,
  cursor: true,
  order: true,
}).extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
});
export type ExportCustomersQuery = z.infer<typeof ExportCustomersQuery>;
