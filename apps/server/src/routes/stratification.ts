import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function stratificationRoutes(app: FastifyInstance, services: Services) {
  const { stratification } = services;
  implement(app, services, api.stratification.get, ({ ctx }) => stratification.get(ctx));
  implement(app, services, api.stratification.update, ({ ctx, body }) => stratification.update(ctx, body));
  implement(app, services, api.stratification.recompute, ({ ctx }) => stratification.recompute(ctx));
  implement(app, services, api.stratification.distribution, ({ ctx }) => stratification.distribution(ctx));
  implement(app, services, api.customerStratification.get, ({ ctx, params }) =>
    stratification.ofCustomer(ctx, params.id),
  );
}
