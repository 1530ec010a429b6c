import { z } from 'zod';
import { Id } from './common.ts';

/**
 * The audience rule language: a JSON tree of `all` / `any` / `not` groups over conditions.
 * The same tree drives audience previews now, and auto-tag rules and audiences as they come.
 */

export const MAX_RULE_DEPTH = 6;
export const MAX_RULE_NODES = 100;

const Days = z.number().int().min(1).max(3650);
const Scalar = z.union([z.string().max(200), z.number(), z.boolean()]);

export const AttributeOp = z.enum([
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'between',
  'in',
  'not_in',
  'contains',
  'exists',
  'not_exists',
  /** A time within the last `value` days. */
  'within_last',
  /** A time more than `value` days ago. */
  'before_last',
]);
export type AttributeOp = z.infer<typeof AttributeOp>;

/** What a rule can compare a field with, and how. */
export type RuleFieldType = 'text' | 'id' | 'number' | 'date' | 'timestamp' | 'boolean' | 'list';

/** The standard profile fields rules may name, by API name, with their types. */
export const RULE_FIELDS: Readonly<Record<string, RuleFieldType>> = {
  name: 'text',
  gender: 'text',
  region: 'text',
  city: 'text',
  membershipLevel: 'text',
  lifecycleStage: 'text',
  sourceChannel: 'text',
  birthday: 'date',
  ownerStaffId: 'id',
  storeId: 'id',
  orderCount: 'number',
  totalSpend: 'number',
  firstSeenAt: 'timestamp',
  lastActiveAt: 'timestamp',
  lastOrderAt: 'timestamp',
  createdAt: 'timestamp',
  /** RFM scores 1–5 and segment, kept by stratification (none without an order). */
  rfmRecency: 'number',
  rfmFrequency: 'number',
  rfmMonetary: 'number',
  rfmSegment: 'text',
};

/** The field type of each custom attribute type. */
export const RULE_TYPE_OF_ATTRIBUTE: Readonly<
  Record<'string' | 'enum' | 'number' | 'boolean' | 'date' | 'list', RuleFieldType>
> = {
  string: 'text',
  enum: 'text',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  list: 'list',
};

/** The operators each field type takes. */
export const RULE_OPS: Readonly<Record<RuleFieldType, readonly AttributeOp[]>> = {
  text: ['eq', 'neq', 'in', 'not_in', 'contains', 'exists', 'not_exists'],
  id: ['eq', 'neq', 'in', 'not_in', 'exists', 'not_exists'],
  number: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', 'exists', 'not_exists'],
  date: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', 'exists', 'not_exists'],
  timestamp: ['within_last', 'before_last', 'lt', 'gt', 'between', 'exists', 'not_exists'],
  boolean: ['eq', 'exists', 'not_exists'],
  list: ['contains', 'exists', 'not_exists'],
};

export const AttributeCondition = z.strictObject({
  kind: z.literal('attribute'),
  /** A standard field (`city`, `totalSpend`, `lastActiveAt`…) or `attributes.<key>`. */
  field: z.string().min(1).max(60),
  op: AttributeOp,
  /** A value, a list for `in` / `not_in`, two values for `between`, days for relative times. */
  value: z.union([Scalar, z.array(Scalar).max(200)]).optional(),
});

export const TagCondition = z.strictObject({
  kind: z.literal('tags'),
  match: z.enum(['any', 'all', 'none']),
  tagIds: z.array(Id).min(1).max(50),
});

const PropertyName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/, 'a property name holds letters, digits, _ and - (at most 64)');

export const PropertyFilter = z.strictObject({
  property: PropertyName,
  op: z.enum(['eq', 'neq', 'lt', 'lte', 'gt', 'gte']),
  value: Scalar,
});

export const EventCondition = z.strictObject({
  kind: z.literal('event'),
  name: z.string().min(1).max(200),
  /** How many times; omitted means at least once. */
  count: z
    .strictObject({
      op: z.enum(['at_least', 'at_most', 'exactly']),
      n: z.number().int().min(0).max(1_000_000),
    })
    .optional(),
  /** Only events of the last this many days; omitted means ever. */
  withinDays: Days.optional(),
  where: z.array(PropertyFilter).max(5).optional(),
});

/** Has not done the event in the last `days` days (or never). */
export const NotSinceCondition = z.strictObject({
  kind: z.literal('not_since'),
  name: z.string().min(1).max(200),
  days: Days,
});

export const AggregateCondition = z.strictObject({
  kind: z.literal('aggregate'),
  name: z.string().min(1).max(200),
  fn: z.enum(['sum', 'avg', 'min', 'max', 'count']),
  /** The numeric event property to aggregate; not used by `count`. */
  property: PropertyName.optional(),
  withinDays: Days,
  op: z.enum(['eq', 'lt', 'lte', 'gt', 'gte']),
  value: z.number(),
});

