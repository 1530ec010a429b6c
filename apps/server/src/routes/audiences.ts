import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function audienceRoutes(app: FastifyInstance, services: Services) {
  const { savedAudiences } = services;
  implement(app, services, api.audiences.list, async ({ ctx }) => ({ data: await savedAudiences.list(ctx) }));
  implement(app, services, api.audiences.get, ({ ctx, params }) => savedAudiences.get(ctx, params.id));
  implement(app, services, api.audiences.create, ({ ctx, body }) => savedAudiences.create(ctx, body));
  implement(app, services, api.audiences.update, ({ ctx, params, body }) =>
    savedAudiences.update(ctx, params.id, body),
  );
  implement(app, services, api.audiences.trends, async ({ ctx, query }) =>
    savedAudiences.trends(ctx, query.days),
  );
  implement(app, services, api.audiences.dependants, ({ ctx, params }) =>
    savedAudiences.dependants(ctx, params.id),
  );
  implement(app, services, api.audiences.sizes, ({ ctx, params, query }) =>
    savedAudiences.sizes(ctx, params.id, query.days),
  );
  implement(app, services, api.customerAudiences.list, ({ ctx, params }) =>
    savedAudiences.ofCustomer(ctx, params.id),
  );
  implement(app, services, api.audiences.overlap, ({ ctx, body }) =>
    savedAudiences.overlap(ctx, body.audienceIds),
  );
  implement(app, services, api.audiences.explain, ({ ctx, body }) => services.audiences.explain(ctx, body));
  implement(app, services, api.audiences.preview, ({ ctx, body }) => services.audiences.preview(ctx, body));
}
