import type { Readable } from 'node:stream';
import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

const FILE_TYPES = [
  'text/csv',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

/** Customer imports. Files arrive as the raw body and are streamed to disk, never buffered whole. */
export async function importRoutes(app: FastifyInstance, services: Services) {
  const { imports } = services;
  await app.register(async (scope) => {
    scope.addContentTypeParser(FILE_TYPES, (_request, payload, done) => done(null, payload));
    implement(scope, services, api.imports.upload, ({ ctx, query, request }) =>
      imports.upload(ctx, query, request.body as Readable),
    );
  });
  implement(app, services, api.imports.start, ({ ctx, params, body }) => imports.start(ctx, params.id, body));
  implement(app, services, api.imports.get, ({ ctx, params }) => imports.get(ctx, params.id));
  implement(app, services, api.imports.list, async ({ ctx }) => ({ data: await imports.list(ctx) }));
  implement(app, services, api.imports.errors, ({ ctx, params, query }) =>
    imports.errors(ctx, params.id, query),
  );
}