export const ConsentCondition = z.strictObject({
  kind: z.literal('consent'),
  purpose: z.string().min(1).max(50),
  channel: z.enum(['wecom', 'sms', 'email', 'phone', 'app', 'all']),
  status: z.enum(['granted', 'withdrawn']),
});

/** The customer's owner is one of these staff members. */
export const OwnerStaffCondition = z.strictObject({
  kind: z.literal('owner_staff'),
  staffIds: z.array(Id).min(1).max(200),
});

/** The customer belongs to one of these stores (org units of kind store). */
export const StoreCondition = z.strictObject({
  kind: z.literal('store'),
  storeIds: z.array(Id).min(1).max(200),
});

/**
 * The customer sits in the org subtree of one of these units: through the owner staff
 * member's unit, the customer's store, or either (the default).
 */
export const OrgUnitCondition = z.strictObject({
  kind: z.literal('org_unit'),
  unitIds: z.array(Id).min(1).max(50),
  via: z.enum(['owner', 'store', 'either']).optional(),
});

/** The customer is a member of one of these WeCom customer groups (群) now. */
export const CustomerGroupCondition = z.strictObject({
  kind: z.literal('customer_group'),
  groupIds: z.array(Id).min(1).max(50),
});

/** The customer came in through one of these source channels. */
export const SourceChannelCondition = z.strictObject({
  kind: z.literal('source_channel'),
  channels: z.array(z.string().trim().min(1).max(100)).min(1).max(100),
});

/**
 * The customer is (`in`) or is not (`not_in`) a member of another saved audience now: a
 * dynamic one as it is kept current, a static one by its snapshot. Audiences may not depend
 * on themselves, directly or through others.
 */
export const AudienceCondition = z.strictObject({
  kind: z.literal('audience'),
  audienceId: Id,
  match: z.enum(['in', 'not_in']),
});

export type Rule =
  | z.infer<typeof AttributeCondition>
  | z.infer<typeof OwnerStaffCondition>
  | z.infer<typeof StoreCondition>
  | z.infer<typeof OrgUnitCondition>
  | z.infer<typeof SourceChannelCondition>
  | z.infer<typeof CustomerGroupCondition>
  | z.infer<typeof AudienceCondition>
  | z.infer<typeof TagCondition>
  | z.infer<typeof EventCondition>
  | z.infer<typeof NotSinceCondition>
  | z.infer<typeof AggregateCondition>
  | z.infer<typeof ConsentCondition>
  | { kind: 'all' | 'any'; rules: Rule[] }
  | { kind: 'not'; rule: Rule };

export const Rule: z.ZodType<Rule> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    AttributeCondition,
    TagCondition,
    EventCondition,
    NotSinceCondition,
    AggregateCondition,
    ConsentCondition,
    OwnerStaffCondition,
    StoreCondition,
    OrgUnitCondition,
    SourceChannelCondition,
    CustomerGroupCondition,
    AudienceCondition,
    z.strictObject({ kind: z.enum(['all', 'any']), rules: z.array(Rule).min(1).max(MAX_RULE_NODES) }),
    z.strictObject({ kind: z.literal('not'), rule: Rule }),
  ]),
);

export const PreviewAudience = z.strictObject({ rule: Rule });
export type PreviewAudience = z.infer<typeof PreviewAudience>;

export const AutoTagRule = z.object({
  id: Id,
  name: z.string(),
  rule: Rule,
  tagId: Id,
  /** Whether the tag comes off customers who stop matching (only where this rule put it). */
  removeWhenUnmatched: z.boolean(),
  enabled: z.boolean(),
  /** Customers carrying the tag because of this rule now. */
  tagged: z.number().int(),
  lastRunAt: z.number().int().nullable(),
  createdAt: z.number().int(),
});
export type AutoTagRule = z.infer<typeof AutoTagRule>;

export const CreateAutoTagRule = z.strictObject({
  name: z.string().trim().min(1).max(100),
  rule: Rule,
  tagId: Id,
  removeWhenUnmatched: z.boolean().default(true),
});
export type CreateAutoTagRule = z.infer<typeof CreateAutoTagRule>;

export const UpdateAutoTagRule = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  rule: Rule.optional(),
  removeWhenUnmatched: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type UpdateAutoTagRule = z.infer<typeof UpdateAutoTagRule>;

