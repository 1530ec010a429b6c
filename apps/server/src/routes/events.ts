import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function eventRoutes(app: FastifyInstance, services: Services) {
  const { sources, events } = services;
  implement(app, services, api.sources.list, async ({ ctx }) => ({ data: await sources.list(ctx) }));
  implement(app, services, api.sources.create, ({ ctx, body }) => sources.create(ctx, body));
  implement(app, services, api.sources.update, ({ ctx, params, body }) =>
    sources.update(ctx, params.id, body),
  );
  implement(app, services, api.events.list, ({ ctx, query }) => events.list(ctx, query));
  implement(app, services, api.events.catalog, async ({ ctx }) => ({ data: await events.catalog(ctx) }));
  implement(app, services, api.events.debugger, async ({ ctx, query }) => ({
    data: await events.debugger(ctx, query),
  }));
}
