import { z } from 'zod';
import { Id, IdParams, PageQuery, page, Timestamp } from './common.ts';
import { endpoint } from './endpoint.ts';

/**
 * Customer assets stay with the brand (SPEC §3.13): a departed staff member's customers and
 * groups go to chosen staff (resigned transfer), or an active member's customers to another
 * (in-service transfer). Each customer's outcome is tracked until WeCom settles it.
 */

export const TransferKind = z.enum(['resigned', 'in_service']);
export type TransferKind = z.infer<typeof TransferKind>;

/** WeCom userids are 1–64 bytes. */
const UserId = z.string().trim().min(1).max(64);

export const SuccessionCandidatesQuery = z.strictObject({ kind: TransferKind.default('resigned') });

export const SuccessionCandidate = z.object({
  userId: z.string(),
  staff: z.object({ id: Id, name: z.string(), status: z.enum(['active', 'departed']) }).nullable(),
  /** Seconds → ms; when WeCom says the member left (resigned only). */
  departedAt: Timestamp.nullable(),
  customers: z.number().int(),
  groups: z.number().int(),
});
export type SuccessionCandidate = z.infer<typeof SuccessionCandidate>;
export const SuccessionCandidates = z.object({
  data: z.array(SuccessionCandidate),
  /** Why WeCom's unassigned list could not be read, if it could not (Pond's own data is shown). */
  warning: z.string().nullable(),
});

export const SuccessionAssetsQuery = z.strictObject({ kind: TransferKind.default('resigned') });
export const SuccessionAssetsParams = z.strictObject({ userId: UserId });

export const SuccessionAssets = z.object({
  customers: z.array(
    z.object({
      externalUserId: z.string(),
      customer: z.object({ id: Id, name: z.string().nullable() }).nullable(),
      addedAt: Timestamp.nullable(),
      /** A transfer of this customer is already under way. */
      pending: z.boolean(),
    }),
  ),
  groups: z.array(
    z.object({
      chatId: z.string(),
      id: Id.nullable(),
      name: z.string().nullable(),
      memberCount: z.number().int(),
    }),
  ),
  warning: z.string().nullable(),
});
export type SuccessionAssets = z.infer<typeof SuccessionAssets>;

export const CreateTransfer = z
  .strictObject({
    kind: TransferKind,
    handoverUserId: UserId,
    takeoverStaffId: Id,
    externalUserIds: z.array(z.string().trim().min(1).max(64)).max(1000).default([]),
    /** Customer groups (resigned: their owner left; in service: change the owner). At most 300 a day. */
    chatIds: z.array(z.string().trim().min(1).max(64)).max(300).default([]),
    /** In-service only: what the customer is told; WeCom's default text when left out. */
    message: z.string().trim().min(1).max(200).optional(),
  })
  .refine((b) => b.externalUserIds.length + b.chatIds.length > 0, {
    message: 'choose at least one customer or group',
    path: ['externalUserIds'],
  })
  .refine((b) => b.kind === 'in_service' || b.message === undefined, {
    message: 'only an in-service transfer carries a message to the customer',
    path: ['message'],
  });
export type CreateTransfer = z.input<typeof CreateTransfer>;

export const TransferItemStatus = z.enum([
  /** Not yet sent to WeCom. */
  'queued',
  /** WeCom accepted it; the customer has 24 h to refuse. */
  'waiting',
  'taken_over',
  'refused',
  /** The takeover member reached their customer limit. */
  'limit_exceeded',
  /** WeCom refused it (see errcode). */
  'failed',
]);
export type TransferItemStatus = z.infer<typeof TransferItemStatus>;

export const TransferItem = z.object({
  id: z.number().int(),
  target: z.enum(['customer', 'group']),
  /** external_userid or chat_id. */
  wecomId: z.string(),
  customer: z.object({ id: Id, name: z.string().nullable() }).nullable(),
  status: TransferItemStatus,
  errcode: z.number().int().nullable(),
  error: z.string().nullable(),
  /** When the customer was (or will be) switched, per WeCom. */
  takeoverAt: Timestamp.nullable(),
  attempts: z.number().int(),
  updatedAt: Timestamp,
});
export type TransferItem = z.infer<typeof TransferItem>;

export const TransferCounts = z.record(TransferItemStatus, z.number().int());

export const Transfer = z.object({
  id: Id,
  kind: TransferKind,
  handoverUserId: z.string(),
  handover: z.object({ id: Id, name: z.string() }).nullable(),
  takeoverUserId: z.string(),
  takeover: z.object({ id: Id, name: z.string() }),
  message: z.string().nullable(),
  status: z.enum(['running', 'done']),
  counts: TransferCounts,
  createdBy: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** When WeCom's results are read next, while any customer is waiting. */
  nextCheckAt: Timestamp.nullable(),
});
export type Transfer = z.infer<typeof Transfer>;

export const TransferDetail = Transfer.extend({ items: z.array(TransferItem) });
export type TransferDetail = z.infer<typeof TransferDetail>;

export const ListTransfersQuery = z.strictObject({
  ...PageQuery,
  status: z.enum(['running', 'done']).optional(),
});
export const TransferPage = page(Transfer);

export const RetryTransfer = z.strictObject({
  /** Only these items; all failed, refused and over-limit items when left out. */
  itemIds: z.array(z.number().int().positive()).min(1).max(1000).optional(),
});
export type RetryTransfer = z.infer<typeof RetryTransfer>;

export const wecomSuccessionApi = {
  succession: {
    candidates: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/succession/candidates',
      summary: 'Staff whose customers can be handed over: departed members (resigned) or active ones',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      query: SuccessionCandidatesQuery,
      response: SuccessionCandidates,
    }),
    assets: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/succession/candidates/:userId/assets',
      summary: 'A member’s customers and customer groups that can be transferred',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      params: SuccessionAssetsParams,
      query: SuccessionAssetsQuery,
      response: SuccessionAssets,
    }),
  },
  transfers: {
    list: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/transfers',
      summary: 'Customer and group transfers with their progress',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      query: ListTransfersQuery,
      response: TransferPage,
    }),
    get: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/transfers/:id',
      summary: 'A transfer with each customer’s and group’s outcome',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      params: IdParams,
      response: TransferDetail,
    }),
    create: endpoint({
      method: 'POST',
      path: '/api/v1/wecom/transfers',
      summary: 'Transfer customers and groups to a staff member (resigned or in-service succession)',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      body: CreateTransfer,
      response: TransferDetail,
      status: 202,
    }),
    retry: endpoint({
      method: 'POST',
      path: '/api/v1/wecom/transfers/:id/retry',
      summary: 'Send failed, refused or over-limit items to WeCom again',
      tag: 'wecom',
      auth: 'principal',
      permission: 'wecom.manage',
      params: IdParams,
      body: RetryTransfer,
      response: TransferDetail,
      status: 202,
    }),
  },
} as const;
