import { type CallbackError, openCallbackXml, parseCallbackEvent, verifyUrl } from '@pond/wecom';
import type { Platform } from '../platform/platform.ts';
import { configRow, openConfig } from './config.ts';
import type { SecretBox } from './secret-box.ts';

/** WeCom retries reuse the request's parameters within seconds; anything older is refused. */
export const MAX_SKEW_SECONDS = 300;
/** Signature + nonce pairs are remembered this long, well past the freshness window. */
const REPLAY_MEMORY_MS = 2 * MAX_SKEW_SECONDS * 1000 + 60_000;
export const PROCESS_QUEUE = 'wecom.callback';
/** Refused requests are kept this long. */
const REJECTIONS_KEPT_MS = 30 * 86_400_000;
/**
 * Expired guard pairs and old refusals are deleted by a job this often, whatever the traffic:
 * no pair outlives REPLAY_MEMORY_MS by more than one period.
 */
export const PRUNE_EVERY_MS = 10 * 60_000;
export const PRUNE_QUEUE = 'wecom.receiver_prune';
export const MAX_PROCESS_ATTEMPTS = 8;

export interface CallbackQuery {
  readonly msg_signature?: string | undefined;
  readonly timestamp?: string | undefined;
  readonly nonce?: string | undefined;
  readonly echostr?: string | undefined;
  /** Pond's own reachability probe (connection check): echoed, not logged. */
  readonly probe?: string | undefined;
}

/**
 * What to answer WeCom. `reason` is set on every refusal, for the log. Accepted and already
 * known deliveries get 200, so WeCom stops retrying; refusals get a 4xx naming the reason in
 * plain text (WeCom shows the body when a URL check fails).
 */
export interface CallbackAnswer {
  readonly status: number;
  readonly body: string;
  readonly reason?: string;
  readonly tenantId?: string;
}

const STATUS_OF: Record<CallbackError, number> = {
  bad_signature: 401,
  stale_timestamp: 401,
  replayed: 409,
  wrong_receiveid: 403,
  bad_key: 500,
  bad_xml: 400,
  bad_base64: 400,
  bad_ciphertext: 400,
  bad_padding: 400,
  bad_length: 400,
  bad_text: 400,
};

const DETAIL: Record<CallbackError, string> = {
  bad_signature:
    'msg_signature does not match: the Token in Pond differs from the WeCom admin, or the request was forged',
  stale_timestamp: `timestamp is more than ${MAX_SKEW_SECONDS} s away from this server's clock`,
  replayed: 'this msg_signature and nonce were accepted before',
  wrong_receiveid: 'the message is addressed to another corp (receiveid is not this corpid)',
  bad_key: 'the stored EncodingAESKey is not valid',
  bad_xml: 'the body is not the XML envelope WeCom sends (no Encrypt element)',
  bad_base64: 'the ciphertext is not Base64',
  bad_ciphertext: 'the ciphertext does not decrypt with this EncodingAESKey',
  bad_padding: 'the decrypted padding is invalid (another EncodingAESKey?)',
  bad_length: 'the decrypted length field is inconsistent',
  bad_text: 'the decrypted message is not UTF-8',
};

/**
 * The callback receiver: finds the tenant by the key in its URL, checks and opens the
 * request, and — for events — stores it raw in the inbox with its processing job in one
 * transaction before answering, so an answered event is never lost. Processing happens later.
 */
