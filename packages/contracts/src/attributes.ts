import { z } from 'zod';
import { Timestamp } from './common.ts';

export const AttributeType = z.enum(['string', 'number', 'boolean', 'date', 'enum', 'list']);
export type AttributeType = z.infer<typeof AttributeType>;

export const AttributeKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must start with a letter and hold only a-z, 0-9 and _ (at most 40)');

export const AttributeDefinition = z.object({
  key: AttributeKey,
  label: z.string(),
  type: AttributeType,
  /** Allowed values for `enum` and `list`. */
  options: z.array(z.string()).nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type AttributeDefinition = z.infer<typeof AttributeDefinition>;

const Options = z.array(z.string().trim().min(1).max(100)).min(1).max(200);

export const CreateAttributeDefinition = z
  .strictObject({
    key: AttributeKey,
    label: z.string().trim().min(1).max(100),
    type: AttributeType,
    options: Options.optional(),
  })
  .refine((d) => (d.type === 'enum' || d.type === 'list') === (d.options !== undefined), {
    message: 'enum and list attributes need options; other types take none',
    path: ['options'],
  });
export type CreateAttributeDefinition = z.infer<typeof CreateAttributeDefinition>;

/** The type cannot change once values exist; labels and options can. */
export const UpdateAttributeDefinition = z.strictObject({
  label: z.string().trim().min(1).max(100).optional(),
  options: Options.optional(),
});
export type UpdateAttributeDefinition = z.infer<typeof UpdateAttributeDefinition>;

export const AttributeKeyParams = z.strictObject({ key: AttributeKey });
