import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function customerRoutes(app: FastifyInstance, services: Services) {
  const { customers, timeline } = services;
  implement(app, services, api.customers.list, ({ ctx, query }) => customers.list(ctx, query));
  implement(app, services, api.customers.facets, ({ ctx }) => customers.facets(ctx));
  implement(app, services, api.customers.export, async ({ ctx, query, reply }) => {
    const { format, ...filters } = query;
    const r = await services.exports.customers(ctx, filters, format);
    if (!r.ok) return r;
    const stamp = new Date().toISOString().slice(0, 10);
    reply.header('content-disposition', `attachment; filename="customers-${stamp}.${format}"`);
    reply.type(
      format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    return r.value as unknown as string;
  });
  implement(app, services, api.customers.get, ({ ctx, params }) => customers.get(ctx, params.id));
  implement(app, services, api.customers.create, ({ ctx, body }) => customers.create(ctx, body));
  implement(app, services, api.customers.update, ({ ctx, params, body }) =>
    customers.update(ctx, params.id, body),
  );
  implement(app, services, api.customers.attachIdentities, ({ ctx, params, body }) =>
    customers.attachIdentities(ctx, params.id, body),
  );
  implement(app, services, api.customers.timeline, ({ ctx, params, query }) =>
    timeline.list(ctx, params.id, query),
  );
  implement(app, services, api.customers.addNote, ({ ctx, params, body }) =>
    customers.addNote(ctx, params.id, body.body),
  );
  implement(app, services, api.customers.merges, async ({ ctx, params }) => {
    const r = await customers.merges(ctx, params.id);
    return r.ok ? { data: r.value } : r;
  });
  implement(app, services, api.customers.merge, ({ ctx, body }) =>
    customers.manualMerge(ctx, body.survivorId, body.mergedId),
  );
  implement(app, services, api.merges.unmerge, ({ ctx, params }) => customers.unmerge(ctx, params.id));

  const { attributes } = services;
  implement(app, services, api.attributes.list, async ({ ctx }) => ({ data: await attributes.list(ctx) }));
  implement(app, services, api.attributes.create, ({ ctx, body }) => attributes.create(ctx, body));
  implement(app, services, api.attributes.update, ({ ctx, params, body }) =>
    attributes.update(ctx, params.key, body),
  );

  implement(app, services, api.identityPriority.get, ({ ctx }) => services.identityPriority.get(ctx));
  implement(app, services, api.identityPriority.set, ({ ctx, body }) =>
    services.identityPriority.set(ctx, body),
  );

  const { privacy } = services;
  implement(app, services, api.privacy.consents, ({ ctx, params }) => privacy.consents(ctx, params.id));
  implement(app, services, api.privacy.recordConsent, ({ ctx, params, body }) =>
    privacy.recordConsent(ctx, params.id, body),
  );
  implement(app, services, api.privacy.exportData, ({ ctx, params }) => privacy.exportData(ctx, params.id));
  implement(app, services, api.privacy.erase, ({ ctx, params, body }) => privacy.erase(ctx, params.id, body));
}
