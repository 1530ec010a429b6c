import type { Rule } from '@pond/contracts';
import type { Executor } from '@pond/storage';
import { type SqlBool, sql } from 'kysely';
import { type Bitmap, RoaringBitmap32, unionAll } from './bitmaps.ts';
import type { TenantIndex } from './tenant-index.ts';

/**
 * How long a resolved org subtree is kept. Org and staff changes on the outbox drop it at once
 * (`forgetOrg`); the limit covers writers that change the tree without telling the outbox.
 */
export const ORG_TTL_MS = 30_000;

/**
 * Domain events after which a WeCom customer group's members may differ: the group's own
 * (aggregate: the group), and merges, which move memberships between profiles.
 */
export const isGroupEvent = (type: string) => type.startsWith('wecom.group_');
export const movesMemberships = (type: string) => type === 'customer.merged' || type === 'customer.unmerged';

/** Domain events after which an org subtree may hold other units or staff. */
export const isOrgEvent = (type: string) => type.startsWith('org_unit.') || type.startsWith('staff.');

/** A resolved org subtree: the units under some units, and the staff of those units. */
export interface OrgSubtree {
  readonly units: string[];
  readonly staff: string[];
  readonly at: number;
}

export type RelationRule = Extract<
  Rule,
  { kind: 'owner_staff' | 'store' | 'source_channel' | 'org_unit' | 'audience' | 'customer_group' }
>;

export const isRelation = (r: Rule): r is RelationRule =>
  r.kind === 'owner_staff' ||
  r.kind === 'store' ||
  r.kind === 'source_channel' ||
  r.kind === 'org_unit' ||
  r.kind === 'audience' ||
  r.kind === 'customer_group';

/** `customers.<field> in (…)` from the field's value bitmaps, or null when the field is not indexed. */
function among(index: TenantIndex, field: string, values: readonly string[], now: number): Bitmap | null {
  if (values.length === 0) return new RoaringBitmap32();
  return index.fields.get(field)?.index.match('in', values, now, index.live) ?? null;
}

async function subtree(ex: Executor, index: TenantIndex, unitIds: readonly string[], now: number) {
  const key = [...unitIds].sort().join(',');
  const cached = index.orgSubtrees.get(key);
  if (cached && now - cached.at < ORG_TTL_MS && now >= cached.at) return cached;
  const units = (
    await ex
      .selectFrom('org_units as u')
      .innerJoin('org_units as top', (j) => j.onRef('top.tenant_id', '=', 'u.tenant_id'))
      .select('u.id')
      .distinct()
      .where('u.tenant_id', '=', index.tenantId)
      .where('top.id', 'in', [...unitIds])
      .where(sql<SqlBool>`substr(u.path, 1, length(top.path)) = top.path`)
      .execute()
  ).map((u) => u.id);
  const staff =
    units.length === 0
      ? []
      : (
          await ex
            .selectFrom('staff')
            .select('id')
            .where('tenant_id', '=', index.tenantId)
            .where('org_unit_id', 'in', units)
            .execute()
        ).map((s) => s.id);
  const generation = index.orgGeneration;
  const resolved: OrgSubtree = { units, staff, at: now };
  // Not kept when an org change was applied while it was read.
  if (generation === index.orgGeneration) index.orgSubtrees.set(key, resolved);
  return resolved;
}

/** A saved audience's members, loaded from the membership table once and then kept from the outbox. */
async function membersOf(ex: Executor, index: TenantIndex, audienceId: string): Promise<Bitmap> {
  const kept = index.audiences.get(audienceId);
  if (kept) return kept;
  const position = index.position;
  const rows = await ex
    .selectFrom('audience_members')
    .select('customer_id')
    .where('tenant_id', '=', index.tenantId)
    .where('audience_id', '=', audienceId)
    .execute();
  const members = new RoaringBitmap32(rows.map((r) => Number(r.customer_id)));
  // Entries and exits replayed later are absolute (add / remove), so applying again those the
  // table already holds is harmless; a catch-up that ran meanwhile replays nothing for it, so
  // the set is kept only if the index did not move.
  if (index.position === position && !index.audiences.has(audienceId))
    index.audiences.set(audienceId, members);
  return members;
}

/** A WeCom customer group's current customers, kept until an event about the group (or the TTL). */
async function groupMembers(ex: Executor, index: TenantIndex, groupId: string, now: number): Promise<Bitmap> {
  const kept = index.groups.get(groupId);
  if (kept && now - kept.at < ORG_TTL_MS && now >= kept.at) return kept.members;
  const generation = index.groupGeneration;
  const rows = await ex
    .selectFrom('wecom_group_members')
    .select('customer_id')
    .where('tenant_id', '=', index.tenantId)
    .where('group_id', '=', groupId)
    .where('status', '=', 'member')
    .where('customer_id', 'is not', null)
    .execute();
  const members = new RoaringBitmap32(rows.map((r) => Number(r.customer_id)));
  if (generation === index.groupGeneration) index.groups.set(groupId, { members, at: now });
  return members;
}

/**
 * A relationship or `audience` condition answered from memory: owner staff, store and source
 * channel from those profile fields' value bitmaps; an org subtree as the owner and store
 * bitmaps of its staff and units; `audience` from the saved audience's member set; WeCom
 * customer groups from each group's member set. Null when a
 * field it needs is not indexed (too many values): the condition then goes to SQL.
 */
export async function relationBitmap(
  ex: Executor,
  index: TenantIndex,
  r: RelationRule,
  now: number,
): Promise<Bitmap | null> {
  switch (r.kind) {
    case 'owner_staff':
      return among(index, 'ownerStaffId', r.staffIds, now);
    case 'store':
      return among(index, 'storeId', r.storeIds, now);
    case 'source_channel':
      return among(index, 'sourceChannel', r.channels, now);
    case 'org_unit': {
      const via = r.via ?? 'either';
      if (!index.fields.has('ownerStaffId') || !index.fields.has('storeId')) return null;
      const tree = await subtree(ex, index, r.unitIds, now);
      const parts: (Bitmap | null)[] = [];
      if (via !== 'store') parts.push(among(index, 'ownerStaffId', tree.staff, now));
      if (via !== 'owner') parts.push(among(index, 'storeId', tree.units, now));
      if (parts.some((p) => p === null)) return null;
      return unionAll(parts as Bitmap[]);
    }
    case 'customer_group': {
      const sets: Bitmap[] = [];
      for (const g of r.groupIds) sets.push(await groupMembers(ex, index, g, now));
      return unionAll(sets);
    }
    case 'audience': {
      const members = await membersOf(ex, index, r.audienceId);
      return r.match === 'in' ? members : RoaringBitmap32.andNot(index.live, members);
    }
  }
}
