import type { EndpointAuth } from '@pond/contracts';
import type { Failure, Principal, Services } from '@pond/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'pond_session';

export interface Authenticated {
  readonly principal: Principal;
  /** Present when the caller signed in through the console. */
  readonly session: { readonly id: string; readonly csrfToken: string } | null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Finds out who is calling. An API key (`Authorization: Bearer pond_sk_…`) wins over a
 * cookie. Requests made with a session cookie must echo the session's CSRF token in
 * `x-csrf-token` whenever they change something.
 */
export async function authenticate(
  services: Services,
  request: FastifyRequest,
  mode: Exclude<EndpointAuth, 'public'>,
): Promise<Authenticated | Failure> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      return { code: 'unauthenticated', message: 'the Authorization header must be "Bearer <api key>"' };
    if (mode === 'session')
      return { code: 'forbidden', message: 'this endpoint is for signed-in console users' };
    const principal = await services.principals.fromApiKey(match[1]);
    if (!principal)
      return { code: 'unauthenticated', message: 'the API key is not valid or has been revoked' };
    return { principal, session: null };
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return { code: 'unauthenticated', message: 'sign in first' };
  const found = await services.principals.fromSession(token);
  if (!found) return { code: 'unauthenticated', message: 'the session has ended; sign in again' };
  if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== found.csrfToken) {
    return { code: 'csrf_failed', message: 'missing or wrong x-csrf-token header' };
  }
  return { principal: found.principal, session: { id: found.sessionId, csrfToken: found.csrfToken } };
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean, maxAgeMs: number) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
