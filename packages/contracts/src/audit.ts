import { z } from 'zod';
import { Id, PageQuery, page, Timestamp } from './common.ts';

export const AuditEntry = z.object({
  id: z.number().int(),
  actor: z.object({ type: z.enum(['user', 'api_key', 'system']), id: z.string(), name: z.string() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  /** Changed fields as `[before, after]`; personal data is masked here. */
  diff: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  at: Timestamp,
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const ListAuditQuery = z.strictObject({
  ...PageQuery,
  action: z.string().max(100).optional(),
  targetId: Id.optional(),
  actorId: Id.optional(),
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;
export const AuditPage = page(AuditEntry);
