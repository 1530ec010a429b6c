import { z } from 'zod';
import { Id, IdParams, PageQuery, page, Timestamp } from './common.ts';
import { endpoint } from './endpoint.ts';

/**
 * Live codes (渠道活码): WeCom 「联系我」 contact ways per channel, with a staff pool, schedules,
 * daily caps, a welcome message, tags put on and a remark set when a customer adds staff
 * through the code (SPEC §3.7, §3.8).
 */

const bytes = (s: string) => new TextEncoder().encode(s).length;
const maxBytes = (n: number) => (s: string) => bytes(s) <= n;

/** `HH:MM`, 00:00–24:00, in China time (UTC+8) like WeCom's own days. */
const TimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time such as 09:00 (00:00–24:00)');

export const LiveCodeWindow = z
  .strictObject({
    /** ISO weekdays: 1 Monday … 7 Sunday. */
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    from: TimeOfDay,
    to: TimeOfDay,
  })
  .refine((w) => w.from < w.to, { message: 'from must be earlier than to', path: ['to'] });
export type LiveCodeWindow = z.infer<typeof LiveCodeWindow>;

export const LiveCodeMemberInput = z.strictObject({
  staffId: Id,
  /** New customers per day (China time) before the member leaves the pool until midnight; null = no cap. */
  dailyCap: z.number().int().min(1).max(10_000).nullable().default(null),
  /** When the member is in the pool; empty = always. */
  schedule: z.array(LiveCodeWindow).max(14).default([]),
});
export type LiveCodeMemberInput = z.input<typeof LiveCodeMemberInput>;

/** Attachments WeCom's welcome message accepts (SPEC §3.8), at most 9. */
export const WelcomeAttachment = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('image'),
      mediaId: z.string().trim().min(1).max(256).optional(),
      /** Only a URL from WeCom's upload-image API. */
      picUrl: z.url().max(2048).optional(),
    })
    .refine((a) => a.mediaId !== undefined || a.picUrl !== undefined, {
      message: 'an image needs a mediaId or a picUrl',
      path: ['mediaId'],
    }),
  z.strictObject({
    type: z.literal('link'),
    title: z.string().trim().min(1).refine(maxBytes(128), 'must be at most 128 bytes'),
    url: z.url({ protocol: /^https?$/ }).max(2048),
    picUrl: z.url().max(2048).optional(),
    desc: z.string().trim().refine(maxBytes(512), 'must be at most 512 bytes').optional(),
  }),
  z.strictObject({
    type: z.literal('miniprogram'),
    title: z.string().trim().min(1).refine(maxBytes(64), 'must be at most 64 bytes'),
    picMediaId: z.string().trim().min(1).max(256),
    appId: z.string().regex(/^wx[0-9a-f]{16}$/, 'must be a mini-program appid such as wx8bd80126147dfAAA'),
    page: z.string().trim().min(1).max(512),
  }),
  z.strictObject({ type: z.literal('video'), mediaId: z.string().trim().min(1).max(256) }),
  z.strictObject({ type: z.literal('file'), mediaId: z.string().trim().min(1).max(256) }),
]);
export type WelcomeAttachment = z.infer<typeof WelcomeAttachment>;

export const LiveCodeWelcome = z
  .strictObject({
    text: z.string().min(1).refine(maxBytes(4000), 'must be at most 4000 bytes').optional(),
    attachments: z.array(WelcomeAttachment).max(9, 'WeCom takes at most 9 attachments').default([]),
  })
  .refine((w) => w.text !== undefined || w.attachments.length > 0, {
    message: 'a welcome message needs a text or an attachment',
    path: ['text'],
  });
export type LiveCodeWelcome = z.infer<typeof LiveCodeWelcome>;

/** The channel key WeCom echoes back as `State`: ≤ 30 characters (SPEC §3.7). */
export const LiveCodeState = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,30}$/, 'must be 1–30 letters, digits, "_", "-" or "." (WeCom’s limit is 30)');

const Name = z.string().trim().min(1).max(60);
const Pool = z
  .array(LiveCodeMemberInput)
  .min(1, 'the pool needs at least one staff member')
  .max(100, 'WeCom takes at most 100 members per code')
  .refine((p) => new Set(p.map((m) => m.staffId)).size === p.length, 'a staff member is in the pool twice');
const TagIds = z.array(Id).max(20).default([]);
/** `{name}` is replaced by the customer's WeCom name; WeCom keeps 20 characters. */
const AutoRemark = z.string().trim().min(1).max(40).nullable();

export const CreateLiveCode = z.strictObject({
  name: Name,
  /** Left out: Pond makes one (`lc` + random). */
  state: LiveCodeState.optional(),
  /** Customers are added without the staff member confirming. */
  skipVerify: z.boolean().default(true),
  pool: Pool,
  /** Who takes customers when nobody in the pool is available (off schedule or capped). */
  fallbackStaffId: Id.nullable().default(null),
  welcome: LiveCodeWelcome.nullable().default(null),
  tagIds: TagIds,
  autoRemark: AutoRemark.default(null),
});
export type CreateLiveCode = z.input<typeof CreateLiveCode>;

