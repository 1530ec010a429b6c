import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import type { createDemoRunner } from '../demo/demo-runner.ts';
import { implement } from '../http/implement.ts';

export function demoRoutes(
  app: FastifyInstance,
  services: Services,
  demo: ReturnType<typeof createDemoRunner>,
) {
  implement(app, services, api.demo.status, ({ ctx }) => demo.status(ctx));
  implement(app, services, api.demo.load, ({ ctx }) => demo.start(ctx));
}
