import type { ErrorBody, ErrorCode } from '@pond/contracts';
import type { Failure } from '@pond/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

/** The one table from error codes to HTTP statuses. */
export const STATUS: Record<ErrorCode, number> = {
  malformed_json: 400,
  invalid_request: 400,
  unknown_field: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  setup_unavailable: 409,
  invalid_write_key: 401,
  overloaded: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  upstream_error: 502,
  internal: 500,
};

export function sendFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  const body: ErrorBody = {
    error: {
      code: failure.code,
      message: failure.message,
      ...(failure.field ? { field: failure.field } : {}),
      requestId: String(reply.request.id),
    },
  };
  if (failure.retryAfter !== undefined) reply.header('retry-after', String(failure.retryAfter));
  return reply.status(STATUS[failure.code]).send(body);
}

/** The first problem zod found, as a failure naming the field (e.g. `body.mobile`). */
export function fromZod(where: 'params' | 'query' | 'body', error: z.ZodError): Failure {
  const issue = error.issues[0];
  if (!issue) return { code: 'invalid_request', message: `invalid ${where}` };
  const path = [where, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return { code: 'unknown_field', message: `unknown field "${key}"`, field: `${path}.${key}` };
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return { code: 'invalid_request', message: `${path} is required`, field: path };
  }
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return { code: 'invalid_request', message: `${path}: ${issue.message}${more}`, field: path };
}

const FASTIFY_CODES: Record<string, Failure> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', message: 'the body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed_json', message: 'the body is empty but JSON was declared' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'the body is larger than allowed' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'send the body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid_request',
    message: 'content-length does not match the body',
  },
};

/**
 * The single place thrown errors become HTTP answers. Known framework errors keep their
 * meaning; anything else is logged with its stack and answered as `internal`, without
 * internals leaking to the client.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return sendFailure(reply, known);
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return sendFailure(reply, { code: 'malformed_json', message: 'the body is not valid JSON' });
  }
  if (error.statusCode === 429) {
    return sendFailure(reply, {
      code: 'rate_limited',
      message: 'too many requests; slow down',
      retryAfter: 60,
    });
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return sendFailure(reply, { code: 'invalid_request', message: error.message });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send({
    error: { code: 'internal', message: 'something went wrong on our side', requestId: String(request.id) },
  } satisfies ErrorBody);
}
