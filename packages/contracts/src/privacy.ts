import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { CustomerDetail, MergeRecord, TimelineItem } from './customers.ts';

export const ConsentChannel = z.enum(['wecom', 'sms', 'email', 'phone', 'app', 'all']);
export const ConsentStatus = z.enum(['granted', 'withdrawn']);

export const Consent = z.object({
  id: z.number().int(),
  purpose: z.string(),
  channel: ConsentChannel,
  status: ConsentStatus,
  source: z.string(),
  at: Timestamp,
});
export type Consent = z.infer<typeof Consent>;

export const ConsentOverview = z.object({
  /** The latest answer for each purpose and channel. */
  current: z.array(Consent),
  /** Every answer, newest first. */
  history: z.array(Consent),
});
export type ConsentOverview = z.infer<typeof ConsentOverview>;

export const RecordConsent = z.strictObject({
  purpose: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,49}$/, 'must be a key such as marketing or service_notice'),
  channel: ConsentChannel,
  status: ConsentStatus,
  /** Where the answer came from: a form, a store, a call… */
  source: z.string().trim().min(1).max(100).default('console'),
});
export type RecordConsent = z.infer<typeof RecordConsent>;

/** Everything Pond holds about one customer (PIPL access request). */
export const CustomerDataExport = z.object({
  exportedAt: Timestamp,
  customer: CustomerDetail,
  consents: z.array(Consent),
  merges: z.array(MergeRecord),
  timeline: z.array(TimelineItem),
});
export type CustomerDataExport = z.infer<typeof CustomerDataExport>;

export const EraseCustomer = z.strictObject({
  /** Must repeat the customer's id: erasing cannot be undone. */
  confirm: Id,
  reason: z.string().trim().min(1).max(500),
});
export type EraseCustomer = z.infer<typeof EraseCustomer>;
