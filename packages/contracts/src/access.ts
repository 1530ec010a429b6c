import { z } from 'zod';
import { Email, Id, Locale, Mobile, PageQuery, page, Timestamp } from './common.ts';

export const Permission = z.enum([
  'org.read',
  'org.write',
  'staff.read',
  'staff.write',
  'users.read',
  'users.write',
  'api_keys.manage',
  'audit.read',
  /** See personal data (phone numbers, emails) unmasked. */
  'pii.view',
  'customers.read',
  'customers.write',
  'customers.import',
  'customers.export',
  /** Define custom customer attributes and the identity priority used to pick a merge survivor. */
  'customers.configure',
  /** Create, rename and archive tag groups and tags. */
  'tags.manage',
  /** Export everything held about a customer, and erase a customer. */
  'privacy.manage',
  'events.read',
  /** Create and disable event sources and their write keys. */
  'sources.manage',
  /** See loss alerts, customer groups and WeCom relationships (customers within scope). */
  'wecom.read',
  /** Configure the WeCom connection, see and retry its callbacks. */
  'wecom.manage',
]);
export type Permission = z.infer<typeof Permission>;

export const Role = z.enum(['owner', 'admin', 'operator', 'analyst', 'store_manager', 'staff']);
export type Role = z.infer<typeof Role>;

const all = Permission.options;

/**
 * What each role may do. Data scope is separate: every user is confined to the subtree of
 * their scope org unit, so a store manager scoped to a store sees only that store.
 */
export const rolePermissions: Record<Role, readonly Permission[]> = {
  owner: all,
  admin: all,
  operator: [
    'org.read',
    'staff.read',
    'users.read',
    'customers.read',
    'customers.write',
    'customers.import',
    'customers.export',
    'customers.configure',
    'tags.manage',
    'events.read',
    'wecom.read',
  ],
  analyst: ['org.read', 'staff.read', 'audit.read', 'customers.read', 'customers.export', 'events.read'],
  store_manager: [
    'org.read',
    'org.write',
    'staff.read',
    'staff.write',
    'users.read',
    'pii.view',
    'customers.read',
    'customers.write',
    'events.read',
  ],
  /** Frontline staff see only the customers they own (their linked staff member's). */
  staff: ['org.read', 'staff.read', 'customers.read', 'customers.write', 'pii.view', 'wecom.read'],
};

export const RoleInfo = z.object({ role: Role, permissions: z.array(Permission) });
export type RoleInfo = z.infer<typeof RoleInfo>;

export const SignIn = z.strictObject({
  /** An email address or a mobile number. */
  identifier: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(256),
});
export type SignIn = z.infer<typeof SignIn>;

/** A password rule both the console and the server apply. */
export const NewPassword = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters');

export const ChangePassword = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: NewPassword,
});
export type ChangePassword = z.infer<typeof ChangePassword>;

export const User = z.object({
  id: Id,
  name: z.string(),
  email: z.string().nullable(),
  mobile: z.string().nullable(),
  role: Role,
  scopeUnitId: Id,
  staffId: Id.nullable(),
  status: z.enum(['active', 'disabled']),
  locale: Locale,
  lastSignInAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const Me = z.object({
  user: User,
  tenant: z.object({ id: Id, name: z.string(), slug: z.string() }),
  permissions: z.array(Permission),
  /** Send back as the `x-csrf-token` header on every state-changing request. */
  csrfToken: z.string(),
});
export type Me = z.infer<typeof Me>;

export const CreateUser = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    email: Email.optional(),
    mobile: Mobile.optional(),
    password: NewPassword,
    role: Role,
    scopeUnitId: Id.optional(),
    staffId: Id.optional(),
    locale: Locale.default('zh-CN'),
  })
  .refine((u) => u.email !== undefined || u.mobile !== undefined, {
    message: 'an email or a mobile number is required to sign in',
    path: ['email'],
  });
export type CreateUser = z.infer<typeof CreateUser>;

export const UpdateUser = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  role: Role.optional(),
  scopeUnitId: Id.optional(),
  staffId: Id.nullable().optional(),
  status: z.enum(['active', 'disabled']).optional(),
  locale: Locale.optional(),
});
export type UpdateUser = z.infer<typeof UpdateUser>;

export const ListUsersQuery = z.strictObject({
  ...PageQuery,
  q: z.string().trim().max(100).optional(),
  role: Role.optional(),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;
export const UserPage = page(User);

export const ApiKey = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(Permission),
  createdBy: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateApiKey = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(Permission).min(1).max(Permission.options.length),
});
export type CreateApiKey = z.infer<typeof CreateApiKey>;

/** The only time the secret is shown: it is stored hashed. */
export const CreatedApiKey = z.object({ apiKey: ApiKey, secret: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;
