import { Permission } from '@pond/contracts';
import type { Executor, Trx } from '@pond/storage';
import type { CorpTagGroup, ExternalContactDetail } from '@pond/wecom';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Platform } from '../../platform/platform.ts';
import type { Ctx } from '../../shared/context.ts';
import { newId } from '../../shared/ids.ts';
import { fail, notFound, ok, type Result } from '../../shared/result.ts';
import type { Tags } from '../../tags/tags.ts';
import type { WeComGateway } from '../gateway.ts';
import { errcodeOf, PERMANENT_ERRCODES } from '../gateway.ts';
import { describeWeComError } from '../live-codes/wecom-failure.ts';
import type { WeCom } from '../wecom.ts';

export const PULL_QUEUE = 'wecom.tags.pull';
export const PUSH_GROUP_QUEUE = 'wecom.tags.push_group';
export const MARK_QUEUE = 'wecom.tags.mark';
const MAX_ATTEMPTS = 8;

/** Where tags put on by the sync come from (customer tag provenance `sync`). */
export const SYNC_ORIGIN = { source: 'sync', ref: 'wecom', name: 'WeCom' } as const;

/** WeCom errors a retry will not fix for catalog edits and mark_tag (301002: made elsewhere). */
const FINAL_ERRCODES = new Set([...PERMANENT_ERRCODES, 301002, 40068, 40071]);

function systemCtx(tenantId: string): Ctx {
  return {
    principal: {
      tenantId,
      kind: 'system',
      id: 'wecom-sync',
      name: 'WeCom sync',
      role: null,
      permissions: new Set(Permission.options),
      scope: { unitId: '', path: '' },
      staffId: null,
    },
    requestId: null,
    ip: null,
  };
}

const mapOf = (ex: Executor, tenantId: string, kind: 'group' | 'tag') =>
  ex
    .selectFrom('wecom_tag_map')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .execute();

