import { z } from 'zod';

/**
 * The kinds of identifier that point at a customer. `wechat_openid` is per app and
 * `marketplace_buyer_id` per marketplace: both carry a namespace (the appid, the marketplace).
 */
export const IdentityType = z.enum([
  'wecom_external_userid',
  'wechat_unionid',
  'wechat_openid',
  'phone',
  'email',
  'member_id',
  'marketplace_buyer_id',
  'anonymous_id',
  'user_id',
]);
export type IdentityType = z.infer<typeof IdentityType>;

export const NAMESPACED_IDENTITIES: ReadonlySet<IdentityType> = new Set([
  'wechat_openid',
  'marketplace_buyer_id',
]);

export const Identity = z.object({
  type: IdentityType,
  /** The appid for `wechat_openid`, the marketplace for `marketplace_buyer_id`; otherwise omitted. */
  namespace: z.string().trim().max(64).optional(),
  value: z.string().trim().min(1).max(256),
});
export type Identity = z.infer<typeof Identity>;

/** A tenant's order of identity types for choosing which profile survives a merge. */
export const IdentityPriority = z.object({
  /** Every identity type, highest priority first. */
  priority: z.array(IdentityType),
  /** Whether this is Pond's default order (the tenant has not set its own). */
  isDefault: z.boolean(),
});
export type IdentityPriority = z.infer<typeof IdentityPriority>;

export const SetIdentityPriority = z.strictObject({
  /** Every identity type exactly once, highest priority first; `null` returns to the default. */
  priority: z
    .array(IdentityType)
    .nullable()
    .refine((p) => p === null || (p.length === IdentityType.options.length && new Set(p).size === p.length), {
      message: `list each of the ${IdentityType.options.length} identity types exactly once`,
    }),
});
export type SetIdentityPriority = z.infer<typeof SetIdentityPriority>;
