import { z } from 'zod';
import { Id, PageQuery, page, Timestamp } from './common.ts';
import { IdentityType } from './identities.ts';

const PROFILE_TARGETS = [
  'ignore',
  'name',
  'gender',
  'birthday',
  'phone',
  'email',
  'region',
  'city',
  'membershipLevel',
  'sourceChannel',
] as const;

/** A column's destination: a profile field, `identity:<type>`, or `attribute:<key>`. */
export const ImportTarget = z.union([
  z.enum(PROFILE_TARGETS),
  z.templateLiteral(['identity:', IdentityType]),
  z.string().regex(/^attribute:[a-z][a-z0-9_]{0,39}$/, 'attribute targets look like attribute:vip_tier'),
]);
export type ImportTarget = z.infer<typeof ImportTarget>;

export const ImportJob = z.object({
  id: Id,
  fileName: z.string(),
  format: z.enum(['csv', 'xlsx']),
  encoding: z.string().nullable(),
  columns: z.array(z.string()),
  sample: z.array(z.array(z.string())),
  suggestedMapping: z.record(z.string(), ImportTarget),
  dryRun: z.boolean(),
  status: z.enum(['uploaded', 'queued', 'running', 'done', 'failed']),
  totalRows: z.number().int(),
  processedRows: z.number().int(),
  createdRows: z.number().int(),
  updatedRows: z.number().int(),
  failedRows: z.number().int(),
  error: z.string().nullable(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type ImportJob = z.infer<typeof ImportJob>;

export const UploadImportQuery = z.strictObject({
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/\.(csv|xlsx)$/i, 'must end in .csv or .xlsx'),
});
export type UploadImportQuery = z.infer<typeof UploadImportQuery>;

export const StartImport = z.strictObject({
  /** File column → where it goes; at least one column must be an identity (phone, email or identity:…). */
  mapping: z.record(z.string(), ImportTarget),
  /** Validate and count everything, write nothing. */
  dryRun: z.boolean().default(false),
  /** Overwrite profile fields of customers that already exist (matched by identity). */
  updateExisting: z.boolean().default(true),
});
export type StartImport = z.infer<typeof StartImport>;

export const ImportError = z.object({
  line: z.number().int(),
  column: z.string().nullable(),
  reason: z.string(),
});
export type ImportError = z.infer<typeof ImportError>;
export const ImportErrorsQuery = z.strictObject({ limit: PageQuery.limit, cursor: PageQuery.cursor });
export const ImportErrorPage = page(ImportError);
export const ImportList = z.object({ data: z.array(ImportJob) });
