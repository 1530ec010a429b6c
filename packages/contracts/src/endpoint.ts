import type { z } from 'zod';
import type { Permission } from './access.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * Who may call an endpoint: `public` needs nothing; `session` needs a signed-in console
 * user; `principal` accepts a session or an API key.
 */
export type EndpointAuth = 'public' | 'session' | 'principal';

/**
 * One HTTP endpoint, described once. The server validates with these schemas, the SDK
 * derives its typed methods from them, and the OpenAPI document is generated from them.
 */
export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  readonly method: HttpMethod;
  /** Fastify-style path, e.g. `/api/v1/staff/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly auth: EndpointAuth;
  /** The permission the caller needs, beyond being authenticated. */
  readonly permission?: Permission;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly response: R;
  /** 200 unless said otherwise (201 for creations, 204 for no content). */
  readonly status?: 200 | 201 | 202 | 204;
}

export function endpoint<
  P extends z.ZodType = z.ZodVoid,
  Q extends z.ZodType = z.ZodVoid,
  B extends z.ZodType = z.ZodVoid,
  R extends z.ZodType = z.ZodVoid,
>(e: Endpoint<P, Q, B, R>): Endpoint<P, Q, B, R> {
  return e;
}

type Input<S> = S extends z.ZodType ? z.input<S> : never;
type Output<S> = S extends z.ZodType ? z.output<S> : never;

/** What a caller passes to an endpoint (fields left out when the endpoint has none). */
export type EndpointInput<E> =
  E extends Endpoint<infer P, infer Q, infer B, z.ZodType>
    ? (P extends z.ZodVoid ? unknown : { params: Input<P> }) &
        (Q extends z.ZodVoid ? unknown : { query?: Input<Q> }) &
        (B extends z.ZodVoid ? unknown : { body: Input<B> })
    : never;

/** What an endpoint answers with. */
export type EndpointOutput<E> =
  E extends Endpoint<z.ZodType, z.ZodType, z.ZodType, infer R> ? Output<R> : never;
