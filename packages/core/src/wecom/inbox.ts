import type { ListWeComCallbacksQuery, WeComCallback, WeComCallbackStats } from '@pond/contracts';
import { decodeCursor, type Trx, toPage, type WeComCallbackTable } from '@pond/storage';
import {
  type CallbackEvent,
  type ExternalContactDetail,
  type GroupChat,
  parseCallbackEvent,
} from '@pond/wecom';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { backoffMs } from '../platform/jobs.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { configRow, openConfig } from './config.ts';
import { applyContactEvent } from './contacts.ts';
import { recordCustomerEvents } from './domain-events.ts';
import { errcodeOf, PERMANENT_ERRCODES, type WeComGatewayFactory } from './gateway.ts';
import { applyChatEvent } from './groups.ts';
import { MAX_PROCESS_ATTEMPTS, PROCESS_QUEUE } from './receiver.ts';
import type { SecretBox } from './secret-box.ts';

type Row = Selectable<WeComCallbackTable>;

/** Called for each event as it is processed, in the transaction that records it. */
export type InboxListener = (
  trx: Trx,
  processed: {
    tenantId: string;
    callbackId: number;
    receivedAt: number;
    event: CallbackEvent;
    /** The contact's details re-read from WeCom, when the event is about a contact and they could be. */
    contact?: ExternalContactDetail | null;
  },
) => Promise<void>;

const toCallback = (r: Row): WeComCallback => ({
  id: r.id,
  event: r.event,
  changeType: r.change_type,
  eventAt: r.event_at,
  status: r.status,
  attempts: r.attempts,
  duplicates: r.duplicates,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at,
  receivedAt: r.received_at,
  processedAt: r.processed_at,
  payload: r.payload,
});

const WEEK = 7 * 86_400_000;

/** The serial id a cursor of these lists holds: undefined without one, null when it is not ours. */
function idAfter(cursor: string | undefined): number | null | undefined {
  if (!cursor) return undefined;
  const c = decodeCursor(cursor);
  return c && c[0] === null && typeof c[1] === 'number' ? c[1] : null;
}
const badCursor = () => fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });

/**
 * The callback inbox: the job that turns each stored event into domain changes (retried with
 * back-off, failures kept visible), and the reads and retries the console offers.
 */
