import { z } from 'zod';

/** Every error code the API can answer with; clients may switch on these. */
export const ErrorCode = z.enum([
  'malformed_json',
  'unsupported_media_type',
  'payload_too_large',
  'invalid_request',
  'unknown_field',
  'unauthenticated',
  'invalid_credentials',
  'csrf_failed',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'setup_unavailable',
  'invalid_write_key',
  'overloaded',
  /** A service Pond calls (WeCom) refused or failed; the message carries its own code. */
  'upstream_error',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    /** Dotted path of the input field at fault, e.g. `body.mobile`. */
    field: z.string().optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
