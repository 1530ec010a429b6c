import type { Services } from '@pond/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The most a callback body may hold; WeCom's envelopes are a few KB. */
const MAX_BODY = 64 * 1024;

interface CallbackRoute {
  Params: { key: string };
  Querystring: Record<string, string | undefined>;
}

/**
 * WeCom's callback URL, one per tenant: `/wecom/callback/<key>`. It lives outside `/api/v1`
 * and speaks WeCom's language rather than the API's: no authentication (the signature is the
 * proof), XML in, plain text out (the echo, `success`, or the reason for a refusal), and no
 * request quota (WeCom retries what we refuse). Every refusal is logged with its reason.
 */
export async function wecomCallbackRoutes(app: FastifyInstance, services: Services) {
  const { receiver } = services.wecom;
  await app.register(async (scope) => {
    // WeCom posts text/xml; whatever the declared type, the body is read as text, bounded.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY }, (_req, body, done) =>
      done(null, body),
    );
    scope.setErrorHandler((error: { statusCode?: number }, request, reply) => {
      const code = error.statusCode ?? 500;
      const status = code === 413 ? 413 : code < 500 ? 400 : 500;
      request.log.warn({ err: error, reason: 'bad_request' }, 'wecom callback refused');
      return reply
        .status(status)
        .type('text/plain')
        .send(status === 413 ? 'payload_too_large' : 'bad_request');
    });

    const answer = (
      request: FastifyRequest,
      reply: FastifyReply,
      a: { status: number; body: string; reason?: string; tenantId?: string },
    ) => {
      if (a.reason)
        request.log.warn(
          { reason: a.reason, tenantId: a.tenantId, status: a.status },
          'wecom callback refused',
        );
      return reply.status(a.status).type('text/plain; charset=utf-8').send(a.body);
    };

    scope.get<CallbackRoute>(
      '/wecom/callback/:key',
      { config: { rateLimit: false } },
      async (request, reply) =>
        answer(request, reply, await receiver.verify(request.params.key, request.query, request.ip)),
    );
    scope.post<CallbackRoute>(
      '/wecom/callback/:key',
      { config: { rateLimit: false } },
      async (request, reply) => {
        const body = typeof request.body === 'string' ? request.body : '';
        return answer(
          request,
          reply,
          await receiver.receive(request.params.key, request.query, body, request.ip),
        );
      },
    );
  });
}