export function createInbox(
  p: Platform,
  audit: AuditLog,
  deps: { box: SecretBox; gateway: WeComGatewayFactory },
) {
  const { db, clock } = p;
  const listeners: InboxListener[] = [];

  async function gatewayOf(tenantId: string) {
    const row = await configRow(db, tenantId);
    const connection = row ? openConfig(row, deps.box).connection : null;
    return connection ? deps.gateway(connection) : null;
  }

  /**
   * Re-reads the state an event points at (the event only says what changed). Runs outside
   * any transaction. Errors WeCom will keep giving (the contact or group is gone, not
   * visible to the app) leave the detail out; others throw, so the job is retried.
   */
  async function fetchDetail(
    tenantId: string,
    ev: CallbackEvent,
  ): Promise<{ contact: ExternalContactDetail | null; chat: GroupChat | null; note: string | null }> {
    const gateway = await gatewayOf(tenantId);
    if (!gateway) return { contact: null, chat: null, note: null };
    try {
      if ('externalUserId' in ev && ev.kind !== 'del_follow_user' && ev.kind !== 'del_external_contact')
        return { contact: await gateway.getExternalContact(ev.externalUserId), chat: null, note: null };
      if (ev.kind === 'chat_create' || ev.kind === 'chat_update')
        return { contact: null, chat: await gateway.getGroupChat(ev.chatId), note: null };
    } catch (e) {
      const code = errcodeOf(e);
      if (code !== null && PERMANENT_ERRCODES.has(code))
        return { contact: null, chat: null, note: `detail not available (WeCom errcode ${code})` };
      throw e;
    }
    return { contact: null, chat: null, note: null };
  }

  async function process(id: number, attempt: number): Promise<void> {
    const row = await db.selectFrom('wecom_callbacks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.status === 'processed' || row.status === 'ignored') return;
    await db
      .updateTable('wecom_callbacks')
      .set({ status: 'processing', attempts: row.attempts + 1 })
      .where('id', '=', id)
      .execute();
    try {
      const ev = parseCallbackEvent(row.payload);
      const detail = await fetchDetail(row.tenant_id, ev);
      const r = await p.tx(async (trx) => {
        let events: Awaited<ReturnType<typeof applyContactEvent>>['events'] = [];
        if ('externalUserId' in ev) {
          events = (await applyContactEvent(trx, p, row.tenant_id, ev, detail.contact)).events;
        } else if ('chatId' in ev) {
          events = (await applyChatEvent(trx, p, row.tenant_id, ev, detail.chat)).events;
        } else if (ev.kind === 'tag_change') {
          await trx
            .insertInto('wecom_tag_changes')
            .values({
              tenant_id: row.tenant_id,
              wecom_id: ev.id,
              tag_type: ev.tagType ?? 'tag',
              change_type: ev.tagChange,
              strategy_id: ev.strategyId ?? null,
              occurred_at: row.event_at,
              synced_at: null,
            })
            .execute();
          await p.outbox.append(trx, {
            tenantId: row.tenant_id,
            type: 'wecom.corp_tag_changed',
            aggregateType: 'wecom_tag',
            aggregateId: ev.id,
            payload: { tagType: ev.tagType ?? null, changeType: ev.tagChange },
          });
        }
        await recordCustomerEvents(trx, p, row.tenant_id, String(row.id), events);
        for (const listener of listeners)
          await listener(trx, {
            tenantId: row.tenant_id,
            callbackId: row.id,
            receivedAt: row.received_at,
            event: ev,
            contact: detail.contact,
          });
        await trx
          .updateTable('wecom_callbacks')
          .set({
            status: 'processed',
            processed_at: clock.now(),
            last_error: detail.note,
            next_attempt_at: null,
          })
          .where('id', '=', id)
          .execute();
        return ok(null);
      });
      if (!r.ok) throw new Error(r.error.message);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const last = attempt >= MAX_PROCESS_ATTEMPTS;
      await db
        .updateTable('wecom_callbacks')
        .set({
          status: last ? 'failed' : 'retrying',
          last_error: message.slice(0, 2000),
          next_attempt_at: last ? null : clock.now() + backoffMs(attempt),
        })
        .where('id', '=', id)
        .execute();
      throw e;
    }
  }

  p.jobs.handle(PROCESS_QUEUE, async (payload, job) => {
    await process(Number(payload.id), job.attempt);
  });

  return {
    /**
     * Adds work done with each processed event, inside its transaction (live codes, transfers).
     * A listener that needs WeCom enqueues a job in that transaction rather than calling out.
     */
    listen(listener: InboxListener): void {
      listeners.push(listener);
    },

    async callbacks(
      ctx: Ctx,
      q: ListWeComCallbacksQuery,
    ): Promise<Result<{ data: WeComCallback[]; nextCursor: string | null }>> {
      let query = db
        .selectFrom('wecom_callbacks')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId);
      if (q.status) query = query.where('status', '=', q.status);
      const after = idAfter(q.cursor);
      if (after === null) return badCursor();
      if (after !== undefined) query = query.where('id', q.order === 'asc' ? '>' : '<', after);
      const rows = await query
        .orderBy('id', q.order)
        .limit(q.limit + 1)
        .execute();
      const page = toPage(rows, q.limit, (r) => [null, r.id]);
      return ok({ data: page.data.map(toCallback), nextCursor: page.nextCursor });
    },

    async stats(ctx: Ctx): Promise<WeComCallbackStats> {
      const tenantId = ctx.principal.tenantId;
      const [byStatus, rejected, last] = await Promise.all([
        db
          .selectFrom('wecom_callbacks')
          .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('tenant_id', '=', tenantId)
          .groupBy('status')
          .execute(),
        db
          .selectFrom('wecom_callback_rejections')
          .select(['reason', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('tenant_id', '=', tenantId)
          .where('received_at', '>=', clock.now() - WEEK)
          .groupBy('reason')
          .execute(),
        db
          .selectFrom('wecom_callbacks')
          .select((eb) => eb.fn.max('received_at').as('at'))
          .where('tenant_id', '=', tenantId)
          .executeTakeFirst(),
      ]);
      return {
        byStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
        rejectedByReason: Object.fromEntries(rejected.map((r) => [r.reason, Number(r.n)])),
        lastReceivedAt: last?.at === null || last?.at === undefined ? null : Number(last.at),
      };
    },

    async rejections(ctx: Ctx, q: { limit: number; cursor?: string | undefined; order: 'asc' | 'desc' }) {
      let query = db
        .selectFrom('wecom_callback_rejections')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId);
      const after = idAfter(q.cursor);
      if (after === null) return badCursor();
      if (after !== undefined) query = query.where('id', q.order === 'asc' ? '>' : '<', after);
      const rows = await query
        .orderBy('id', q.order)
        .limit(q.limit + 1)
        .execute();
      const page = toPage(rows, q.limit, (r) => [null, r.id]);
      return ok({
        nextCursor: page.nextCursor,
        data: page.data.map((r) => ({
          id: r.id,
          reason: r.reason,
          detail: r.detail,
          ip: r.ip,
          receivedAt: r.received_at,
        })),
      });
    },

    /** Queues a failed (or ignored) callback for another round of attempts. */
    retry(ctx: Ctx, id: number): Promise<Result<WeComCallback>> {
      return p.tx(async (trx) => {
        const row = await trx
          .selectFrom('wecom_callbacks')
          .selectAll()
          .where('tenant_id', '=', ctx.principal.tenantId)
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) return notFound('callback');
        if (row.status !== 'failed')
          return fail('conflict', `only a failed callback can be retried; this one is ${row.status}`);
        await trx
          .updateTable('wecom_callbacks')
          .set({ status: 'pending', attempts: 0, next_attempt_at: null })
          .where('id', '=', id)
          .execute();
        await p.jobs.enqueue(
          {
            queue: PROCESS_QUEUE,
            tenantId: row.tenant_id,
            payload: { id },
            maxAttempts: MAX_PROCESS_ATTEMPTS,
          },
          trx,
        );
        await audit.record(trx, ctx, {
          action: 'wecom.callback_retried',
          targetType: 'wecom_callback',
          targetId: String(id),
          before: { status: row.status, lastError: row.last_error },
          after: { status: 'pending' },
        });
        await p.outbox.append(trx, {
          tenantId: row.tenant_id,
          type: 'wecom.callback_retried',
          aggregateType: 'wecom_callback',
          aggregateId: String(id),
          payload: {},
        });
        return ok(toCallback({ ...row, status: 'pending', attempts: 0, next_attempt_at: null }));
      });
    },
  };
}
