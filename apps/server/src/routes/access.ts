import { api, Role, rolePermissions } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function accessRoutes(app: FastifyInstance, services: Services) {
  const { users, apiKeys, audit } = services;
  implement(app, services, api.roles.list, async () => ({
    data: Role.options.map((role) => ({ role, permissions: [...rolePermissions[role]] })),
  }));
  implement(app, services, api.users.list, ({ ctx, query }) => users.list(ctx, query));
  implement(app, services, api.users.create, ({ ctx, body }) => users.create(ctx, body));
  implement(app, services, api.users.update, ({ ctx, params, body }) => users.update(ctx, params.id, body));

  implement(app, services, api.apiKeys.list, async ({ ctx }) => ({ data: await apiKeys.list(ctx) }));
  implement(app, services, api.apiKeys.create, ({ ctx, body }) => apiKeys.create(ctx, body));
  implement(app, services, api.apiKeys.revoke, ({ ctx, params }) => apiKeys.revoke(ctx, params.id));

  implement(app, services, api.audit.list, ({ ctx, query }) => audit.list(ctx, query));
}
