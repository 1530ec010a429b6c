import { randomBytes } from 'node:crypto';
import {
  CreateLiveCode,
  type ListLiveCodesQuery,
  type LiveCode,
  type LiveCodeWelcome,
  type UpdateLiveCode,
} from '@pond/contracts';
import { containsText, type Executor, toPage } from '@pond/storage';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Platform } from '../../platform/platform.ts';
import type { Ctx } from '../../shared/context.ts';
import { newId } from '../../shared/ids.ts';
import { afterCursor } from '../../shared/keyset.ts';
import { fail, notFound, ok, type Result } from '../../shared/result.ts';
import type { Tags } from '../../tags/tags.ts';
import type { WeCom } from '../wecom.ts';
import { createLiveCodeAdds } from './on-add.ts';
import { addsOnDay, availability, type LiveCodeRow, type PoolEntry, poolOf, staffOf } from './pool.ts';
import { dayOf } from './schedule.ts';
import { createLiveCodeStats } from './stats.ts';
import { createPoolSync } from './sync.ts';
import { notConfigured, wecomFailure } from './wecom-failure.ts';

export type LiveCodes = ReturnType<typeof createLiveCodes>;

const remarkOf = (name: string) => [...name].slice(0, 30).join('');
const newState = () => `lc${randomBytes(8).toString('hex')}`;

/**
 * Live codes (渠道活码): each is a WeCom contact way made, changed and deleted through WeCom's
 * API, with the pool, schedules, caps, welcome message, tags and remark Pond applies. WeCom is
 * called before the transaction that records the change, so a refusal writes nothing; if
 * recording then fails, the contact way just made is deleted again.
 */
