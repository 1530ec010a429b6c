import { api } from '@pond/contracts';
import type { Services } from '@pond/core';
import type { FastifyInstance } from 'fastify';
import { implement } from '../http/implement.ts';

export function tagRoutes(app: FastifyInstance, services: Services) {
  const { tags } = services;
  implement(app, services, api.tagGroups.list, async ({ ctx }) => ({ data: await tags.groups(ctx) }));
  implement(app, services, api.tagGroups.create, ({ ctx, body }) => tags.createGroup(ctx, body));
  implement(app, services, api.tagGroups.update, ({ ctx, params, body }) =>
    tags.updateGroup(ctx, params.id, body),
  );
  implement(app, services, api.tagGroups.remove, ({ ctx, params }) => tags.removeGroup(ctx, params.id));
  implement(app, services, api.tags.create, ({ ctx, body }) => tags.create(ctx, body));
  implement(app, services, api.tags.update, ({ ctx, params, body }) => tags.update(ctx, params.id, body));
  // The contract lets exactly one of customerIds and audienceId through.
  const targetOf = (b: { customerIds?: string[]; audienceId?: string }) =>
    b.customerIds ? { customerIds: b.customerIds } : { audienceId: b.audienceId ?? '' };
  implement(app, services, api.tags.apply, ({ ctx, params, body }) =>
    tags.bulkApply(ctx, params.id, targetOf(body), body.expiresAt),
  );
  implement(app, services, api.tags.remove, ({ ctx, params, body }) =>
    tags.bulkRemove(ctx, params.id, targetOf(body)),
  );
  const { autoTags } = services;
  implement(app, services, api.autoTagRules.list, async ({ ctx }) => ({ data: await autoTags.list(ctx) }));
  implement(app, services, api.autoTagRules.create, ({ ctx, body }) => autoTags.create(ctx, body));
  implement(app, services, api.autoTagRules.update, ({ ctx, params, body }) =>
    autoTags.update(ctx, params.id, body),
  );
  implement(app, services, api.autoTagRules.run, ({ ctx, params }) => autoTags.run(ctx, params.id));
  implement(app, services, api.customerTags.list, async ({ ctx, params }) => {
    const r = await tags.ofCustomer(ctx, params.id);
    return r.ok ? { data: r.value } : r;
  });
  implement(app, services, api.customerTags.add, async ({ ctx, params, body }) => {
    const r = await tags.tagCustomer(ctx, params.id, body.tagIds, body.expiresAt);
    return r.ok ? { data: r.value } : r;
  });
  implement(app, services, api.customerTags.remove, async ({ ctx, params, body }) => {
    const r = await tags.untagCustomer(ctx, params.id, body.tagIds);
    return r.ok ? { data: r.value } : r;
  });
}
