import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function wecomLiveCodeRoutes(app: FastifyInstance, services: Services) {
  const codes = services.wecomLiveCodes;
  implement(app, services, api.liveCodes.list, ({ ctx, query }) => codes.list(ctx, query));
  implement(app, services, api.liveCodes.get, ({ ctx, params }) => codes.get(ctx, params.id));
  implement(app, services, api.liveCodes.create, ({ ctx, body }) => codes.create(ctx, body));
  implement(app, services, api.liveCodes.update, ({ ctx, params, body }) =>
    codes.update(ctx, params.id, body),
  );
  implement(app, services, api.liveCodes.remove, ({ ctx, params }) => codes.remove(ctx, params.id));
  implement(app, services, api.liveCodes.stats, ({ ctx, params, query }) =>
    codes.stats(ctx, params.id, query),
  );
  implement(app, services, api.liveCodes.adds, ({ ctx, params, query }) =>
    codes.adds.list(ctx, params.id, query),
  );
}
