import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import { createCustomerTagging } from './customer-tags.ts';
import { createTagCatalog } from './tag-catalog.ts';

export { EXPIRE_QUEUE, type TagOrigin } from './tag-rows.ts';

export type Tags = ReturnType<typeof createTags>;

/** The tags service: the catalog of groups and tags, and the tags customers carry. */
export function createTags(p: Platform, audit: AuditLog) {
  return { ...createTagCatalog(p, audit), ...createCustomerTagging(p, audit) };
}
