import { type Identity, NAMESPACED_IDENTITIES } from '@pond/contracts';
import { normalizeMobile } from '../shared/personal-data.ts';
import { fail, ok, type Result } from '../shared/result.ts';

export interface NormalizedIdentity {
  readonly type: Identity['type'];
  /** '' for types without a namespace. */
  readonly namespace: string;
  readonly value: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TOKEN = /^[\x21-\x7e]{1,256}$/;
/** SDK user ids, anonymous ids and member ids are the integrator's own: any printable text. */
const FREE_TEXT = /^\P{Cc}{1,256}$/u;
const FREE_TEXT_TYPES = new Set(['user_id', 'anonymous_id', 'member_id', 'marketplace_buyer_id']);

/**
 * Brings an identifier to the one form it is stored and matched in: phones in E.164 (+86 by
 * default), emails lower-cased, ids trimmed. `field` names the input for error messages.
 */
export function normalizeIdentity(identity: Identity, field: string): Result<NormalizedIdentity> {
  const namespaced = NAMESPACED_IDENTITIES.has(identity.type);
  const namespace = identity.namespace?.trim() ?? '';
  if (namespaced && !namespace) {
    return fail('invalid_request', `${identity.type} needs a namespace (the appid or marketplace)`, {
      field: `${field}.namespace`,
    });
  }
  if (!namespaced && namespace) {
    return fail('invalid_request', `${identity.type} takes no namespace`, { field: `${field}.namespace` });
  }
  const raw = identity.value.trim();
  switch (identity.type) {
    case 'phone': {
      const m = normalizeMobile(raw, `${field}.value`);
      return m.ok ? ok({ type: 'phone', namespace, value: m.value }) : m;
    }
    case 'email': {
      const value = raw.toLowerCase();
      return EMAIL.test(value) && value.length <= 254
        ? ok({ type: 'email', namespace, value })
        : fail('invalid_request', `"${raw}" is not an email address`, { field: `${field}.value` });
    }
    default:
      return (FREE_TEXT_TYPES.has(identity.type) ? FREE_TEXT : TOKEN).test(raw)
        ? ok({ type: identity.type, namespace, value: raw })
        : fail(
            'invalid_request',
            `${identity.type} must be 1–256 characters (visible ASCII for platform ids)`,
            {
              field: `${field}.value`,
            },
          );
  }
}

/**
 * Identity types, highest priority first. The customer matched by the highest-priority
 * identity survives a merge. Single-valued types may appear at most once on a profile: two
 * profiles holding different values of one are different people, and are never merged.
 */
export const IDENTITY_PRIORITY: readonly Identity['type'][] = [
  'user_id',
  'member_id',
  'wechat_unionid',
  'wecom_external_userid',
  'phone',
  'email',
  'wechat_openid',
  'marketplace_buyer_id',
  'anonymous_id',
];

export const SINGLE_VALUED: ReadonlySet<Identity['type']> = new Set([
  'user_id',
  'member_id',
  'wechat_unionid',
]);

export const priorityOf = (type: Identity['type']) => IDENTITY_PRIORITY.indexOf(type);