export const UpdateLiveCode = z
  .strictObject({
    name: Name.optional(),
    skipVerify: z.boolean().optional(),
    pool: Pool.optional(),
    fallbackStaffId: Id.nullable().optional(),
    welcome: LiveCodeWelcome.nullable().optional(),
    tagIds: z.array(Id).max(20).optional(),
    autoRemark: AutoRemark.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' });
export type UpdateLiveCode = z.input<typeof UpdateLiveCode>;

export const LiveCodeMember = z.object({
  staffId: Id,
  name: z.string(),
  userId: z.string(),
  dailyCap: z.number().int().nullable(),
  schedule: z.array(LiveCodeWindow),
  /** Customers added through this code today (China time). */
  addsToday: z.number().int(),
  /** Why the member is out of the pool right now, if they are. */
  out: z.enum(['capped', 'off_schedule', 'departed']).nullable(),
});
export type LiveCodeMember = z.infer<typeof LiveCodeMember>;

export const LiveCode = z.object({
  id: Id,
  name: z.string(),
  state: z.string(),
  configId: z.string(),
  /** The QR code image WeCom made for the contact way. */
  qrCode: z.string().nullable(),
  skipVerify: z.boolean(),
  pool: z.array(LiveCodeMember),
  fallbackStaffId: Id.nullable(),
  /** The WeCom userids the contact way hands customers to right now. */
  activeUserIds: z.array(z.string()),
  welcome: LiveCodeWelcome.nullable(),
  tagIds: z.array(Id),
  autoRemark: z.string().nullable(),
  status: z.enum(['active', 'deleted']),
  /** The last failure to update the contact way's members in WeCom, if the last try failed. */
  syncError: z.string().nullable(),
  adds: z.number().int(),
  addsToday: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type LiveCode = z.infer<typeof LiveCode>;

export const ListLiveCodesQuery = z.strictObject({
  ...PageQuery,
  status: z.enum(['active', 'deleted']).default('active'),
  q: z.string().trim().max(60).optional(),
});
export type ListLiveCodesQuery = z.infer<typeof ListLiveCodesQuery>;
export const LiveCodePage = page(LiveCode);

export const LiveCodeStatsQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(180).default(30),
});
export type LiveCodeStatsQuery = z.infer<typeof LiveCodeStatsQuery>;

export const LiveCodeDay = z.object({
  /** `YYYY-MM-DD`, China time. */
  day: z.string(),
  adds: z.number().int(),
  /** Customers added that day who have since been lost (deleted by either side). */
  lost: z.number().int(),
  /** Losses that happened that day, whenever the customer was added. */
  deletions: z.number().int(),
  /** Share (0–1) of that day's adds still friends 7 / 30 days later; null until that time has come. */
  retained7: z.number().nullable(),
  retained30: z.number().nullable(),
});

export const LiveCodeStats = z.object({
  liveCodeId: Id,
  totals: z.object({
    adds: z.number().int(),
    lost: z.number().int(),
    retained7: z.number().nullable(),
    retained30: z.number().nullable(),
    welcomeSent: z.number().int(),
    welcomeFailed: z.number().int(),
  }),
  days: z.array(LiveCodeDay),
  byStaff: z.array(
    z.object({ staffUserId: z.string(), name: z.string().nullable(), adds: z.number().int() }),
  ),
});
export type LiveCodeStats = z.infer<typeof LiveCodeStats>;

export const LiveCodeAdd = z.object({
  id: z.number().int(),
  customer: z.object({ id: Id, name: z.string().nullable() }).nullable(),
  externalUserId: z.string(),
  staffUserId: z.string(),
  staffName: z.string().nullable(),
  addedAt: Timestamp,
  welcome: z.enum(['sent', 'no_code', 'expired', 'already_used', 'failed', 'not_configured']),
  welcomeError: z.string().nullable(),
  lostAt: Timestamp.nullable(),
});
export type LiveCodeAdd = z.infer<typeof LiveCodeAdd>;
export const LiveCodeAddPage = page(LiveCodeAdd);
export const ListLiveCodeAddsQuery = z.strictObject({ ...PageQuery });
export type ListLiveCodeAddsQuery = z.infer<typeof ListLiveCodeAddsQuery>;

export const wecomLiveCodesApi = {
  liveCodes: {
    list: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/live-codes',
      summary: 'Live codes (渠道活码) with their pools and add counts',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.read',
      query: ListLiveCodesQuery,
      response: LiveCodePage,
    }),
    get: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/live-codes/:id',
      summary: 'A live code',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.read',
      params: IdParams,
      response: LiveCode,
    }),
    create: endpoint({
      method: 'POST',
      path: '/api/v1/wecom/live-codes',
      summary:
        'Create a live code: a WeCom contact way with a staff pool, schedule, caps and welcome message',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      body: CreateLiveCode,
      response: LiveCode,
      status: 201,
    }),
    update: endpoint({
      method: 'PATCH',
      path: '/api/v1/wecom/live-codes/:id',
      summary: 'Change a live code (the contact way is updated in WeCom)',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      params: IdParams,
      body: UpdateLiveCode,
      response: LiveCode,
    }),
    remove: endpoint({
      method: 'DELETE',
      path: '/api/v1/wecom/live-codes/:id',
      summary: 'Delete a live code’s contact way in WeCom; its statistics are kept',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      params: IdParams,
      response: LiveCode,
    }),
    stats: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/live-codes/:id/stats',
      summary: 'Adds, losses and 7/30-day retention per day, and adds per staff member',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.read',
      params: IdParams,
      query: LiveCodeStatsQuery,
      response: LiveCodeStats,
    }),
    adds: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/live-codes/:id/adds',
      summary: 'Customers added through a live code, with the welcome message’s outcome',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.read',
      params: IdParams,
      query: ListLiveCodeAddsQuery,
      response: LiveCodeAddPage,
    }),
  },
} as const;
