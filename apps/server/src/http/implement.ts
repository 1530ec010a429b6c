import type { Endpoint } from '@pond/contracts';
import type { Ctx, Result, Services } from '@pond/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { type Authenticated, authenticate } from './auth.ts';
import { fromZod, sendFailure } from './errors.ts';

type Out<S> = NonNullable<S> extends z.ZodType ? z.output<NonNullable<S>> : undefined;

export interface HandlerInput<E extends Endpoint> {
  readonly params: Out<E['params']>;
  readonly query: Out<E['query']>;
  readonly body: Out<E['body']>;
  /** Who is acting, for services; absent on public endpoints. */
  readonly ctx: E['auth'] extends 'public' ? null : Ctx;
  readonly auth: E['auth'] extends 'public' ? null : Authenticated;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

type Response<E extends Endpoint> = z.input<E['response']>;
export type Handler<E extends Endpoint> = (
  input: HandlerInput<E>,
) => Promise<Result<Response<E>> | Response<E>>;

function isResult(value: unknown): value is Result<unknown> {
  return (
    typeof value === 'object' && value !== null && 'ok' in value && ('value' in value || 'error' in value)
  );
}

/**
 * Registers the handler of one contract endpoint: authenticates, checks the permission,
 * validates params, query and body against the contract's schemas (nothing reaches a
 * service unvalidated) and turns the handler's `Result` into the HTTP answer.
 */
export function implement<E extends Endpoint>(
  app: FastifyInstance,
  services: Services,
  e: E,
  handler: Handler<E>,
) {
  app.route({
    method: e.method,
    url: e.path,
    handler: async (request, reply) => {
      let auth: Authenticated | null = null;
      if (e.auth !== 'public') {
        const found = await authenticate(services, request, e.auth);
        if ('code' in found) return sendFailure(reply, found);
        auth = found;
        if (e.permission && !auth.principal.permissions.has(e.permission)) {
          return sendFailure(reply, {
            code: 'forbidden',
            message: `this needs the ${e.permission} permission`,
          });
        }
      }
      const parsed: Record<string, unknown> = {};
      for (const where of ['params', 'query', 'body'] as const) {
        const schema = e[where];
        if (!schema) continue;
        const raw = request[where] ?? (where === 'body' ? undefined : {});
        const r = schema.safeParse(raw);
        if (!r.success) return sendFailure(reply, fromZod(where, r.error));
        parsed[where] = r.data;
      }
      const ctx: Ctx | null = auth
        ? { principal: auth.principal, requestId: String(request.id), ip: request.ip }
        : null;
      const out = await handler({ ...parsed, ctx, auth, request, reply } as unknown as HandlerInput<E>);
      const result = isResult(out) ? out : { ok: true as const, value: out };
      if (!result.ok) return sendFailure(reply, result.error);
      if (e.status === 204) return reply.status(204).send();
      return reply.status(e.status ?? 200).send(result.value);
    },
  });
}