export function createReceiver(p: Platform, box: SecretBox) {
  const { db, clock } = p;

  async function reject(tenantId: string, reason: string, detail: string, ip: string | null): Promise<void> {
    await db
      .insertInto('wecom_callback_rejections')
      .values({ tenant_id: tenantId, reason, detail: detail.slice(0, 500), ip, received_at: clock.now() })
      .execute();
  }

  /**
   * Queues the next pruning at the next whole period. The period's number is the job's dedupe
   * key, so arming again (at every worker start, on every run, by several workers) adds nothing.
   */
  async function schedulePruning(): Promise<void> {
    const period = Math.floor(clock.now() / PRUNE_EVERY_MS) + 1;
    await p.jobs.enqueue({
      queue: PRUNE_QUEUE,
      payload: {},
      runAt: period * PRUNE_EVERY_MS,
      dedupeKey: `${PRUNE_QUEUE}:${period}`,
    });
  }

  p.jobs.handle(PRUNE_QUEUE, async () => {
    // The next run is queued first: a failed prune is retried with back-off and ends no chain.
    await schedulePruning();
    const now = clock.now();
    await db
      .deleteFrom('wecom_replay_guard')
      .where('seen_at', '<', now - REPLAY_MEMORY_MS)
      .execute();
    // Every brand's at once. received_at has no index: this reads the table, which holds no
    // more than REJECTIONS_KEPT_MS of refusals (requests to unknown keys are not stored).
    await db
      .deleteFrom('wecom_callback_rejections')
      .where('received_at', '<', now - REJECTIONS_KEPT_MS)
      .execute();
  });

  async function keysOf(callbackKey: string) {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(callbackKey)) return null;
    const row = await db
      .selectFrom('wecom_configs')
      .select('tenant_id')
      .where('callback_key', '=', callbackKey)
      .executeTakeFirst();
    if (!row) return null;
    const full = await configRow(db, row.tenant_id);
    return full ? openConfig(full, box) : null;
  }

  const unknownKey: CallbackAnswer = {
    status: 404,
    body: 'unknown callback URL',
    reason: 'unknown_callback_key',
  };

  function missing(q: CallbackQuery, names: readonly (keyof CallbackQuery)[]): string | null {
    const absent = names.filter((n) => typeof q[n] !== 'string' || q[n] === '');
    return absent.length ? absent.join(', ') : null;
  }

  async function refuse(tenantId: string, error: CallbackError, ip: string | null): Promise<CallbackAnswer> {
    await reject(tenantId, error, DETAIL[error], ip);
    return { status: STATUS_OF[error], body: error, reason: error, tenantId };
  }

  return {
    /** Arms the periodic pruning of the replay guard and old refusals; the worker calls it at start. */
    schedulePruning,

    /** GET: WeCom checks the URL when an admin saves it; the answer is the decrypted echostr. */
    async verify(callbackKey: string, q: CallbackQuery, ip: string | null): Promise<CallbackAnswer> {
      const config = await keysOf(callbackKey);
      if (!config) return unknownKey;
      const tenantId = config.tenantId;
      if (q.probe && !q.msg_signature && /^[A-Za-z0-9]{8,64}$/.test(q.probe))
        return { status: 200, body: `pond-wecom:${q.probe}`, tenantId };
      const absent = missing(q, ['msg_signature', 'timestamp', 'nonce', 'echostr']);
      if (absent) {
        await reject(tenantId, 'missing_parameters', `missing query parameters: ${absent}`, ip);
        return { status: 400, body: 'missing_parameters', reason: 'missing_parameters', tenantId };
      }
      if (config.problem) {
        await reject(tenantId, 'secrets_unreadable', config.problem, ip);
        return { status: 503, body: 'secrets_unreadable', reason: 'secrets_unreadable', tenantId };
      }
      const r = verifyUrl(
        { token: config.token, encodingAesKey: config.encodingAesKey, receiveId: config.corpId },
        {
          msgSignature: q.msg_signature ?? '',
          timestamp: q.timestamp ?? '',
          nonce: q.nonce ?? '',
          // A "+" turned into a space by a form decoder is repaired (SPEC §1.7).
          echostr: (q.echostr ?? '').replaceAll(' ', '+'),
        },
        { maxSkewSeconds: MAX_SKEW_SECONDS, now: () => clock.now() },
      );
      if (!r.ok) return refuse(tenantId, r.error, ip);
      return { status: 200, body: r.message, tenantId };
    },

    /** POST: an event. Stored raw with its job, deduplicated, then answered. */
    async receive(
      callbackKey: string,
      q: CallbackQuery,
      body: string,
      ip: string | null,
    ): Promise<CallbackAnswer> {
      const config = await keysOf(callbackKey);
      if (!config) return unknownKey;
      const tenantId = config.tenantId;
      const absent = missing(q, ['msg_signature', 'timestamp', 'nonce']);
      if (absent) {
        await reject(tenantId, 'missing_parameters', `missing query parameters: ${absent}`, ip);
        return { status: 400, body: 'missing_parameters', reason: 'missing_parameters', tenantId };
      }
      if (config.problem) {
        // 503: WeCom retries, and the event is not lost while an operator fixes the key.
        await reject(tenantId, 'secrets_unreadable', config.problem, ip);
        return { status: 503, body: 'secrets_unreadable', reason: 'secrets_unreadable', tenantId };
      }
      const msgSignature = q.msg_signature ?? '';
      const nonce = q.nonce ?? '';
      const opened = openCallbackXml(
        { token: config.token, encodingAesKey: config.encodingAesKey, receiveId: config.corpId },
        { msgSignature, timestamp: q.timestamp ?? '', nonce, body },
        { maxSkewSeconds: MAX_SKEW_SECONDS, now: () => clock.now() },
      );
      if (!opened.ok) return refuse(tenantId, opened.error, ip);
      const ev = parseCallbackEvent(opened.message);
      const now = clock.now();
      const outcome = await db.transaction().execute(async (trx) => {
        // The pair is written with the event, so a request that failed to store is no replay.
        const fresh = await trx
          .insertInto('wecom_replay_guard')
          .values({ tenant_id: tenantId, msg_signature: msgSignature.toLowerCase(), nonce, seen_at: now })
          .onConflict((oc) => oc.columns(['tenant_id', 'msg_signature', 'nonce']).doNothing())
          .returning('nonce')
          .executeTakeFirst();
        if (!fresh) return 'replayed' as const;
        const dedupeKey = ev.dedupKey || `raw:${msgSignature}`;
        const known = ev.kind === 'unknown' && ev.reason.startsWith('bad_xml');
        const inserted = await trx
          .insertInto('wecom_callbacks')
          .values({
            tenant_id: tenantId,
            dedupe_key: dedupeKey.slice(0, 1000),
            msg_signature: msgSignature,
            nonce,
            payload: opened.message,
            event: ev.event || 'unknown',
            change_type: ev.kind === 'unknown' ? ev.changeType || 'unknown' : ev.changeType,
            event_at: ev.createTime > 0 ? ev.createTime * 1000 : now,
            status: ev.kind === 'unknown' ? 'ignored' : 'pending',
            attempts: 0,
            duplicates: 0,
            last_error: ev.kind === 'unknown' ? (known ? ev.reason : `not handled: ${ev.reason}`) : null,
            next_attempt_at: null,
            received_at: now,
            processed_at: null,
          })
          .onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) {
          // WeCom delivered this event again (a retry or a redelivery): counted, not re-processed.
          await trx
            .updateTable('wecom_callbacks')
            .set((eb) => ({ duplicates: eb('duplicates', '+', 1) }))
            .where('tenant_id', '=', tenantId)
            .where('dedupe_key', '=', dedupeKey.slice(0, 1000))
            .execute();
          return 'duplicate' as const;
        }
        if (ev.kind !== 'unknown') {
          await p.jobs.enqueue(
            {
              queue: PROCESS_QUEUE,
              tenantId,
              payload: { id: inserted.id },
              maxAttempts: MAX_PROCESS_ATTEMPTS,
            },
            trx,
          );
        }
        return 'accepted' as const;
      });
      p.jobs.wake();
      if (outcome === 'replayed') {
        // Often WeCom's own retry of a request whose answer it missed: the first copy is stored,
        // so it is logged and answered 200 without being processed again.
        await reject(tenantId, 'replayed', DETAIL.replayed, ip);
        return { status: 200, body: '', reason: 'replayed', tenantId };
      }
      // An empty 200, as the spec asks of customer-contact events (§1.3): no retry follows.
      return { status: 200, body: '', tenantId };
    },
  };
}
