import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function wecomTagSyncRoutes(app: FastifyInstance, services: Services) {
  const sync = services.wecomTagSync;
  implement(app, services, api.wecomTagSync.list, async ({ ctx }) => ({ data: await sync.list(ctx) }));
  implement(app, services, api.wecomTagSync.set, ({ ctx, params, body }) =>
    sync.setSynced(ctx, params.id, body.synced),
  );
}