export function createLiveCodes(p: Platform, audit: AuditLog, tags: Tags, wecom: WeCom) {
  const { db, clock } = p;
  const sync = createPoolSync(p, wecom);
  const adds = createLiveCodeAdds(p, tags, wecom, sync);
  const stats = createLiveCodeStats(p);
  wecom.inbox.listen(async (trx, { tenantId, callbackId, receivedAt, event }) => {
    if (event.kind === 'add_external_contact' || event.kind === 'add_half_external_contact')
      await adds.onAdd(trx, tenantId, callbackId, receivedAt, event);
  });

  async function find(ex: Executor, tenantId: string, id: string) {
    return ex
      .selectFrom('wecom_live_codes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async function views(ex: Executor, rows: LiveCodeRow[]): Promise<LiveCode[]> {
    if (rows.length === 0) return [];
    const tenantId = rows[0]?.tenant_id ?? '';
    const now = clock.now();
    const staff = await staffOf(
      ex,
      tenantId,
      rows.flatMap((r) => [
        ...poolOf(r).map((m) => m.staffId),
        ...(r.fallback_staff_id ? [r.fallback_staff_id] : []),
      ]),
    );
    const ids = rows.map((r) => r.id);
    const today = await addsOnDay(ex, tenantId, ids, dayOf(now));
    const totals = await ex
      .selectFrom('wecom_live_code_adds')
      .select(['live_code_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('live_code_id', 'in', ids)
      .groupBy('live_code_id')
      .execute();
    const total = new Map(totals.map((t) => [t.live_code_id, Number(t.n)]));
    return rows.map((r) => {
      const { members } = availability(r.id, poolOf(r), r.fallback_staff_id, staff, today, now);
      return {
        id: r.id,
        name: r.name,
        state: r.state,
        configId: r.config_id,
        qrCode: r.qr_code,
        skipVerify: r.skip_verify === 1,
        pool: members,
        fallbackStaffId: r.fallback_staff_id,
        activeUserIds: JSON.parse(r.active_users) as string[],
        welcome: r.welcome ? (JSON.parse(r.welcome) as LiveCodeWelcome) : null,
        tagIds: JSON.parse(r.tag_ids) as string[],
        autoRemark: r.auto_remark,
        status: r.status,
        syncError: r.sync_error,
        adds: total.get(r.id) ?? 0,
        addsToday: members.reduce((n, m) => n + m.addsToday, 0),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      };
    });
  }

  const view = async (ex: Executor, row: LiveCodeRow) => (await views(ex, [row]))[0] as LiveCode;

  /** Checks the staff and tags an input names against the tenant; the first problem fails. */
  async function checkRefs(
    ex: Executor,
    tenantId: string,
    input: {
      pool?: readonly { staffId: string }[];
      fallbackStaffId?: string | null;
      tagIds?: readonly string[];
    },
  ): Promise<Result<null>> {
    const staffIds = [
      ...(input.pool ?? []).map((m) => m.staffId),
      ...(input.fallbackStaffId ? [input.fallbackStaffId] : []),
    ];
    const staff = await staffOf(ex, tenantId, staffIds);
    for (const [i, m] of (input.pool ?? []).entries()) {
      const s = staff.get(m.staffId);
      const field = `body.pool.${i}.staffId`;
      if (!s) return notFound('staff member', field);
      if (s.status !== 'active')
        return fail('invalid_request', `${s.name} has left; choose active staff`, { field });
      if (!s.wecom_userid)
        return fail('invalid_request', `${s.name} has no WeCom userid; set it on the staff member first`, {
          field,
        });
    }
    if (input.fallbackStaffId) {
      const s = staff.get(input.fallbackStaffId);
      const field = 'body.fallbackStaffId';
      if (!s) return notFound('staff member', field);
      if (s.status !== 'active' || !s.wecom_userid)
        return fail('invalid_request', `${s.name} is not an active staff member with a WeCom userid`, {
          field,
        });
    }
    const tagIds = input.tagIds ?? [];
    if (tagIds.length > 0) {
      const rows = await ex
        .selectFrom('tags')
        .select(['id', 'name', 'archived_at'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...tagIds])
        .execute();
      for (const [i, id] of tagIds.entries()) {
        const t = rows.find((r) => r.id === id);
        if (!t) return notFound('tag', `body.tagIds.${i}`);
        if (t.archived_at !== null)
          return fail('conflict', `the tag ${t.name} is archived; restore it first`, {
            field: `body.tagIds.${i}`,
          });
      }
    }
    return ok(null);
  }

  /** The members the contact way should hold for this pool right now. */
  async function usersFor(
    ex: Executor,
    tenantId: string,
    codeId: string | null,
    pool: PoolEntry[],
    fallback: string | null,
  ) {
    const staff = await staffOf(ex, tenantId, [
      ...pool.map((m) => m.staffId),
      ...(fallback ? [fallback] : []),
    ]);
    const today = codeId
      ? await addsOnDay(ex, tenantId, [codeId], dayOf(clock.now()))
      : new Map<string, number>();
    return availability(codeId ?? '', pool, fallback, staff, today, clock.now()).users;
  }

  const normalizePool = (pool: CreateLiveCode['pool']): PoolEntry[] =>
    CreateLiveCode.shape.pool
      .parse(pool)
      .map((m) => ({ staffId: m.staffId, dailyCap: m.dailyCap, schedule: m.schedule }));

  return {
    adds,
    stats,
    sync,

    async list(
      ctx: Ctx,
      q: ListLiveCodesQuery,
    ): Promise<Result<{ data: LiveCode[]; nextCursor: string | null }>> {
      let query = db
        .selectFrom('wecom_live_codes')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .where('status', '=', q.status);
      if (q.q) {
        const text = q.q;
        query = query.where((eb) =>
          eb.or([containsText(eb.ref('name'), text, p.dialect.ilike), eb('state', '=', text)]),
        );
      }
      const after = afterCursor(q.cursor, q.order);
      if (!after.ok) return after;
      if (after.value) query = query.where(after.value);
      const rows = await query
        .orderBy('created_at', q.order)
        .orderBy('id', q.order)
        .limit(q.limit + 1)
        .execute();
      const page = toPage(rows, q.limit, (r) => [r.created_at, r.id]);
      return ok({ data: await views(db, page.data), nextCursor: page.nextCursor });
    },

    async get(ctx: Ctx, id: string): Promise<Result<LiveCode>> {
      const row = await find(db, ctx.principal.tenantId, id);
      return row ? ok(await view(db, row)) : notFound('live code');
    },

    async create(ctx: Ctx, input: CreateLiveCode): Promise<Result<LiveCode>> {
      const tenantId = ctx.principal.tenantId;
      const body = CreateLiveCode.parse(input);
      const refs = await checkRefs(db, tenantId, body);
      if (!refs.ok) return refs;
      let state = body.state;
      if (state) {
        const taken = await db
          .selectFrom('wecom_live_codes')
          .select('name')
          .where('tenant_id', '=', tenantId)
          .where('state', '=', state)
          .executeTakeFirst();
        if (taken)
          return fail('conflict', `the state ${state} is already used by the live code ${taken.name}`, {
            field: 'body.state',
          });
      }
      state ??= newState();
      const gateway = await wecom.gatewayOf(tenantId);
      if (!gateway) return notConfigured();
      const pool = normalizePool(body.pool);
      const users = await usersFor(db, tenantId, null, pool, body.fallbackStaffId);
      let made: { configId: string; qrCode?: string };
      try {
        made = await gateway.addContactWay({
          type: 2,
          scene: 2,
          remark: remarkOf(body.name),
          skipVerify: body.skipVerify,
          state,
          users,
        });
      } catch (e) {
        return wecomFailure('add_contact_way', e, 'body.pool');
      }
      const now = clock.now();
      const id = newId('wlc', now);
      const saved = await p
        .tx(async (trx) => {
          await trx
            .insertInto('wecom_live_codes')
            .values({
              id,
              tenant_id: tenantId,
              name: body.name,
              state,
              config_id: made.configId,
              qr_code: made.qrCode ?? null,
              skip_verify: body.skipVerify ? 1 : 0,
              pool: JSON.stringify(pool),
              fallback_staff_id: body.fallbackStaffId,
              welcome: body.welcome ? JSON.stringify(body.welcome) : null,
              tag_ids: JSON.stringify(body.tagIds),
              auto_remark: body.autoRemark,
              active_users: JSON.stringify(users),
              sync_error: null,
              status: 'active',
              created_at: now,
              updated_at: now,
              deleted_at: null,
            })
            .execute();
          const row = await find(trx, tenantId, id);
          if (!row) throw new Error('the live code vanished');
          await audit.record(trx, ctx, {
            action: 'wecom.live_code_created',
            targetType: 'wecom_live_code',
            targetId: id,
            after: { name: body.name, state, configId: made.configId, users, tagIds: body.tagIds },
          });
          await p.outbox.append(trx, {
            tenantId,
            type: 'wecom.live_code_created',
            aggregateType: 'wecom_live_code',
            aggregateId: id,
            payload: { state, configId: made.configId },
          });
          await sync.arm(trx, row);
          return ok(await view(trx, row));
        })
        .catch(async (e: unknown) => {
          await gateway.deleteContactWay(made.configId).catch(() => undefined);
          throw e;
        });
      if (!saved.ok) await gateway.deleteContactWay(made.configId).catch(() => undefined);
      return saved;
    },

    async update(ctx: Ctx, id: string, body: UpdateLiveCode): Promise<Result<LiveCode>> {
      const tenantId = ctx.principal.tenantId;
      const before = await find(db, tenantId, id);
      if (!before) return notFound('live code');
      if (before.status === 'deleted')
        return fail('conflict', 'this live code was deleted; create a new one');
      const refs = await checkRefs(db, tenantId, {
        ...(body.pool && { pool: body.pool }),
        ...(body.fallbackStaffId !== undefined && { fallbackStaffId: body.fallbackStaffId }),
        ...(body.tagIds && { tagIds: body.tagIds }),
      });
      if (!refs.ok) return refs;
      const pool = body.pool ? normalizePool(body.pool) : poolOf(before);
      const fallback = body.fallbackStaffId === undefined ? before.fallback_staff_id : body.fallbackStaffId;
      const name = body.name ?? before.name;
      const skipVerify = body.skipVerify ?? before.skip_verify === 1;
      const users = await usersFor(db, tenantId, id, pool, fallback);
      const gateway = await wecom.gatewayOf(tenantId);
      if (!gateway) return notConfigured();
      try {
        await gateway.updateContactWay({
          configId: before.config_id,
          remark: remarkOf(name),
          skipVerify,
          users,
        });
      } catch (e) {
        return wecomFailure('update_contact_way', e, 'body.pool');
      }
      return p.tx(async (trx) => {
        await trx
          .updateTable('wecom_live_codes')
          .set({
            name,
            skip_verify: skipVerify ? 1 : 0,
            pool: JSON.stringify(pool),
            fallback_staff_id: fallback,
            ...(body.welcome !== undefined && {
              welcome: body.welcome ? JSON.stringify(body.welcome) : null,
            }),
            ...(body.tagIds && { tag_ids: JSON.stringify(body.tagIds) }),
            ...(body.autoRemark !== undefined && { auto_remark: body.autoRemark }),
            active_users: JSON.stringify(users),
            sync_error: null,
            updated_at: clock.now(),
          })
          .where('id', '=', id)
          .execute();
        const after = await find(trx, tenantId, id);
        if (!after) return notFound('live code');
        const shown = (r: LiveCodeRow) => ({
          name: r.name,
          skipVerify: r.skip_verify === 1,
          pool: poolOf(r),
          fallbackStaffId: r.fallback_staff_id,
          welcome: r.welcome ? JSON.parse(r.welcome) : null,
          tagIds: JSON.parse(r.tag_ids),
          autoRemark: r.auto_remark,
        });
        await audit.record(trx, ctx, {
          action: 'wecom.live_code_updated',
          targetType: 'wecom_live_code',
          targetId: id,
          before: shown(before),
          after: shown(after),
        });
        await p.outbox.append(trx, {
          tenantId,
          type: 'wecom.live_code_updated',
          aggregateType: 'wecom_live_code',
          aggregateId: id,
          payload: { users },
        });
        await sync.arm(trx, after);
        return ok(await view(trx, after));
      });
    },

    async remove(ctx: Ctx, id: string): Promise<Result<LiveCode>> {
      const tenantId = ctx.principal.tenantId;
      const before = await find(db, tenantId, id);
      if (!before) return notFound('live code');
      if (before.status === 'deleted') return fail('conflict', 'this live code is already deleted');
      const gateway = await wecom.gatewayOf(tenantId);
      if (!gateway) return notConfigured();
      try {
        await gateway.deleteContactWay(before.config_id);
      } catch (e) {
        // Already gone in WeCom (deleted elsewhere): Pond follows.
        const gone = typeof e === 'object' && e !== null && 'errcode' in e && e.errcode === 40058;
        if (!gone) return wecomFailure('del_contact_way', e);
      }
      return p.tx(async (trx) => {
        const now = clock.now();
        await trx
          .updateTable('wecom_live_codes')
          .set({ status: 'deleted', deleted_at: now, updated_at: now, active_users: '[]' })
          .where('id', '=', id)
          .execute();
        await audit.record(trx, ctx, {
          action: 'wecom.live_code_deleted',
          targetType: 'wecom_live_code',
          targetId: id,
          before: { name: before.name, state: before.state, configId: before.config_id },
          after: { status: 'deleted' },
        });
        await p.outbox.append(trx, {
          tenantId,
          type: 'wecom.live_code_deleted',
          aggregateType: 'wecom_live_code',
          aggregateId: id,
          payload: { state: before.state },
        });
        const after = await find(trx, tenantId, id);
        return after ? ok(await view(trx, after)) : notFound('live code');
      });
    },
  };
}
