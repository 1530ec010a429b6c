import type { ErrorCode } from '@pond/contracts';

/** An expected failure: a value the caller handles, mapped to HTTP in one place. */
export interface Failure {
  readonly code: Exclude<ErrorCode, 'internal'>;
  readonly message: string;
  /** Dotted path of the input at fault, e.g. `body.parentId`. */
  readonly field?: string;
  /** Seconds to wait before retrying (with `rate_limited`). */
  readonly retryAfter?: number;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = (
  code: Failure['code'],
  message: string,
  extra: { field?: string; retryAfter?: number } = {},
): { ok: false; error: Failure } => ({ ok: false, error: { code, message, ...extra } });

export const notFound = (what: string, field?: string) =>
  fail('not_found', `${what} not found`, field ? { field } : {});

/**
 * Thrown inside a transaction to roll it back with an expected failure; `runTx` turns it
 * back into a `Result`, so callers still see a value.
 */
export class Rollback extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}
