import type { ErrorBody } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { handleError, sendFailure } from '../http/errors.ts';

const SINGLE_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
const EVENT_LIMIT = 32 * 1024;
const BATCH_LIMIT = 500 * 1024;

export interface IngestOptions {
  /** Requests being stored at once beyond which new ones get 429 and Retry-After. */
  readonly maxInFlight: number;
}

/** The write key from Basic auth (`base64("<key>:")`), `X-Write-Key`, or `writeKey` in the body. */
function writeKeyOf(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const key = decoded.split(':')[0];
    if (key) return key;
  }
  const header = request.headers['x-write-key'];
  if (typeof header === 'string' && header) return header;
  const body = request.body as { writeKey?: unknown } | undefined;
  return typeof body?.writeKey === 'string' && body.writeKey ? body.writeKey : null;
}

function segmentError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  // Segment answers 400 to oversized payloads and invalid JSON; everything else as usual.
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply.status(400).send({
      error: {
        code: 'payload_too_large',
        message: 'the request is larger than allowed (32 KB per call, 500 KB per batch)',
        requestId: String(request.id),
      },
    } satisfies ErrorBody);
  }
  return handleError(error, request, reply);
}

/**
 * The Segment HTTP Tracking API (`/v1/identify` … `/v1/batch`), authenticated by write key.
 * Valid messages are committed before the 200; invalid ones are listed in the answer and
 * kept for the debugger, as Segment does.
 */
export async function ingestRoutes(app: FastifyInstance, services: Services, options: IngestOptions) {
  let inFlight = 0;

  // Counts requests from arrival, so those queued behind the single SQLite writer count too.
  async function handle(request: FastifyRequest, reply: FastifyReply, type: string | undefined) {
    if (inFlight >= options.maxInFlight) {
      return sendFailure(reply, {
        code: 'overloaded',
        message: 'ingestion is over its backlog bound; retry shortly',
        retryAfter: 1,
      });
    }
    inFlight++;
    try {
      return await store(request, reply, type);
    } finally {
      inFlight--;
    }
  }

  async function store(request: FastifyRequest, reply: FastifyReply, type: string | undefined) {
    const key = writeKeyOf(request);
    if (!key)
      return sendFailure(reply, {
        code: 'invalid_write_key',
        message: 'send the write key as the Basic auth username',
      });
    const source = await services.sources.byWriteKey(key);
    if (!source)
      return sendFailure(reply, {
        code: 'invalid_write_key',
        message: 'the write key is unknown or its source is disabled',
      });
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendFailure(reply, {
        code: 'invalid_request',
        message: 'the body must be a JSON object',
        field: 'body',
      });
    }
    const b = body as { batch?: unknown; context?: unknown; sentAt?: unknown };
    if (type === undefined && !Array.isArray(b.batch)) {
      return sendFailure(reply, {
        code: 'invalid_request',
        message: 'batch must be an array of messages',
        field: 'body.batch',
      });
    }
    const messages = type === undefined ? (b.batch as unknown[]) : [body];
    // The body's size as parsed (not when it came compressed), so small requests skip
    // measuring each message.
    const encoding = request.headers['content-encoding'];
    const length = Number(request.headers['content-length']);
    const r = await services.ingest.ingest(source, messages, type, {
      context: b.context,
      sentAt: b.sentAt,
      ...((!encoding || encoding === 'identity') && Number.isSafeInteger(length) && length >= 0
        ? { bytes: length }
        : {}),
    });
    if (!r.ok) return sendFailure(reply, r.error);
    return reply.send({ success: true, ...r.value });
  }

  await app.register(async (scope) => {
    scope.setErrorHandler(segmentError);
    for (const type of SINGLE_TYPES) {
      scope.post(`/v1/${type}`, { bodyLimit: EVENT_LIMIT }, (request, reply) => handle(request, reply, type));
    }
    scope.post('/v1/batch', { bodyLimit: BATCH_LIMIT }, (request, reply) =>
      handle(request, reply, undefined),
    );
  });
}
