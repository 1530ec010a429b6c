import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function orgRoutes(app: FastifyInstance, services: Services) {
  const { orgUnits, staff } = services;
  implement(app, services, api.orgUnits.list, async ({ ctx }) => ({ data: await orgUnits.list(ctx) }));
  implement(app, services, api.orgUnits.get, ({ ctx, params }) => orgUnits.get(ctx, params.id));
  implement(app, services, api.orgUnits.create, ({ ctx, body }) => orgUnits.create(ctx, body));
  implement(app, services, api.orgUnits.update, ({ ctx, params, body }) =>
    orgUnits.update(ctx, params.id, body),
  );
  implement(app, services, api.orgUnits.remove, ({ ctx, params }) => orgUnits.remove(ctx, params.id));

  implement(app, services, api.staff.list, ({ ctx, query }) => staff.list(ctx, query));
  implement(app, services, api.staff.get, ({ ctx, params }) => staff.get(ctx, params.id));
  implement(app, services, api.staff.create, ({ ctx, body }) => staff.create(ctx, body));
  implement(app, services, api.staff.update, ({ ctx, params, body }) => staff.update(ctx, params.id, body));
  implement(app, services, api.staff.depart, ({ ctx, params, body }) => staff.depart(ctx, params.id, body));
  implement(app, services, api.staff.reinstate, ({ ctx, params }) => staff.reinstate(ctx, params.id));
}
