import { z } from 'zod';
import { Id, PageQuery, page, Timestamp } from './common.ts';

export const Source = z.object({
  id: Id,
  name: z.string(),
  /** Sent by Segment-compatible clients (Basic auth username, X-Write-Key, or writeKey in the body). */
  writeKey: z.string(),
  createdAt: Timestamp,
  disabledAt: Timestamp.nullable(),
});
export type Source = z.infer<typeof Source>;

export const CreateSource = z.strictObject({ name: z.string().trim().min(1).max(100) });
export type CreateSource = z.infer<typeof CreateSource>;

export const UpdateSource = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  disabled: z.boolean().optional(),
  /** Issue a new write key; the old one stops working at once. */
  rotateKey: z.literal(true).optional(),
});
export type UpdateSource = z.infer<typeof UpdateSource>;

export const TrackedEvent = z.object({
  id: z.number().int(),
  customerId: Id,
  sourceId: Id.nullable(),
  messageId: z.string(),
  type: z.string(),
  name: z.string(),
  properties: z.record(z.string(), z.unknown()),
  context: z.record(z.string(), z.unknown()),
  timestamp: Timestamp,
  receivedAt: Timestamp,
});
export type TrackedEvent = z.infer<typeof TrackedEvent>;

export const ListEventsQuery = z.strictObject({
  limit: PageQuery.limit,
  cursor: PageQuery.cursor,
  customerId: Id.optional(),
  name: z.string().max(200).optional(),
  type: z.enum(['identify', 'track', 'page', 'screen', 'group', 'alias']).optional(),
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
});
export type ListEventsQuery = z.infer<typeof ListEventsQuery>;
export const EventPage = page(TrackedEvent);

export const CatalogEntry = z.object({
  type: z.string(),
  name: z.string(),
  properties: z.record(z.string(), z.array(z.string())),
  volume: z.number().int(),
  violations: z.number().int(),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const DebuggerQuery = z.strictObject({
  /** Only entries received after this time (the console polls with its last seen time). */
  since: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type DebuggerQuery = z.infer<typeof DebuggerQuery>;

export const DebuggerEntry = z.object({
  status: z.enum(['accepted', 'rejected']),
  id: z.number().int(),
  receivedAt: Timestamp,
  sourceId: Id.nullable(),
  messageId: z.string().nullable(),
  type: z.string().nullable(),
  name: z.string().nullable(),
  customerId: Id.nullable(),
  reason: z.string().nullable(),
  field: z.string().nullable(),
  excerpt: z.string().nullable(),
});
export type DebuggerEntry = z.infer<typeof DebuggerEntry>;
