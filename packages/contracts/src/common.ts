import { z } from 'zod';

/** Epoch milliseconds, UTC. */
export const Timestamp = z.number().int().nonnegative();

export const Id = z.string().min(1).max(64);

export const IdParams = z.strictObject({ id: Id });
export type IdParams = z.infer<typeof IdParams>;

export const SortOrder = z.enum(['asc', 'desc']);

/** Cursor pagination: pass `nextCursor` back as `cursor` to read the next page. */
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
  order: SortOrder.default('desc'),
};

export function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

export const Ok = z.object({ ok: z.literal(true) });
export type Ok = z.infer<typeof Ok>;

/** A Chinese mainland mobile number or any E.164 number; normalized to E.164 by the server. */
export const Mobile = z
  .string()
  .trim()
  .regex(/^(\+?\d[\d\s-]{5,19})$/, 'must be a phone number such as 13800138000 or +8613800138000');

export const Email = z.string().trim().toLowerCase().pipe(z.email('must be an email address'));

export const Locale = z.enum(['zh-CN', 'en']);
export type Locale = z.infer<typeof Locale>;
