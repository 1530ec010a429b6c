import { randomInt } from 'node:crypto';
import {
  aesKeyOf,
  type CallbackError,
  type CallbackKeys,
  type CallbackResult,
  decryptPayload,
  encryptPayload,
  signature,
  signatureMatches,
} from './crypto.ts';
import { toXml, tryParseXml } from './xml.ts';

/**
 * Opening and sealing callbacks (SPEC §1.2, §1.3, §1.5): the signature check, the optional
 * freshness window and replay memory, decryption and the receiveid check, in that order.
 */

/**
 * Remembers requests already accepted, so that a replayed one can be told apart. `remember`
 * records `key` until `expiresAtMs` and answers whether it was new. Pond may back this with
 * its database; `MemoryReplayStore` is the in-process one.
 */
export interface ReplayStore {
  remember(key: string, expiresAtMs: number): boolean;
}

/** An in-process replay memory that forgets entries after they expire. */
export class MemoryReplayStore implements ReplayStore {
  readonly #entries = new Map<string, number>();
  #sweepAt = 1000;
  constructor(private readonly now: () => number = Date.now) {}

  remember(key: string, expiresAtMs: number): boolean {
    const now = this.now();
    if (this.#entries.size >= this.#sweepAt) {
      for (const [k, expires] of this.#entries) if (expires <= now) this.#entries.delete(k);
      // Sweep again only after the live set has doubled, so remembering stays O(1) amortized.
      this.#sweepAt = Math.max(1000, this.#entries.size * 2);
    }
    const existing = this.#entries.get(key);
    if (existing !== undefined && existing > now) return false;
    this.#entries.set(key, expiresAtMs);
    return true;
  }
}

export interface OpenOptions {
  /**
   * Reject requests whose `timestamp` is further than this from now (seconds). WeCom's
   * retries reuse the original parameters within seconds, so keep it ≥ 300 (SPEC §1.7).
   * Unset: no freshness check.
   */
  maxSkewSeconds?: number;
  /** Clock in milliseconds; defaults to `Date.now`. */
  now?: () => number;
  /**
   * Replay memory keyed by the signature. Consulted only for requests that are otherwise
   * valid, so forged requests cannot fill it. A replay of an accepted request is answered
   * with `replayed`; a receiver that already stored the first copy should answer it with an
   * empty 200 (it is often WeCom's own retry) and not process it again.
   */
  replay?: ReplayStore;
}

export interface CallbackRequest {
  msgSignature: string;
  timestamp: string;
  nonce: string;
  encrypted: string;
}

function open(keys: CallbackKeys, raw: CallbackRequest, opts: OpenOptions): CallbackResult {
  // A query decoder that turned "+" into " " has damaged the Base64; repair it (SPEC §1.7).
  const req = { ...raw, encrypted: raw.encrypted.replaceAll(' ', '+') };
  const fail = (error: CallbackError): CallbackResult => ({ ok: false, error });
  const aesKey = aesKeyOf(keys.encodingAesKey);
  if (!aesKey) return fail('bad_key');
  const expected = signature(keys.token, req.timestamp, req.nonce, req.encrypted);
  if (!signatureMatches(expected, req.msgSignature)) return fail('bad_signature');
  const now = opts.now ?? Date.now;
  const skewMs = (opts.maxSkewSeconds ?? 0) * 1000;
  if (opts.maxSkewSeconds !== undefined) {
    const seconds = /^\d{1,12}$/.test(req.timestamp) ? Number(req.timestamp) : Number.NaN;
    if (!Number.isFinite(seconds) || Math.abs(now() - seconds * 1000) > skewMs)
      return fail('stale_timestamp');
  }
  const decrypted = decryptPayload(aesKey, req.encrypted);
  if (!decrypted.ok) return decrypted;
  if (decrypted.payload.receiveId !== keys.receiveId) return fail('wrong_receiveid');
  if (opts.replay) {
    // The signature covers token, timestamp, nonce and ciphertext: it names the request.
    const ttl = Math.max(skewMs, 300_000) * 2;
    if (!opts.replay.remember(expected, now() + ttl)) return fail('replayed');
  }
  return { ok: true, message: decrypted.payload.message };
}

/**
 * Opens a POST callback: `encrypted` is the `Encrypt` element of the body.
 *
 * @example
 * const body = parseXml(rawBody);
 * const result = openCallback(keys, { msgSignature, timestamp, nonce, encrypted: body.Encrypt ?? '' });
 * if (result.ok) store(result.message);
 */
export function openCallback(
  keys: CallbackKeys,
  req: CallbackRequest,
  opts: OpenOptions = {},
): CallbackResult {
  return open(keys, req, opts);
}

/** Opens a POST callback from its raw XML body; `bad_xml` when the body has no `Encrypt`. */
export function openCallbackXml(
  keys: CallbackKeys,
  req: { msgSignature: string; timestamp: string; nonce: string; body: string },
  opts: OpenOptions = {},
): CallbackResult {
  const fields = tryParseXml(req.body);
  const encrypted = fields?.Encrypt;
  if (!encrypted) return { ok: false, error: 'bad_xml' };
  return open(keys, { ...req, encrypted }, opts);
}

/**
 * Opens a JSON callback (SPEC §1.5, e.g. 智能机器人): the body is `{"encrypt":"…"}`; the
 * receiveid of such callbacks is usually "". `bad_xml` stands for any unreadable body.
 */
export function openJsonCallback(
  keys: CallbackKeys,
  req: { msgSignature: string; timestamp: string; nonce: string; body: string },
  opts: OpenOptions = {},
): CallbackResult {
  let encrypted: unknown;
  try {
    const parsed: unknown = JSON.parse(req.body);
    encrypted =
      typeof parsed === 'object' && parsed !== null && 'encrypt' in parsed ? parsed.encrypt : undefined;
  } catch {
    encrypted = undefined;
  }
  if (typeof encrypted !== 'string' || encrypted === '') return { ok: false, error: 'bad_xml' };
  return open(keys, { ...req, encrypted }, opts);
}

/**
 * Verifies the GET URL check; on success `message` is the plaintext to answer with, as is.
 * `echostr` must be percent-decoded only (a "+" turned into " " is repaired).
 */
export function verifyUrl(
  keys: CallbackKeys,
  q: { msgSignature: string; timestamp: string; nonce: string; echostr: string },
  opts: OpenOptions = {},
): CallbackResult {
  return open(
    keys,
    { msgSignature: q.msgSignature, timestamp: q.timestamp, nonce: q.nonce, encrypted: q.echostr },
    opts,
  );
}

export interface SealOptions {
  timestamp?: string;
  nonce?: string;
  random16?: Buffer;
  /** The envelope's AgentID; empty when absent, as for some system callbacks. */
  agentId?: string | number;
  now?: () => number;
}

export interface SealedCallback {
  encrypted: string;
  msgSignature: string;
  timestamp: string;
  nonce: string;
  /** The POST body: ToUserName (the receiveid), Encrypt and AgentID. */
  xml: string;
}

function freshNonce(): string {
  return String(randomInt(100_000_000, 2_000_000_000));
}

/**
 * Encrypts and signs `message` as WeCom does when it pushes a callback.
 *
 * @example
 * const sealed = sealCallback(keys, eventXml, { agentId: 1000002 });
 * await fetch(`${url}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
 *   { method: 'POST', body: sealed.xml });
 */
export function sealCallback(keys: CallbackKeys, message: string, opts: SealOptions = {}): SealedCallback {
  const aesKey = aesKeyOf(keys.encodingAesKey);
  if (!aesKey) throw new RangeError('EncodingAESKey must be 43 characters of [A-Za-z0-9]');
  const timestamp = opts.timestamp ?? String(Math.floor((opts.now ?? Date.now)() / 1000));
  const nonce = opts.nonce ?? freshNonce();
  const encrypted = encryptPayload(aesKey, message, keys.receiveId, opts.random16);
  const msgSignature = signature(keys.token, timestamp, nonce, encrypted);
  const xml = toXml('xml', {
    ToUserName: keys.receiveId,
    Encrypt: encrypted,
    AgentID: opts.agentId === undefined ? '' : String(opts.agentId),
  });
  return { encrypted, msgSignature, timestamp, nonce, xml };
}

/** Seals the GET verification echo (what WeCom sends as `echostr`). */
export function sealEcho(
  keys: CallbackKeys,
  echo: string,
  opts: SealOptions = {},
): { echostr: string; msgSignature: string; timestamp: string; nonce: string } {
  const sealed = sealCallback(keys, echo, opts);
  return {
    echostr: sealed.encrypted,
    msgSignature: sealed.msgSignature,
    timestamp: sealed.timestamp,
    nonce: sealed.nonce,
  };
}

/**
 * Seals a passive reply (SPEC §1.5): `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`.
 */
export function sealReply(keys: CallbackKeys, replyXml: string, opts: SealOptions = {}): string {
  const sealed = sealCallback(keys, replyXml, opts);
  return toXml('xml', {
    Encrypt: sealed.encrypted,
    MsgSignature: sealed.msgSignature,
    TimeStamp: Number(sealed.timestamp),
    Nonce: sealed.nonce,
  });
}

/** Seals a JSON reply (SPEC §1.5): `{"encrypt","msgsignature","timestamp","nonce"}`. */
export function sealJsonReply(keys: CallbackKeys, reply: string, opts: SealOptions = {}): string {
  const sealed = sealCallback(keys, reply, opts);
  return JSON.stringify({
    encrypt: sealed.encrypted,
    msgsignature: sealed.msgSignature,
    timestamp: Number(sealed.timestamp),
    nonce: sealed.nonce,
  });
}
