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
