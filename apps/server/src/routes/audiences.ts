import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function audienceRoutes(app: FastifyInstance, services: Services) {
  implement(app, services, api.audiences.preview, ({ ctx, body }) => services.audiences.preview(ctx, body));
}