/** Records that a WeCom group or tag is this Pond one (replacing any earlier pairing of either). */
async function bind(
  ex: Executor,
  tenantId: string,
  kind: 'group' | 'tag',
  pair: { wecomId: string; pondId: string; name: string },
  at: number,
) {
  await ex
    .deleteFrom('wecom_tag_map')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where((eb) => eb.or([eb('wecom_id', '=', pair.wecomId), eb('pond_id', '=', pair.pondId)]))
    .execute();
  await ex
    .insertInto('wecom_tag_map')
    .values({
      tenant_id: tenantId,
      kind,
      wecom_id: pair.wecomId,
      pond_id: pair.pondId,
      wecom_name: pair.name,
      deleted_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

/** Updates what Pond remembers of a paired WeCom group or tag: its name, or that it is gone. */
const remap = (
  ex: Executor,
  tenantId: string,
  kind: 'group' | 'tag',
  wecomId: string,
  set: { wecom_name?: string; deleted_at?: number | null; updated_at: number },
) =>
  ex
    .updateTable('wecom_tag_map')
    .set(set)
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('wecom_id', '=', wecomId)
    .execute();

async function customerOfExternalId(ex: Executor, tenantId: string, externalUserId: string) {
  const row = await ex
    .selectFrom('customer_identities')
    .select('customer_id')
    .where('tenant_id', '=', tenantId)
    .where('type', '=', 'wecom_external_userid')
    .where('value', '=', externalUserId)
    .executeTakeFirst();
  return row ? row.customer_id : null;
}

export interface TagGroupSyncState {
  groupId: string;
  origin: 'wecom' | 'pond';
  lastError: string | null;
  lastErrorAt: number | null;
}

export type TagSync = ReturnType<typeof createTagSync>;

/**
 * Corp tags ↔ Pond tags. WeCom → Pond: the corp tag library becomes Pond tag groups and tags
 * (mapped by id, renamed with WeCom, archived when deleted there), and the corp tags on a
 * customer's follow relationships become Pond customer tags with provenance `sync`. Pond →
 * WeCom: the tags of groups synced to WeCom are created and renamed there, and tagging or
 * untagging a customer in Pond marks the tag on each of the customer's relationships, as a
 * retried job. Changes the sync itself makes carry `sync` and are never sent back.
 */
export function createTagSync(p: Platform, audit: AuditLog, tags: Tags, wecom: WeCom) {
  const { db, clock } = p;

  async function recordError(tenantId: string, groupId: string, error: string | null) {
    await db
      .updateTable('wecom_synced_tag_groups')
      .set({ last_error: error?.slice(0, 1000) ?? null, last_error_at: error ? clock.now() : null })
      .where('tenant_id', '=', tenantId)
      .where('group_id', '=', groupId)
      .execute();
  }

  /** A Pond group name that is free: the WeCom name, or it with the WeCom id when taken. */
  async function freeGroupName(trx: Trx, tenantId: string, name: string, wecomId: string, self?: string) {
    const taken = await trx
      .selectFrom('tag_groups')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .$if(self !== undefined, (q) => q.where('id', '!=', self ?? ''))
      .executeTakeFirst();
    return taken ? `${name} (${wecomId})`.slice(0, 100) : name.slice(0, 100);
  }

  /**
   * Makes the Pond catalog match the corp tag library (one transaction): new groups and tags
   * are created (or an unmapped Pond group/tag of the same name is adopted), renamed ones
   * renamed, ones gone from WeCom archived. Returns how many Pond rows changed.
   */
  async function applyLibrary(tenantId: string, library: CorpTagGroup[]): Promise<number> {
    const ctx = systemCtx(tenantId);
    const r = await p.tx(async (trx) => {
      const now = clock.now();
      let changed = 0;
      const groupMap = new Map((await mapOf(trx, tenantId, 'group')).map((m) => [m.wecom_id, m]));
      const tagMap = new Map((await mapOf(trx, tenantId, 'tag')).map((m) => [m.wecom_id, m]));
      const seenTags = new Set<string>();
      const seenGroups = new Set<string>();
      for (const g of library) {
        if (g.deleted) continue;
        seenGroups.add(g.groupId);
        let groupId = groupMap.get(g.groupId)?.pond_id;
        const group = groupId
          ? await trx.selectFrom('tag_groups').selectAll().where('id', '=', groupId).executeTakeFirst()
          : undefined;
        if (!group) {
          const same = await trx
            .selectFrom('tag_groups')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('name', '=', g.groupName)
            .where((eb) =>
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('wecom_tag_map as m')
                    .select('m.pond_id')
                    .where('m.tenant_id', '=', tenantId)
                    .where('m.kind', '=', 'group')
                    .whereRef('m.pond_id', '=', 'tag_groups.id'),
                ),
              ),
            )
            .executeTakeFirst();
          groupId = same?.id ?? newId('tgg', now);
          if (!same) {
            const name = await freeGroupName(trx, tenantId, g.groupName, g.groupId);
            await trx
              .insertInto('tag_groups')
              .values({ id: groupId, tenant_id: tenantId, name, created_at: now, updated_at: now })
              .execute();
            await audit.record(trx, ctx, {
              action: 'tag_group.created',
              targetType: 'tag_group',
              targetId: groupId,
              after: { name, wecomGroupId: g.groupId },
            });
            changed++;
          }
          await bind(trx, tenantId, 'group', { wecomId: g.groupId, pondId: groupId, name: g.groupName }, now);
          const synced = await trx
            .selectFrom('wecom_synced_tag_groups')
            .select('group_id')
            .where('tenant_id', '=', tenantId)
            .where('group_id', '=', groupId)
            .executeTakeFirst();
          if (!synced)
            await trx
              .insertInto('wecom_synced_tag_groups')
              .values({
                tenant_id: tenantId,
                group_id: groupId,
                origin: 'wecom',
                last_error: null,
                last_error_at: null,
                created_at: now,
              })
              .execute();
        } else if (groupMap.get(g.groupId)?.wecom_name !== g.groupName) {
          // Renamed in WeCom since the last look: Pond follows.
          const name = await freeGroupName(trx, tenantId, g.groupName, g.groupId, group.id);
          if (name !== group.name) {
            await trx
              .updateTable('tag_groups')
              .set({ name, updated_at: now })
              .where('id', '=', group.id)
              .execute();
            await audit.record(trx, ctx, {
              action: 'tag_group.updated',
              targetType: 'tag_group',
              targetId: group.id,
              before: { name: group.name },
              after: { name },
            });
            changed++;
          }
          await remap(trx, tenantId, 'group', g.groupId, {
            wecom_name: g.groupName,
            deleted_at: null,
            updated_at: now,
          });
        }
        if (!groupId) continue;
        for (const t of g.tags) {
          if (t.deleted) continue;
          seenTags.add(t.id);
          const mapped = tagMap.get(t.id);
          const row = mapped
            ? await trx.selectFrom('tags').selectAll().where('id', '=', mapped.pond_id).executeTakeFirst()
            : undefined;
          if (row) {
            const renamed = mapped?.wecom_name !== t.name;
            const name = renamed ? t.name.slice(0, 100) : row.name;
            const restore = row.archived_at !== null && mapped?.deleted_at !== null;
            if (name !== row.name || restore || row.group_id !== groupId) {
              await trx
                .updateTable('tags')
                .set({
                  name,
                  group_id: groupId,
                  archived_at: restore ? null : row.archived_at,
                  updated_at: now,
                })
                .where('id', '=', row.id)
                .execute();
              await audit.record(trx, ctx, {
                action: 'tag.updated',
                targetType: 'tag',
                targetId: row.id,
                before: { name: row.name, archivedAt: row.archived_at },
                after: { name, archivedAt: restore ? null : row.archived_at },
              });
              changed++;
            }
            if (renamed || mapped?.deleted_at !== null)
              await remap(trx, tenantId, 'tag', t.id, {
                wecom_name: t.name,
                deleted_at: null,
                updated_at: now,
              });
            continue;
          }
          const same = await trx
            .selectFrom('tags')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('group_id', '=', groupId)
            .where('name', '=', t.name)
            .executeTakeFirst();
          const tagId = same?.id ?? newId('tag', now);
          if (!same) {
            await trx
              .insertInto('tags')
              .values({
                id: tagId,
                tenant_id: tenantId,
                group_id: groupId,
                name: t.name.slice(0, 100),
                color: 'blue',
                archived_at: null,
                created_at: now,
                updated_at: now,
              })
              .execute();
            await audit.record(trx, ctx, {
              action: 'tag.created',
              targetType: 'tag',
              targetId: tagId,
              after: { name: t.name, groupId, wecomTagId: t.id },
            });
            changed++;
          }
          await bind(trx, tenantId, 'tag', { wecomId: t.id, pondId: tagId, name: t.name }, now);
        }
      }
      // Gone from WeCom: the Pond tags are archived (customers keep their history).
      for (const m of tagMap.values()) {
        if (seenTags.has(m.wecom_id) || m.deleted_at !== null) continue;
        const row = await trx.selectFrom('tags').selectAll().where('id', '=', m.pond_id).executeTakeFirst();
        if (row && row.archived_at === null) {
          await trx
            .updateTable('tags')
            .set({ archived_at: now, updated_at: now })
            .where('id', '=', row.id)
            .execute();
          await audit.record(trx, ctx, {
            action: 'tag.updated',
            targetType: 'tag',
            targetId: row.id,
            before: { archivedAt: null },
            after: { archivedAt: now, reason: 'deleted in WeCom' },
          });
          changed++;
        }
        await remap(trx, tenantId, 'tag', m.wecom_id, { deleted_at: now, updated_at: now });
      }
      for (const m of groupMap.values())
        if (!seenGroups.has(m.wecom_id) && m.deleted_at === null)
          await remap(trx, tenantId, 'group', m.wecom_id, { deleted_at: now, updated_at: now });
      await trx
        .updateTable('wecom_tag_changes')
        .set({ synced_at: now })
        .where('tenant_id', '=', tenantId)
        .where('synced_at', 'is', null)
        .execute();
      await p.outbox.append(trx, {
        tenantId,
        type: 'wecom.corp_tags_pulled',
        aggregateType: 'wecom_tag',
        aggregateId: tenantId,
        payload: { changed },
      });
      return ok(changed);
    });
    return r.ok ? r.value : 0;
  }

  /** Reads the corp tag library from WeCom and applies it. */
  async function pull(tenantId: string, gateway?: WeComGateway | null): Promise<number> {
    const gw = gateway ?? (await wecom.gatewayOf(tenantId));
    if (!gw) return 0;
    return applyLibrary(tenantId, await gw.getCorpTagList());
  }

  /** Pond tag ids for these corp tag ids (unknown ones left out). */
  async function pondTagsOf(ex: Executor, tenantId: string, corpTagIds: readonly string[]) {
    if (corpTagIds.length === 0) return [];
    const rows = await ex
      .selectFrom('wecom_tag_map')
      .select('pond_id')
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'tag')
      .where('wecom_id', 'in', [...corpTagIds])
      .where('deleted_at', 'is', null)
      .execute();
    return rows.map((r) => r.pond_id);
  }

  /**
   * Puts the corp tags a relation carries on the customer (provenance `sync`); nothing is
   * taken off, as one relation does not say what the customer's other relations carry.
   */
  async function addFromRelation(
    trx: Trx,
    tenantId: string,
    customerId: number,
    corpTagIds: readonly string[],
  ) {
    const ids = await pondTagsOf(trx, tenantId, corpTagIds);
    if (ids.length > 0) await tags.apply(trx, tenantId, [customerId], ids, SYNC_ORIGIN, null);
  }

  /**
   * Makes the customer's mapped tags equal to the corp tags on all their relationships (a
   * complete externalcontact/get): missing ones are put on with provenance `sync`, mapped
   * ones no relationship carries any more are taken off, unless a push of the customer's
   * own Pond changes to WeCom is still waiting (then WeCom is behind, not ahead).
   */
  async function refreshCustomer(
    trx: Trx,
    tenantId: string,
    customerId: number,
    detail: ExternalContactDetail,
    /** Whether corp tags Pond does not know yet send for the library and a second look. */
    lookAgain = true,
  ) {
    const corp = [
      ...new Set(
        detail.followUsers.flatMap((f) =>
          f.tags.filter((t) => t.type === 1 && t.tagId).map((t) => t.tagId ?? ''),
        ),
      ),
    ];
    const want = new Set(await pondTagsOf(trx, tenantId, corp));
    if (lookAgain && want.size < corp.length) {
      const id = detail.externalContact.externalUserId;
      await enqueuePull(trx, tenantId, `refresh:${id}:${clock.now()}`, [id]);
    }
    if (want.size > 0) await tags.apply(trx, tenantId, [customerId], [...want], SYNC_ORIGIN, null);
    if (detail.nextCursor) return;
    const pending = await trx
      .selectFrom('jobs')
      .select('id')
      .where('queue', '=', MARK_QUEUE)
      .where('status', 'in', ['queued', 'running'])
      .where('dedupe_key', 'like', `${MARK_QUEUE}:${tenantId}:${customerId}:%`)
      .executeTakeFirst();
    if (pending) return;
    const held = await trx
      .selectFrom('customer_tags as ct')
      .innerJoin('wecom_tag_map as m', (j) =>
        j
          .onRef('m.pond_id', '=', 'ct.tag_id')
          .onRef('m.tenant_id', '=', 'ct.tenant_id')
          .on('m.kind', '=', 'tag'),
      )
      .select('ct.tag_id')
      .where('ct.tenant_id', '=', tenantId)
      .where('ct.customer_id', '=', customerId)
      .where('m.deleted_at', 'is', null)
      .execute();
    const drop = [...new Set(held.map((h) => h.tag_id))].filter((id) => !want.has(id));
    if (drop.length > 0) await tags.remove(trx, tenantId, [customerId], drop, 'sync');
  }

  /** Creates the group's unmapped tags in WeCom and renames those whose Pond name changed. */
  async function pushGroup(tenantId: string, groupId: string): Promise<void> {
    const synced = await db
      .selectFrom('wecom_synced_tag_groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('group_id', '=', groupId)
      .executeTakeFirst();
    const group = await db
      .selectFrom('tag_groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', groupId)
      .executeTakeFirst();
    if (!synced || !group) return;
    const gateway = await wecom.gatewayOf(tenantId);
    if (!gateway) return;
    const groupMap = (await mapOf(db, tenantId, 'group')).find(
      (m) => m.pond_id === groupId && m.deleted_at === null,
    );
    const tagRows = await db
      .selectFrom('tags')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('group_id', '=', groupId)
      .where('archived_at', 'is', null)
      .orderBy('created_at')
      .execute();
    const tagMap = new Map(
      (await mapOf(db, tenantId, 'tag')).filter((m) => m.deleted_at === null).map((m) => [m.pond_id, m]),
    );
    const now = () => clock.now();
    /** Renames a paired group or tag in WeCom, then remembers the name WeCom now holds. */
    const rename = async (kind: 'group' | 'tag', wecomId: string, name: string) => {
      await gateway.editCorpTag({ id: wecomId, name: name.slice(0, 30) });
      await remap(db, tenantId, kind, wecomId, { wecom_name: name, updated_at: now() });
    };
    try {
      if (groupMap && groupMap.wecom_name !== group.name)
        await rename('group', groupMap.wecom_id, group.name);
      for (const t of tagRows) {
        const m = tagMap.get(t.id);
        if (m && m.wecom_name !== t.name) await rename('tag', m.wecom_id, t.name);
      }
      const missing = tagRows.filter((t) => !tagMap.has(t.id));
      if (missing.length > 0) {
        const made = await gateway.addCorpTag({
          ...(groupMap ? { groupId: groupMap.wecom_id } : { groupName: group.name.slice(0, 30) }),
          tags: missing.map((t) => ({ name: t.name.slice(0, 30) })),
        });
        await p.tx(async (trx) => {
          const at = now();
          if (!groupMap)
            await bind(
              trx,
              tenantId,
              'group',
              { wecomId: made.groupId, pondId: groupId, name: made.groupName },
              at,
            );
          for (const t of missing) {
            const corp = made.tags.find((c) => c.name === t.name.slice(0, 30));
            if (corp)
              await bind(trx, tenantId, 'tag', { wecomId: corp.id, pondId: t.id, name: corp.name }, at);
          }
          return ok(null);
        });
      }
      await recordError(tenantId, groupId, null);
    } catch (e) {
      await recordError(tenantId, groupId, describeWeComError(e).text);
      const code = errcodeOf(e);
      if (code === null || !FINAL_ERRCODES.has(code)) throw e;
    }
  }

  /**
   * Makes each of the customer's active relationships carry exactly the customer's Pond tags
   * among the tags of synced groups mapped to corp tags (one mark_tag per relationship).
   */
  async function markCustomer(tenantId: string, customerId: number): Promise<void> {
    const gateway = await wecom.gatewayOf(tenantId);
    if (!gateway) return;
    const now = clock.now();
    const mapped = await db
      .selectFrom('wecom_tag_map as m')
      .innerJoin('tags as t', 't.id', 'm.pond_id')
      .innerJoin('wecom_synced_tag_groups as s', (j) =>
        j.onRef('s.group_id', '=', 't.group_id').onRef('s.tenant_id', '=', 'm.tenant_id'),
      )
      .select(['m.wecom_id', 'm.pond_id', 't.group_id'])
      .where('m.tenant_id', '=', tenantId)
      .where('m.kind', '=', 'tag')
      .where('m.deleted_at', 'is', null)
      .execute();
    if (mapped.length === 0) return;
    const held = new Set(
      (
        await db
          .selectFrom('customer_tags')
          .select('tag_id')
          .where('tenant_id', '=', tenantId)
          .where('customer_id', '=', customerId)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .execute()
      ).map((r) => r.tag_id),
    );
    const add = mapped.filter((m) => held.has(m.pond_id));
    const remove = mapped.filter((m) => !held.has(m.pond_id));
    const relations = await db
      .selectFrom('wecom_relationships')
      .select(['staff_userid', 'external_userid'])
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', customerId)
      .where('status', '=', 'active')
      .execute();
    const groups = [...new Set(mapped.map((m) => m.group_id))];
    let transient: unknown = null;
    let error: string | null = null;
    for (const r of relations) {
      try {
        await gateway.markTag({
          userId: r.staff_userid,
          externalUserId: r.external_userid,
          ...(add.length > 0 && { addTagIds: add.map((m) => m.wecom_id) }),
          ...(remove.length > 0 && { removeTagIds: remove.map((m) => m.wecom_id) }),
        });
      } catch (e) {
        error = `mark_tag ${r.staff_userid}/${r.external_userid}: ${describeWeComError(e).text}`;
        const code = errcodeOf(e);
        if (code === null || !FINAL_ERRCODES.has(code)) transient = e;
      }
    }
    for (const g of groups) if (error || relations.length > 0) await recordError(tenantId, g, error);
    if (transient) throw transient;
  }

  async function enqueueMark(ex: Executor, tenantId: string, customerId: number, key: string | number) {
    await p.jobs.enqueue(
      {
        queue: MARK_QUEUE,
        tenantId,
        payload: { tenantId, customerId },
        maxAttempts: MAX_ATTEMPTS,
        dedupeKey: `${MARK_QUEUE}:${tenantId}:${customerId}:${key}`,
      },
      ex,
    );
  }

  /** Reads the library again; then re-reads these customers (external userids) from WeCom. */
  const enqueuePull = (ex: Executor, tenantId: string, key: string | number, refresh: string[] = []) =>
    p.jobs.enqueue(
      {
        queue: PULL_QUEUE,
        tenantId,
        payload: { tenantId, refresh },
        maxAttempts: MAX_ATTEMPTS,
        dedupeKey: `${PULL_QUEUE}:${tenantId}:${key}`,
      },
      ex,
    );

  const enqueuePushGroup = (ex: Executor, tenantId: string, groupId: string, key: string | number) =>
    p.jobs.enqueue(
      {
        queue: PUSH_GROUP_QUEUE,
        tenantId,
        payload: { tenantId, groupId },
        maxAttempts: MAX_ATTEMPTS,
        dedupeKey: `${PUSH_GROUP_QUEUE}:${tenantId}:${groupId}:${key}`,
      },
      ex,
    );

  p.jobs.handle(PULL_QUEUE, async (payload) => {
    const tenantId = String(payload.tenantId);
    const gateway = await wecom.gatewayOf(tenantId);
    if (!gateway) return;
    await pull(tenantId, gateway);
    const refresh = Array.isArray(payload.refresh) ? payload.refresh.map(String) : [];
    for (const externalUserId of refresh) {
      let detail: ExternalContactDetail;
      try {
        detail = await gateway.getExternalContact(externalUserId);
      } catch (e) {
        const code = errcodeOf(e);
        if (code !== null && PERMANENT_ERRCODES.has(code)) continue;
        throw e;
      }
      await p.tx(async (trx) => {
        const customerId = await customerOfExternalId(trx, tenantId, externalUserId);
        if (customerId !== null) await refreshCustomer(trx, tenantId, customerId, detail, false);
        return ok(null);
      });
    }
  });
  p.jobs.handle(PUSH_GROUP_QUEUE, async (payload) => {
    await pushGroup(String(payload.tenantId), String(payload.groupId));
  });
  p.jobs.handle(MARK_QUEUE, async (payload) => {
    await markCustomer(String(payload.tenantId), Number(payload.customerId));
  });

  // Pond → WeCom: taggings that did not come from the sync, on tags of synced groups.
  p.outbox.subscribe({
    name: 'wecom-tag-sync',
    async handle(events, trx) {
      for (const ev of events) {
        if (ev.type === 'customer.tagged' || ev.type === 'customer.untagged') {
          if (ev.payload.source === 'sync' || ev.payload.reason === 'sync') continue;
          const tagId = String(ev.payload.tagId);
          const synced = await trx
            .selectFrom('tags as t')
            .innerJoin('wecom_synced_tag_groups as s', (j) =>
              j.onRef('s.group_id', '=', 't.group_id').onRef('s.tenant_id', '=', 't.tenant_id'),
            )
            .select('t.id')
            .where('t.tenant_id', '=', ev.tenantId)
            .where('t.id', '=', tagId)
            .executeTakeFirst();
          if (synced) await enqueueMark(trx, ev.tenantId, Number(ev.payload.customerId), ev.id);
        } else if (
          ev.type === 'tag.created' ||
          ev.type === 'tag.updated' ||
          ev.type === 'tag_group.updated'
        ) {
          const groupId = String(ev.payload.groupId ?? '');
          const synced = await trx
            .selectFrom('wecom_synced_tag_groups')
            .select('group_id')
            .where('tenant_id', '=', ev.tenantId)
            .where('group_id', '=', groupId)
            .executeTakeFirst();
          if (synced) await enqueuePushGroup(trx, ev.tenantId, groupId, ev.id);
        }
      }
    },
  });

  // WeCom → Pond on callbacks: corp tag library changes and customers' refreshed details.
  wecom.inbox.listen(async (trx, { tenantId, callbackId, event, contact }) => {
    if (event.kind === 'tag_change') {
      await enqueuePull(trx, tenantId, callbackId);
      return;
    }
    if (!contact || !('externalUserId' in event)) return;
    const customerId = await customerOfExternalId(trx, tenantId, event.externalUserId);
    if (customerId !== null) await refreshCustomer(trx, tenantId, customerId, contact);
  });

  wecom.fullSync.useTagSync({
    pull: (tenantId, gateway) => pull(tenantId, gateway).then(() => undefined),
    relation: addFromRelation,
  });

  const toState = (r: {
    group_id: string;
    origin: 'wecom' | 'pond';
    last_error: string | null;
    last_error_at: number | null;
  }): TagGroupSyncState => ({
    groupId: r.group_id,
    origin: r.origin,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
  });

  return {
    pull,
    pushGroup,
    markCustomer,

    /** The groups kept in step with WeCom, with the last WeCom error of each. */
    async list(ctx: Ctx): Promise<TagGroupSyncState[]> {
      const rows = await db
        .selectFrom('wecom_synced_tag_groups')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .orderBy('created_at')
        .execute();
      return rows.map(toState);
    },

    /** Marks a Pond tag group as synced to WeCom (its tags are created there) or not. */
    setSynced(
      ctx: Ctx,
      groupId: string,
      synced: boolean,
    ): Promise<Result<{ groupId: string; synced: boolean }>> {
      const tenantId = ctx.principal.tenantId;
      return p.tx(async (trx) => {
        const group = await trx
          .selectFrom('tag_groups')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', groupId)
          .executeTakeFirst();
        if (!group) return notFound('tag group');
        const row = await trx
          .selectFrom('wecom_synced_tag_groups')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('group_id', '=', groupId)
          .executeTakeFirst();
        if (Boolean(row) === synced) return ok({ groupId, synced });
        if (
          synced &&
          !(await trx
            .selectFrom('wecom_configs')
            .select('tenant_id')
            .where('tenant_id', '=', tenantId)
            .executeTakeFirst())
        )
          return fail('conflict', 'connect WeCom first: syncing a tag group writes to WeCom');
        if (synced) {
          await trx
            .insertInto('wecom_synced_tag_groups')
            .values({
              tenant_id: tenantId,
              group_id: groupId,
              origin: 'pond',
              last_error: null,
              last_error_at: null,
              created_at: clock.now(),
            })
            .execute();
          await enqueuePushGroup(trx, tenantId, groupId, `on:${clock.now()}`);
        } else {
          await trx
            .deleteFrom('wecom_synced_tag_groups')
            .where('tenant_id', '=', tenantId)
            .where('group_id', '=', groupId)
            .execute();
        }
        await audit.record(trx, ctx, {
          action: synced ? 'tag_group.wecom_sync_on' : 'tag_group.wecom_sync_off',
          targetType: 'tag_group',
          targetId: groupId,
          before: { synced: !synced },
          after: { synced },
        });
        await p.outbox.append(trx, {
          tenantId,
          type: synced ? 'tag_group.wecom_sync_on' : 'tag_group.wecom_sync_off',
          aggregateType: 'tag_group',
          aggregateId: groupId,
          payload: {},
        });
        return ok({ groupId, synced });
      });
    },
  };
}