export const Audience = z.object({
  id: Id,
  name: z.string(),
  rule: Rule,
  /** Dynamic audiences follow their customers; static ones keep the members they were saved with. */
  kind: z.enum(['dynamic', 'static']),
  size: z.number().int(),
  refreshedAt: z.number().int().nullable(),
  /** Archived audiences keep their members as they were and are no longer refreshed. */
  archivedAt: z.number().int().nullable(),
  createdAt: z.number().int(),
});
export type Audience = z.infer<typeof Audience>;

/**
 * Rename, change the rule of (a static audience takes a new snapshot), archive or restore a
 * saved audience. An audience others depend on cannot be archived.
 */
export const UpdateAudience = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    rule: Rule.optional(),
    archived: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'name, rule or archived is required' });
export type UpdateAudience = z.infer<typeof UpdateAudience>;

/** What names an audience in its rule: other audiences and auto-tag rules. */
export const AudienceDependants = z.object({
  audiences: z.array(z.object({ id: Id, name: z.string(), archived: z.boolean() })),
  autoTagRules: z.array(z.object({ id: Id, name: z.string() })),
});
export type AudienceDependants = z.infer<typeof AudienceDependants>;

/** How many days of daily sizes to read. */
export const AudienceSizesQuery = z.strictObject({
  days: z.coerce.number().int().min(2).max(366).default(30),
});
export type AudienceSizesQuery = z.infer<typeof AudienceSizesQuery>;

/** One UTC day of an audience: its size at the end of the day, and who entered and left. */
export const AudienceDay = z.object({
  /** The day's start, epoch milliseconds (UTC). */
  day: z.number().int(),
  size: z.number().int(),
  entered: z.number().int(),
  exited: z.number().int(),
});
export type AudienceDay = z.infer<typeof AudienceDay>;

export const AudienceSizes = z.object({ audienceId: Id, days: z.array(AudienceDay) });
export type AudienceSizes = z.infer<typeof AudienceSizes>;

/** Every audience's daily sizes, oldest first, one per day of the window (for sparklines). */
export const AudienceTrends = z.object({
  /** The first day of the window, epoch milliseconds (UTC). */
  from: z.number().int(),
  data: z.array(z.object({ audienceId: Id, sizes: z.array(z.number().int()) })),
});
export type AudienceTrends = z.infer<typeof AudienceTrends>;

export const CreateAudience = z.strictObject({
  name: z.string().trim().min(1).max(100),
  rule: Rule,
  kind: z.enum(['dynamic', 'static']).default('dynamic'),
});
export type CreateAudience = z.infer<typeof CreateAudience>;

export const ExplainAudience = z.strictObject({ rule: Rule, customerId: Id });
export type ExplainAudience = z.infer<typeof ExplainAudience>;

/** One node of a rule for one customer: whether it held, and the value it looked at. */
export interface ExplainedNode {
  /** Where the node sits in the rule (`rule.rules.1`). */
  readonly path: string;
  readonly kind: Rule['kind'];
  readonly held: boolean;
  /** The field's value, the event count, the aggregate, the last time, the consent, the tags held. */
  readonly value?: unknown;
  readonly children?: ExplainedNode[];
}
export const ExplainedNode: z.ZodType<ExplainedNode> = z.lazy(() =>
  z.object({
    path: z.string(),
    kind: z.enum([
      'attribute',
      'tags',
      'event',
      'not_since',
      'aggregate',
      'consent',
      'owner_staff',
      'store',
      'org_unit',
      'source_channel',
      'customer_group',
      'audience',
      'all',
      'any',
      'not',
    ]),
    held: z.boolean(),
    value: z.unknown().optional(),
    children: z.array(ExplainedNode).optional(),
  }),
);

export const AudienceOverlapQuery = z.strictObject({ audienceIds: z.array(Id).min(2).max(5) });
export type AudienceOverlapQuery = z.infer<typeof AudienceOverlapQuery>;

export const AudienceOverlap = z.object({
  /** Each audience's size among the customers the caller sees. */
  audiences: z.array(z.object({ id: Id, name: z.string(), size: z.number().int() })),
  /** Customers in both of each pair. */
  pairs: z.array(z.object({ a: Id, b: Id, both: z.number().int() })),
  /** Customers in every one of them. */
  all: z.number().int(),
});
export type AudienceOverlap = z.infer<typeof AudienceOverlap>;

/** The audiences a customer is in now, and their entries and exits, newest first. */
export const CustomerAudiences = z.object({
  current: z.array(
    z.object({ id: Id, name: z.string(), kind: z.enum(['dynamic', 'static']), since: z.number().int() }),
  ),
  history: z.array(
    z.object({
      audienceId: Id,
      name: z.string(),
      change: z.enum(['entered', 'exited']),
      at: z.number().int(),
    }),
  ),
});
export type CustomerAudiences = z.infer<typeof CustomerAudiences>;
