import { z } from 'zod';
import { Email, Id, Mobile, PageQuery, page, Timestamp } from './common.ts';

export const OrgUnitKind = z.enum(['hq', 'region', 'store', 'department']);
export type OrgUnitKind = z.infer<typeof OrgUnitKind>;

export const OrgUnit = z.object({
  id: Id,
  parentId: Id.nullable(),
  name: z.string(),
  kind: OrgUnitKind,
  code: z.string().nullable(),
  depth: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type OrgUnit = z.infer<typeof OrgUnit>;

const UnitName = z.string().trim().min(1, 'must not be empty').max(100);
const UnitCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, - or _');

export const CreateOrgUnit = z.strictObject({
  parentId: Id,
  name: UnitName,
  kind: OrgUnitKind.exclude(['hq']),
  code: UnitCode.optional(),
});
export type CreateOrgUnit = z.infer<typeof CreateOrgUnit>;

/** Changing `parentId` moves the unit with its whole subtree. */
export const UpdateOrgUnit = z.strictObject({
  name: UnitName.optional(),
  kind: OrgUnitKind.exclude(['hq']).optional(),
  code: UnitCode.nullable().optional(),
  parentId: Id.optional(),
});
export type UpdateOrgUnit = z.infer<typeof UpdateOrgUnit>;

export const OrgUnitList = z.object({ data: z.array(OrgUnit) });

export const StaffStatus = z.enum(['active', 'departed']);

export const Staff = z.object({
  id: Id,
  name: z.string(),
  /** Masked (e.g. `138****8000`) unless the caller may see personal data. */
  mobile: z.string().nullable(),
  email: z.string().nullable(),
  wecomUserId: z.string().nullable(),
  title: z.string().nullable(),
  orgUnitId: Id,
  status: StaffStatus,
  departedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Staff = z.infer<typeof Staff>;

const WecomUserId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be 1–64 letters, digits or _ . @ -');

export const CreateStaff = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  orgUnitId: Id,
  mobile: Mobile.optional(),
  email: Email.optional(),
  wecomUserId: WecomUserId.optional(),
  title: z.string().trim().max(100).optional(),
});
export type CreateStaff = z.infer<typeof CreateStaff>;

export const UpdateStaff = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100).optional(),
  orgUnitId: Id.optional(),
  mobile: Mobile.nullable().optional(),
  email: Email.nullable().optional(),
  wecomUserId: WecomUserId.nullable().optional(),
  title: z.string().trim().max(100).nullable().optional(),
});
export type UpdateStaff = z.infer<typeof UpdateStaff>;

export const ListStaffQuery = z.strictObject({
  ...PageQuery,
  sort: z.enum(['createdAt', 'name']).default('createdAt'),
  /** Staff of this unit and every unit below it. */
  orgUnitId: Id.optional(),
  status: StaffStatus.optional(),
  /** Matches name, mobile, email or WeCom userid. */
  q: z.string().trim().max(100).optional(),
});
export type ListStaffQuery = z.infer<typeof ListStaffQuery>;
export const StaffPage = page(Staff);

export const DepartStaff = z.strictObject({
  /** When the staff member left; now if omitted. */
  departedAt: Timestamp.optional(),
});
export type DepartStaff = z.infer<typeof DepartStaff>;
