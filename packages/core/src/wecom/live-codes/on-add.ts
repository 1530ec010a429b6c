import type { ListLiveCodeAddsQuery, LiveCodeAdd, LiveCodeWelcome } from '@pond/contracts';
import type { LiveCodeWelcomeStatus, Trx } from '@pond/storage';
import { type Attachment, type CallbackEvent, isRetryable, WeComApiError } from '@pond/wecom';
import { sql } from 'kysely';
import type { Platform } from '../../platform/platform.ts';
import type { Ctx } from '../../shared/context.ts';
import { fail, notFound, ok, type Result } from '../../shared/result.ts';
import type { Tags } from '../../tags/tags.ts';
import type { WeCom } from '../wecom.ts';
import { poolOf } from './pool.ts';
import { dayOf } from './schedule.ts';
import type { PoolSync } from './sync.ts';
import { describeWeComError } from './wecom-failure.ts';

export const WELCOME_QUEUE = 'wecom.live_codes.welcome';
/** A WelcomeCode is valid 20 s from the event and usable once (SPEC §3.8). */
export const WELCOME_CODE_TTL_MS = 20_000;

type AddEvent = Extract<CallbackEvent, { kind: 'add_external_contact' | 'add_half_external_contact' }>;

/** Pond's welcome message as WeCom's attachments. */
function attachmentsOf(welcome: LiveCodeWelcome): Attachment[] {
  return welcome.attachments.map((a): Attachment => {
    switch (a.type) {
      case 'image':
        return {
          type: 'image',
          ...(a.mediaId && { mediaId: a.mediaId }),
          ...(a.picUrl && { picUrl: a.picUrl }),
        };
      case 'link':
        return {
          type: 'link',
          title: a.title,
          url: a.url,
          ...(a.picUrl && { picUrl: a.picUrl }),
          ...(a.desc && { desc: a.desc }),
        };
      case 'miniprogram':
        return {
          type: 'miniprogram',
          title: a.title,
          picMediaId: a.picMediaId,
          appId: a.appId,
          page: a.page,
        };
      default:
        return { type: a.type, mediaId: a.mediaId };
    }
  });
}

/**
 * What happens when a customer adds staff through a live code: recorded (attributed to the
 * code, counted for the member's cap), tagged, in the transaction processing the callback;
 * the welcome message (with the event's WelcomeCode, within its 20 s) and the remark are sent
 * by a job queued in that same transaction, so nothing is lost if the process stops.
 */
