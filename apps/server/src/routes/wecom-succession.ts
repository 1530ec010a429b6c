import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function wecomSuccessionRoutes(app: FastifyInstance, services: Services) {
  const succession = services.wecomSuccession;
  implement(app, services, api.succession.candidates, ({ ctx, query }) =>
    succession.candidates(ctx, query.kind),
  );
  implement(app, services, api.succession.assets, ({ ctx, params, query }) =>
    succession.assets(ctx, query.kind, params.userId),
  );
  implement(app, services, api.transfers.list, ({ ctx, query }) => succession.list(ctx, query));
  implement(app, services, api.transfers.get, ({ ctx, params }) => succession.get(ctx, params.id));
  implement(app, services, api.transfers.create, ({ ctx, body }) => succession.create(ctx, body));
  implement(app, services, api.transfers.retry, ({ ctx, params, body }) =>
    succession.retry(ctx, params.id, body),
  );
}
