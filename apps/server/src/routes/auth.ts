import { api } from '@pond/contracts';
import { SESSION_TTL_MS, type Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { clearSessionCookie, setSessionCookie } from '../http/auth.ts';
import { implement } from '../http/implement.ts';

export function authRoutes(app: FastifyInstance, services: Services, config: Config) {
  const secure = config.http.secureCookies;

  implement(app, services, api.setup.status, async () => ({ needed: await services.setup.needed() }));

  implement(app, services, api.setup.complete, async ({ body, request, reply }) => {
    const r = await services.setup.complete(
      body,
      request.ip,
      request.headers['user-agent'] ?? null,
      String(request.id),
    );
    if (!r.ok) return r;
    setSessionCookie(reply, r.value.token, secure, SESSION_TTL_MS);
    return r.value.me;
  });

  implement(app, services, api.auth.signIn, async ({ body, request, reply }) => {
    const r = await services.auth.signIn(
      body,
      request.ip,
      request.headers['user-agent'] ?? null,
      String(request.id),
    );
    if (!r.ok) return r;
    setSessionCookie(reply, r.value.token, secure, SESSION_TTL_MS);
    return r.value.me;
  });

  implement(app, services, api.auth.signOut, async ({ ctx, auth, reply }) => {
    clearSessionCookie(reply);
    return services.auth.signOut(ctx, auth.session?.id ?? '');
  });

  implement(app, services, api.auth.me, ({ ctx, auth }) =>
    services.auth.me(ctx, auth.session?.csrfToken ?? ''),
  );

  implement(app, services, api.auth.changePassword, ({ ctx, auth, body }) =>
    services.auth.changePassword(ctx, auth.session?.id ?? '', body),
  );
}
