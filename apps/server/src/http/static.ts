import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

const here = dirname(fileURLToPath(import.meta.url));
export const CONSOLE_DIST = resolve(here, '../../../console/dist');

const DOCS_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>Pond API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui' });</script></body></html>`;

/** Serves the built console (with client-side routes falling back to index.html) and API docs. */
export async function staticAssets(app: FastifyInstance, consoleDist = CONSOLE_DIST) {
  await app.register(fastifyStatic, {
    root: getAbsoluteFSPath(),
    prefix: '/api/docs/assets/',
    decorateReply: false,
  });
  app.get('/api/docs', async (_request, reply) => reply.type('text/html').send(DOCS_HTML));

  const built = existsSync(join(consoleDist, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: consoleDist, prefix: '/', wildcard: false });
  }
  app.setNotFoundHandler((request, reply) => {
    const wantsPage =
      request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/v1/');
    if (wantsPage && built) return reply.sendFile('index.html', consoleDist);
    if (wantsPage) {
      return reply
        .type('text/html')
        .send(
          '<p>The console is not built yet. Run <code>npm run build:console</code>, or start Pond with <code>npm start</code>.</p>',
        );
    }
    return reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
        requestId: request.id,
      },
    });
  });
}
