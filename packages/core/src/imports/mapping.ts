import { type AttributeDefinition, IdentityType } from '@pond/contracts';

/** Where a file column goes: a profile field, an identity, a custom attribute, or nowhere. */
export type ImportTarget =
  | 'ignore'
  | 'name'
  | 'gender'
  | 'birthday'
  | 'phone'
  | 'email'
  | 'region'
  | 'city'
  | 'membershipLevel'
  | 'sourceChannel'
  | `identity:${IdentityType}`
  | `attribute:${string}`;

const HINTS: readonly [RegExp, ImportTarget][] = [
  [/^(姓名|名字|客户姓名|客户名称|昵称|name|full ?name|customer ?name)$/i, 'name'],
  [/^(手机|手机号|手机号码|电话|联系电话|mobile|phone|phone ?number|cell)$/i, 'phone'],
  [/^(邮箱|电子邮箱|email|e-mail|mail)$/i, 'email'],
  [/^(性别|gender|sex)$/i, 'gender'],
  [/^(生日|出生日期|birthday|birth ?date|dob)$/i, 'birthday'],
  [/^(省份|省|地区|region|province|state)$/i, 'region'],
  [/^(城市|市|city)$/i, 'city'],
  [/^(会员等级|等级|会员级别|membership|level|tier)$/i, 'membershipLevel'],
  [/^(来源|来源渠道|渠道|source|channel)$/i, 'sourceChannel'],
  [/^(会员号|会员id|会员编号|卡号|member ?id|member ?no)$/i, 'identity:member_id'],
  [/^(unionid|union ?id)$/i, 'identity:wechat_unionid'],
  [/^(外部联系人id|external_?userid|企微客户id)$/i, 'identity:wecom_external_userid'],
  [/^(用户id|user ?id|userid)$/i, 'identity:user_id'],
];

/**
 * A first guess at the mapping from header names, in Chinese or English; a header that names
 * a custom attribute (its key or its label) goes to that attribute.
 */
export function suggestMapping(
  columns: readonly string[],
  definitions: ReadonlyMap<string, AttributeDefinition> = new Map(),
): Record<string, ImportTarget> {
  const byName = new Map<string, string>();
  for (const d of definitions.values()) {
    byName.set(d.key.toLowerCase(), d.key);
    byName.set(d.label.trim().toLowerCase(), d.key);
  }
  const out: Record<string, ImportTarget> = {};
  for (const column of columns) {
    const hit = HINTS.find(([re]) => re.test(column.trim()));
    const attribute = byName.get(column.trim().toLowerCase());
    out[column] = hit ? hit[1] : attribute ? `attribute:${attribute}` : 'ignore';
  }
  return out;
}

export const IDENTITY_TARGETS = new Set<string>([
  'phone',
  'email',
  ...IdentityType.options.map((t) => `identity:${t}`),
]);
