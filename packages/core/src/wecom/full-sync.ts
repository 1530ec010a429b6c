import { Permission, type WeComSync } from '@pond/contracts';
import type { Trx, WeComSyncTable } from '@pond/storage';
import { type ContactRelation, type GroupChat, WeComApiError, WeComErrorCode } from '@pond/wecom';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { createOrgUnits } from '../org/org-units.ts';
import { createStaff } from '../org/staff.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { fail, ok, type Result } from '../shared/result.ts';
import { customerOfExternal, staffByUserId, upsertRelationship } from './contacts.ts';
import type { WeComGateway } from './gateway.ts';
import { applyChatEvent } from './groups.ts';

type Row = Selectable<WeComSyncTable>;

export const SYNC_QUEUE = 'wecom.full_sync';
/** Pages one job handles before handing over to the next (a job's lease is 5 minutes). */
const PAGES_PER_JOB = 40;
/** WeCom takes at most 100 members per batch/get_by_user (SPEC §3.4). */
const MEMBER_SET = 100;

interface SyncState {
  /** Members with customer contact enabled, fetched once at the start. */
  members?: string[];
  /** Index of the first member of the current set of 100. */
  set: number;
  /** batch/get_by_user cursor within the current set. */
  cursor: string;
  /** groupchat/list cursor. */
  groupCursor: string;
  /** The corp tag library has been read into Pond tags (before the first contacts page). */
  tagsPulled?: boolean;
}

/** The corp tag phase of the sync, provided by the tag sync (wecom/tag-sync). */
export interface FullSyncTagHooks {
  /** Reads the corp tag library into Pond tag groups and tags. */
  pull(tenantId: string, gateway: WeComGateway): Promise<void>;
  /** Puts the corp tags one relation carries on its customer. */
  relation(trx: Trx, tenantId: string, customerId: number, corpTagIds: readonly string[]): Promise<void>;
}