export function createLiveCodeAdds(p: Platform, tags: Tags, wecom: WeCom, sync: PoolSync) {
  const { db, clock } = p;

  async function onAdd(trx: Trx, tenantId: string, callbackId: number, receivedAt: number, ev: AddEvent) {
    if (!ev.state) return;
    const code = await trx
      .selectFrom('wecom_live_codes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('state', '=', ev.state)
      .executeTakeFirst();
    if (!code) return;
    const customer = await trx
      .selectFrom('customer_identities')
      .select('customer_id')
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'wecom_external_userid')
      .where('value', '=', ev.externalUserId)
      .executeTakeFirst();
    const staff = await trx
      .selectFrom('staff')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where(sql<string>`lower(wecom_userid)`, '=', ev.userId.toLowerCase())
      .orderBy('status')
      .executeTakeFirst();
    const addedAt = ev.createTime > 0 ? ev.createTime * 1000 : receivedAt;
    const inserted = await trx
      .insertInto('wecom_live_code_adds')
      .values({
        tenant_id: tenantId,
        live_code_id: code.id,
        callback_id: callbackId,
        customer_id: customer?.customer_id ?? null,
        origin_customer_id: customer?.customer_id ?? null,
        external_userid: ev.externalUserId,
        staff_userid: ev.userId.toLowerCase(),
        staff_id: staff?.id ?? null,
        added_at: addedAt,
        day: dayOf(addedAt),
        welcome_status: 'no_code',
        welcome_error: null,
        created_at: clock.now(),
      })
      // The half add and the confirmed add of one customer count once.
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'live_code_id', 'external_userid', 'staff_userid']).doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (customer) {
      const tagIds = JSON.parse(code.tag_ids) as string[];
      const usable = tagIds.length
        ? await trx
            .selectFrom('tags')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('id', 'in', tagIds)
            .where('archived_at', 'is', null)
            .execute()
        : [];
      if (usable.length > 0)
        await tags.apply(
          trx,
          tenantId,
          [customer.customer_id],
          usable.map((t) => t.id),
          { source: 'event', ref: code.id, name: code.name },
          null,
        );
    }
    if (!inserted) return;
    await p.outbox.append(trx, {
      tenantId,
      type: 'wecom.live_code_added',
      aggregateType: 'wecom_live_code',
      aggregateId: code.id,
      payload: { addId: inserted.id, customerId: customer?.customer_id ?? null, staffUserId: ev.userId },
    });
    if (ev.welcomeCode || code.auto_remark) {
      await p.jobs.enqueue(
        {
          queue: WELCOME_QUEUE,
          tenantId,
          payload: { tenantId, addId: inserted.id, welcomeCode: ev.welcomeCode ?? null, issuedAt: addedAt },
          // Retried quickly while the code is valid; after that the job records the outcome.
          maxAttempts: 4,
        },
        trx,
      );
    }
    if (poolOf(code).some((m) => m.dailyCap !== null))
      await sync.soon(trx, tenantId, code.id, `add:${inserted.id}`);
  }

  async function setWelcome(id: number, status: LiveCodeWelcomeStatus, error: string | null) {
    await db
      .updateTable('wecom_live_code_adds')
      .set({ welcome_status: status, welcome_error: error?.slice(0, 1000) ?? null })
      .where('id', '=', id)
      .execute();
  }

  async function welcome(payload: Record<string, unknown>, attempt: number, maxAttempts: number) {
    const tenantId = String(payload.tenantId);
    const addId = Number(payload.addId);
    const welcomeCode = typeof payload.welcomeCode === 'string' ? payload.welcomeCode : null;
    const issuedAt = Number(payload.issuedAt);
    const add = await db
      .selectFrom('wecom_live_code_adds as a')
      .innerJoin('wecom_live_codes as c', 'c.id', 'a.live_code_id')
      .leftJoin('customers as cu', 'cu.id', 'a.customer_id')
      .select(['a.id', 'a.external_userid', 'a.staff_userid', 'c.welcome', 'c.auto_remark', 'cu.name'])
      .where('a.tenant_id', '=', tenantId)
      .where('a.id', '=', addId)
      .executeTakeFirst();
    if (!add) return;
    const gateway = await wecom.gatewayOf(tenantId);
    if (!gateway) return setWelcome(addId, 'failed', 'WeCom is not connected');
    if (!add.welcome) await setWelcome(addId, 'not_configured', null);
    else if (!welcomeCode) await setWelcome(addId, 'no_code', null);
    else if (clock.now() > issuedAt + WELCOME_CODE_TTL_MS)
      await setWelcome(
        addId,
        'expired',
        `the WelcomeCode was ${Math.round((clock.now() - issuedAt) / 1000)} s old (valid 20 s)`,
      );
    else {
      const message = JSON.parse(add.welcome) as LiveCodeWelcome;
      try {
        await gateway.sendWelcomeMessage({
          welcomeCode,
          ...(message.text !== undefined && { text: message.text.replaceAll('{name}', add.name ?? '') }),
          attachments: attachmentsOf(message),
        });
        await setWelcome(addId, 'sent', null);
      } catch (e) {
        if (e instanceof WeComApiError && e.errcode === 41051) {
          await setWelcome(addId, 'already_used', describeWeComError(e).text);
        } else if (
          isRetryable(e) &&
          attempt < maxAttempts &&
          clock.now() + 1000 < issuedAt + WELCOME_CODE_TTL_MS
        ) {
          throw e;
        } else {
          await setWelcome(addId, 'failed', describeWeComError(e).text);
        }
      }
    }
    if (add.auto_remark && attempt === 1) {
      const remark = [...add.auto_remark.replaceAll('{name}', add.name ?? '')].slice(0, 20).join('');
      try {
        await gateway.remark({ userId: add.staff_userid, externalUserId: add.external_userid, remark });
      } catch (e) {
        const row = await db
          .selectFrom('wecom_live_code_adds')
          .select('welcome_error')
          .where('id', '=', addId)
          .executeTakeFirst();
        await db
          .updateTable('wecom_live_code_adds')
          .set({
            welcome_error: [row?.welcome_error, `remark: ${describeWeComError(e).text}`]
              .filter(Boolean)
              .join('; ')
              .slice(0, 1000),
          })
          .where('id', '=', addId)
          .execute();
      }
    }
  }

  p.jobs.handle(WELCOME_QUEUE, (payload, job) => welcome(payload, job.attempt, 4));

  return {
    onAdd,

    /** The customers added through one code, newest first. */
    async list(
      ctx: Ctx,
      codeId: string,
      q: ListLiveCodeAddsQuery,
    ): Promise<Result<{ data: LiveCodeAdd[]; nextCursor: string | null }>> {
      const tenantId = ctx.principal.tenantId;
      let after: number | null = null;
      if (q.cursor) {
        after = /^\d{1,15}$/.test(q.cursor) ? Number(q.cursor) : null;
        if (after === null) return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
      }
      const code = await db
        .selectFrom('wecom_live_codes')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', codeId)
        .executeTakeFirst();
      if (!code) return notFound('live code');
      let query = db
        .selectFrom('wecom_live_code_adds as a')
        .leftJoin('customers as cu', 'cu.id', 'a.customer_id')
        .leftJoin('staff as s', 's.id', 'a.staff_id')
        .leftJoin('wecom_relationships as r', (j) =>
          j
            .onRef('r.tenant_id', '=', 'a.tenant_id')
            .onRef('r.external_userid', '=', 'a.external_userid')
            .onRef('r.staff_userid', '=', 'a.staff_userid'),
        )
        .select([
          'a.id',
          'a.external_userid',
          'a.staff_userid',
          'a.added_at',
          'a.welcome_status',
          'a.welcome_error',
          'cu.public_id',
          'cu.name as customer_name',
          's.name as staff_name',
          'r.status as rel_status',
          'r.status_changed_at',
        ])
        .where('a.tenant_id', '=', tenantId)
        .where('a.live_code_id', '=', codeId);
      if (after !== null) query = query.where('a.id', q.order === 'asc' ? '>' : '<', after);
      const rows = await query
        .orderBy('a.id', q.order)
        .limit(q.limit + 1)
        .execute();
      const more = rows.length > q.limit;
      const data = rows.slice(0, q.limit).map((r) => ({
        id: r.id,
        customer: r.public_id ? { id: r.public_id, name: r.customer_name ?? null } : null,
        externalUserId: r.external_userid,
        staffUserId: r.staff_userid,
        staffName: r.staff_name ?? null,
        addedAt: r.added_at,
        welcome: r.welcome_status,
        welcomeError: r.welcome_error,
        lostAt:
          r.rel_status === 'deleted_by_customer' || r.rel_status === 'deleted_by_staff'
            ? (r.status_changed_at ?? null)
            : null,
      }));
      return ok({ data, nextCursor: more ? String(data.at(-1)?.id) : null });
    },
  };
}
