import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { Services } from '@pond/core';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createDemoRunner } from './demo/demo-runner.ts';
import { createDemoWeCom } from './demo/demo-wecom.ts';
import { handleError } from './http/errors.ts';
import { observability } from './http/observability.ts';
import { buildOpenApi } from './http/openapi.ts';
import { staticAssets } from './http/static.ts';
import { accessRoutes } from './routes/access.ts';
import { audienceRoutes } from './routes/audiences.ts';
import { authRoutes } from './routes/auth.ts';
import { customerRoutes } from './routes/customers.ts';
import { demoRoutes } from './routes/demo.ts';
import { eventRoutes } from './routes/events.ts';
import { importRoutes } from './routes/imports.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { orgRoutes } from './routes/org.ts';
import { stratificationRoutes } from './routes/stratification.ts';
import { tagRoutes } from './routes/tags.ts';
import { wecomRoutes } from './routes/wecom.ts';
import { wecomCallbackRoutes } from './routes/wecom-callbacks.ts';
import { wecomLiveCodeRoutes } from './routes/wecom-live-codes.ts';
import { wecomSuccessionRoutes } from './routes/wecom-succession.ts';
import { wecomTagSyncRoutes } from './routes/wecom-tag-sync.ts';

export const VERSION = '0.1.0';

export interface AppDeps {
  readonly config: Config;
  readonly services: Services;
  /** Where the built console lives; tests may point elsewhere. */
  readonly consoleDist?: string;
  /** Loads the demo brand; tests pass one with a small scale. */
  readonly demo?: ReturnType<typeof createDemoRunner>;
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The HTTP shell: plugins, the error mapper, and every route; no domain logic here. */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, services, consoleDist } = deps;
  const app = Fastify({
    bodyLimit: config.http.bodyLimit,
    // Only behind a proxy: otherwise any client could pick its address with X-Forwarded-For
    // and slip past per-address sign-in throttling.
    trustProxy: config.http.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    logger: {
      level: config.log.level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-csrf-token"]',
          'req.headers["x-write-key"]',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(handleError);
  // The API speaks JSON only; anything else is answered 415 rather than parsed as text.
  app.removeContentTypeParser('text/plain');
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    max: config.http.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const auth = request.headers.authorization;
      return auth ? `key:${auth.slice(-16)}` : `ip:${request.ip}`;
    },
    // Ingestion has its own backpressure (429 past a backlog bound) instead of a request quota.
    allowList: (request) =>
      request.url === '/healthz' || request.url === '/readyz' || request.url.startsWith('/v1/'),
  });

  observability(app, services);
  const openApi = buildOpenApi(VERSION);
  app.get('/api/openapi.json', async () => openApi);

  authRoutes(app, services, config);
  orgRoutes(app, services);
  accessRoutes(app, services);
  customerRoutes(app, services);
  tagRoutes(app, services);
  wecomRoutes(app, services);
  await wecomCallbackRoutes(app, services);
  wecomLiveCodeRoutes(app, services);
  wecomSuccessionRoutes(app, services);
  wecomTagSyncRoutes(app, services);
  audienceRoutes(app, services);
  stratificationRoutes(app, services);
  eventRoutes(app, services);
  await importRoutes(app, services);
  const demo = deps.demo ?? createDemoRunner(services);
  if (config.demo.wecom) {
    const demoWeCom = createDemoWeCom(app, services, { intervalMs: config.demo.wecomIntervalMs });
    demo.afterLoad((ctx) => demoWeCom.start(ctx));
  }
  demoRoutes(app, services, demo);
  await ingestRoutes(app, services, { maxInFlight: config.ingest.maxInFlight });

  await staticAssets(app, consoleDist);
  return app;
}