const toSync = (r: Row): WeComSync => ({
  id: r.id,
  status: r.status,
  phase: r.phase,
  members: r.members,
  membersDone: r.members_done,
  relationships: r.relationships,
  customersCreated: r.customers_created,
  groups: r.groups,
  unitsCreated: r.units_created,
  staffCreated: r.staff_created,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

/**
 * The full sync: every member with customer contact, their customers page by page
 * (batch/get_by_user → customers, identities and relationships), then every customer group
 * with its members. Each page commits with the position to resume from, so a crash or a
 * restart continues where it stopped; progress is on the sync row. Callbacks keep the data
 * current afterwards.
 */
export function createFullSync(
  p: Platform,
  audit: AuditLog,
  gatewayOf: (tenantId: string) => Promise<WeComGateway | null>,
) {
  const { db, clock } = p;

  async function save(id: string, set: Partial<Row>) {
    await db
      .updateTable('wecom_syncs')
      .set({ ...set, updated_at: clock.now() })
      .where('id', '=', id)
      .execute();
  }

  const orgUnits = createOrgUnits(p, audit);
  let tagHooks: FullSyncTagHooks | null = null;
  const staffService = createStaff(p, audit);

  /**
   * The staff directory: WeCom departments become org units of kind department under the
   * head office (recognised again by their code `wecom-<id>`, renamed when WeCom renames them),
   * members with no staff member holding their userid become staff members in their first
   * department. Existing units and staff are never moved or removed; an active staff member
   * whose userid is no longer listed is marked departed once WeCom confirms the member is gone
   * (user/get answers 60111) — a member merely outside the app's visible range is left alone.
   * Changes are audited as the "WeCom sync" system actor.
   */
  async function directoryStep(row: Row, gateway: WeComGateway): Promise<void> {
    const root = await db
      .selectFrom('org_units')
      .select(['id', 'path'])
      .where('tenant_id', '=', row.tenant_id)
      .where('parent_id', 'is', null)
      .executeTakeFirstOrThrow();
    const ctx: Ctx = {
      principal: {
        tenantId: row.tenant_id,
        kind: 'system',
        id: 'wecom-sync',
        name: 'WeCom sync',
        role: null,
        permissions: new Set(Permission.options),
        scope: { unitId: root.id, path: root.path },
        staffId: null,
      },
      requestId: null,
      ip: null,
    };
    const departments = await gateway.listDepartments();
    const ids = new Set(departments.map((d) => d.id));
    const unitOf = new Map<number, string>();
    // The top of the visible tree stands for the head office.
    for (const d of departments) if (!ids.has(d.parentId)) unitOf.set(d.id, root.id);
    const existing = await db
      .selectFrom('org_units')
      .select(['id', 'code', 'name'])
      .where('tenant_id', '=', row.tenant_id)
      .where('code', 'like', 'wecom-%')
      .execute();
    let unitsCreated = 0;
    // Parents before children: repeat until no department is left whose parent is placed.
    let pending = departments.filter((d) => !unitOf.has(d.id));
    while (pending.length > 0) {
      const ready = pending.filter((d) => unitOf.has(d.parentId));
      if (ready.length === 0) break;
      for (const d of ready) {
        const code = `wecom-${d.id}`;
        const found = existing.find((u) => u.code === code);
        if (found) {
          if (found.name !== d.name) await orgUnits.update(ctx, found.id, { name: d.name.slice(0, 100) });
          unitOf.set(d.id, found.id);
          continue;
        }
        const created = await orgUnits.create(ctx, {
          parentId: unitOf.get(d.parentId) ?? root.id,
          name: d.name.slice(0, 100) || code,
          kind: 'department',
          code,
        });
        if (!created.ok) throw new Error(`department ${d.id}: ${created.error.message}`);
        unitOf.set(d.id, created.value.id);
        unitsCreated++;
      }
      pending = pending.filter((d) => !unitOf.has(d.id));
    }
    let staffCreated = 0;
    const seen = new Set<string>();
    for (const d of departments) {
      for (const u of await gateway.listUsersInDepartment(d.id)) {
        if (seen.has(u.userId.toLowerCase())) continue;
        seen.add(u.userId.toLowerCase());
        if (await staffByUserId(db, row.tenant_id, u.userId)) continue;
        const created = await staffService.create(ctx, {
          name: u.name.slice(0, 100) || u.userId,
          orgUnitId: unitOf.get(u.departments[0] ?? d.id) ?? unitOf.get(d.id) ?? root.id,
          wecomUserId: u.userId,
        });
        if (!created.ok) throw new Error(`member ${u.userId}: ${created.error.message}`);
        staffCreated++;
      }
    }
    await departGoneMembers(ctx, gateway, seen);
    await save(row.id, {
      phase: 'contacts',
      units_created: row.units_created + unitsCreated,
      staff_created: row.staff_created + staffCreated,
    });
  }

  /** Marks departed the active staff members WeCom no longer knows (see `directoryStep`). */
  async function departGoneMembers(ctx: Ctx, gateway: WeComGateway, listed: Set<string>): Promise<void> {
    const linked = await db
      .selectFrom('staff')
      .select(['id', 'wecom_userid'])
      .where('tenant_id', '=', ctx.principal.tenantId)
      .where('status', '=', 'active')
      .where('wecom_userid', 'is not', null)
      .execute();
    for (const member of linked) {
      const userId = member.wecom_userid ?? '';
      if (listed.has(userId.toLowerCase())) continue;
      try {
        await gateway.getUser(userId);
        continue;
      } catch (error) {
        if (!(error instanceof WeComApiError) || error.errcode !== WeComErrorCode.userNotFound) throw error;
      }
      const departed = await staffService.depart(ctx, member.id, {});
      if (!departed.ok && departed.error.code !== 'conflict') {
        throw new Error(`member ${userId}: ${departed.error.message}`);
      }
    }
  }

  async function contactsPage(row: Row, state: SyncState, gateway: WeComGateway): Promise<boolean> {
    const members = state.members ?? [];
    if (state.set >= members.length) {
      await save(row.id, { phase: 'groups', members_done: members.length, state: JSON.stringify(state) });
      return true;
    }
    const set = members.slice(state.set, state.set + MEMBER_SET);
    const page = await gateway.batchGetByUser(set, state.cursor, 100);
    let created = 0;
    await p.tx(async (trx) => {
      for (const relation of page.items) created += await applyRelation(trx, row.tenant_id, relation);
      const next: SyncState = page.nextCursor
        ? { ...state, cursor: page.nextCursor }
        : { ...state, set: state.set + MEMBER_SET, cursor: '' };
      await trx
        .updateTable('wecom_syncs')
        .set({
          state: JSON.stringify(next),
          members_done: Math.min(next.set, members.length),
          relationships: row.relationships + page.items.length,
          customers_created: row.customers_created + created,
          updated_at: clock.now(),
        })
        .where('id', '=', row.id)
        .execute();
      return ok(null);
    });
    return true;
  }

  /** One (customer, member) relation; returns 1 when it created the customer. */
  async function applyRelation(
    trx: Parameters<Parameters<Platform['tx']>[0]>[0],
    tenantId: string,
    r: ContactRelation,
  ) {
    const now = clock.now();
    const f = r.followInfo;
    const staff = await staffByUserId(trx, tenantId, f.userId);
    const before = await trx
      .selectFrom('customer_identities')
      .select('customer_id')
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'wecom_external_userid')
      .where('value', '=', r.externalContact.externalUserId)
      .executeTakeFirst();
    const addedAt = f.createTime ? f.createTime * 1000 : now;
    const customer = await customerOfExternal(trx, p, tenantId, r.externalContact.externalUserId, addedAt, {
      name: r.externalContact.name,
      unionid: r.externalContact.unionId,
      staff,
      state: f.state || undefined,
    });
    await upsertRelationship(
      trx,
      tenantId,
      {
        customerId: customer.id,
        externalUserId: r.externalContact.externalUserId,
        staffUserId: f.userId.toLowerCase(),
        staffId: staff?.id ?? null,
      },
      addedAt,
      {
        status: 'active',
        remark: f.remark || null,
        description: f.description || null,
        state: f.state || null,
        addWay: f.addWay,
        addedAt,
      },
      now,
    );
    if (tagHooks && f.tagIds.length > 0) await tagHooks.relation(trx, tenantId, customer.id, f.tagIds);
    return before ? 0 : 1;
  }

  async function groupsPage(row: Row, state: SyncState, gateway: WeComGateway): Promise<boolean> {
    const page = await gateway.listGroupChats({ cursor: state.groupCursor, limit: 100 });
    const details: GroupChat[] = [];
    for (const g of page.items) details.push(await gateway.getGroupChat(g.chatId));
    await p.tx(async (trx) => {
      for (const chat of details) {
        // Members are reconciled as of now; a sync records no join events (they happened before).
        await applyChatEvent(
          trx,
          p,
          row.tenant_id,
          {
            kind: 'chat_create',
            chatId: chat.chatId,
            event: 'change_external_chat',
            changeType: 'create',
            corpId: '',
            createTime: 0,
            dedupKey: '',
            raw: {},
          },
          chat,
        );
      }
      const done = !page.nextCursor;
      await trx
        .updateTable('wecom_syncs')
        .set({
          state: JSON.stringify({ ...state, groupCursor: page.nextCursor }),
          groups: row.groups + details.length,
          ...(done && { phase: 'done', status: 'done', finished_at: clock.now() }),
          updated_at: clock.now(),
        })
        .where('id', '=', row.id)
        .execute();
      return ok(null);
    });
    return Boolean(page.nextCursor);
  }

  /** Runs up to PAGES_PER_JOB pages, then queues the next job; failures retry from the saved position. */
  async function run(id: string, attempt: number, maxAttempts: number): Promise<void> {
    const start = await db.selectFrom('wecom_syncs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!start || start.status === 'done' || start.status === 'failed') return;
    try {
      const gateway = await gatewayOf(start.tenant_id);
      if (!gateway) throw new Error('no usable app secret is configured');
      if (start.status === 'queued') await save(id, { status: 'running' });
      for (let pages = 0; pages < PAGES_PER_JOB; pages++) {
        const row = await db
          .selectFrom('wecom_syncs')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        const state = JSON.parse(row.state) as SyncState;
        if (row.phase === 'directory') {
          await directoryStep(row, gateway);
          continue;
        }
        if (row.phase === 'contacts' && !state.tagsPulled && tagHooks) {
          await tagHooks.pull(row.tenant_id, gateway);
          await save(id, { state: JSON.stringify({ ...state, tagsPulled: true }) });
          continue;
        }
        if (row.phase === 'contacts' && !state.members) {
          const members = await gateway.listFollowUsers();
          await save(id, { members: members.length, state: JSON.stringify({ ...state, members }) });
          continue;
        }
        const more =
          row.phase === 'contacts'
            ? await contactsPage(row, state, gateway)
            : row.phase === 'groups'
              ? await groupsPage(row, state, gateway)
              : false;
        if (!more) return;
      }
      await p.jobs.enqueue({ queue: SYNC_QUEUE, tenantId: start.tenant_id, payload: { id }, maxAttempts: 6 });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await save(id, {
        error: message.slice(0, 1000),
        ...(attempt >= maxAttempts && { status: 'failed', finished_at: clock.now() }),
      });
      throw e;
    }
  }

  p.jobs.handle(SYNC_QUEUE, async (payload, job) => run(String(payload.id), job.attempt, 6));

  return {
    /** Adds the corp tag phase (called once by the tag sync when it is built). */
    useTagSync(hooks: FullSyncTagHooks): void {
      tagHooks = hooks;
    },

    async latest(ctx: Ctx): Promise<{ sync: WeComSync | null }> {
      const row = await db
        .selectFrom('wecom_syncs')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return { sync: row ? toSync(row) : null };
    },

    async start(ctx: Ctx): Promise<Result<WeComSync>> {
      const tenantId = ctx.principal.tenantId;
      // Read before the transaction: SQLite has one connection, which the transaction holds.
      if (!(await gatewayOf(tenantId)))
        return fail('conflict', 'a full sync reads from WeCom: save the app secret first');
      return p.tx(async (trx) => {
        const running = await trx
          .selectFrom('wecom_syncs')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('status', 'in', ['queued', 'running'])
          .executeTakeFirst();
        if (running) return fail('conflict', 'a full sync is already running');
        const now = clock.now();
        const row: Row = {
          id: newId('wsy', now),
          tenant_id: tenantId,
          status: 'queued',
          phase: 'directory',
          state: JSON.stringify({ set: 0, cursor: '', groupCursor: '' } satisfies SyncState),
          members: 0,
          members_done: 0,
          relationships: 0,
          customers_created: 0,
          groups: 0,
          units_created: 0,
          staff_created: 0,
          error: null,
          created_by: ctx.principal.id,
          created_at: now,
          updated_at: now,
          finished_at: null,
        };
        await trx.insertInto('wecom_syncs').values(row).execute();
        await p.jobs.enqueue({ queue: SYNC_QUEUE, tenantId, payload: { id: row.id }, maxAttempts: 6 }, trx);
        await audit.record(trx, ctx, {
          action: 'wecom.sync_started',
          targetType: 'wecom_sync',
          targetId: row.id,
          after: { status: 'queued' },
        });
        await p.outbox.append(trx, {
          tenantId,
          type: 'wecom.sync_started',
          aggregateType: 'wecom_sync',
          aggregateId: row.id,
          payload: {},
        });
        return ok(toSync(row));
      });
    },
  };
}
