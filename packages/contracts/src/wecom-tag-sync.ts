import { z } from 'zod';
import { Id, IdParams, Timestamp } from './common.ts';
import { endpoint } from './endpoint.ts';

/**
 * Corp tags ↔ Pond tags: tag groups kept in step with WeCom's corp tag library. Groups that
 * came from WeCom are synced from the start; a Pond group is synced when switched on.
 */

export const TagGroupWeComSync = z.object({
  groupId: Id,
  /** Which side the group came from. */
  origin: z.enum(['wecom', 'pond']),
  /** The last WeCom error met writing this group's tags or marking them (e.g. 301002: made in the admin console). */
  lastError: z.string().nullable(),
  lastErrorAt: Timestamp.nullable(),
});
export type TagGroupWeComSync = z.infer<typeof TagGroupWeComSync>;

export const SetTagGroupWeComSync = z.strictObject({ synced: z.boolean() });
export type SetTagGroupWeComSync = z.infer<typeof SetTagGroupWeComSync>;

export const wecomTagSyncApi = {
  wecomTagSync: {
    list: endpoint({
      method: 'GET',
      path: '/api/v1/wecom/tag-sync',
      summary: 'Tag groups synced to WeCom, with the last WeCom error of each',
      tag: 'tags',
      auth: 'principal',
      permission: 'customers.read',
      response: z.object({ data: z.array(TagGroupWeComSync) }),
    }),
    set: endpoint({
      method: 'PUT',
      path: '/api/v1/tag-groups/:id/wecom-sync',
      summary: 'Switch syncing a tag group to WeCom on or off (on: its tags are created in WeCom)',
      tag: 'tags',
      auth: 'principal',
      permission: 'tags.manage',
      params: IdParams,
      body: SetTagGroupWeComSync,
      response: z.object({ groupId: Id, synced: z.boolean() }),
    }),
  },
};
