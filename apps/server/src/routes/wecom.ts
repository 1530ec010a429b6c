import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function wecomRoutes(app: FastifyInstance, services: Services) {
  const { config, inbox, lossAlerts, views, fullSync } = services.wecom;
  implement(app, services, api.wecomConfig.get, ({ ctx }) => config.get(ctx));
  implement(app, services, api.wecomConfig.save, ({ ctx, body }) => config.save(ctx, body));
  implement(app, services, api.wecomConfig.check, ({ ctx }) => config.check(ctx));
  implement(app, services, api.wecomCallbacks.list, ({ ctx, query }) => inbox.callbacks(ctx, query));
  implement(app, services, api.wecomCallbacks.stats, ({ ctx }) => inbox.stats(ctx));
  implement(app, services, api.wecomCallbacks.retry, ({ ctx, params }) => inbox.retry(ctx, params.id));
  implement(app, services, api.wecomCallbacks.rejections, ({ ctx, query }) => inbox.rejections(ctx, query));
  implement(app, services, api.lossAlerts.list, ({ ctx, query }) => lossAlerts.list(ctx, query));
  implement(app, services, api.lossAlerts.summary, ({ ctx }) => lossAlerts.summary(ctx));
  implement(app, services, api.lossAlerts.update, ({ ctx, params, body }) =>
    lossAlerts.update(ctx, params.id, body),
  );
  implement(app, services, api.customerGroups.list, ({ ctx, query }) => views.groups(ctx, query));
  implement(app, services, api.customerGroups.get, ({ ctx, params }) => views.group(ctx, params.id));
  implement(app, services, api.wecomSync.latest, ({ ctx }) => fullSync.latest(ctx));
  implement(app, services, api.wecomSync.start, ({ ctx }) => fullSync.start(ctx));
  implement(app, services, api.customerWeCom.get, ({ ctx, params }) => views.ofCustomer(ctx, params.id));
}
