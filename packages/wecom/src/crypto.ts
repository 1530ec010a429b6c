import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeCom's callback message crypto (SPEC §1.4): AES-256-CBC with IV = key[0:16], PKCS#7 padding
 * to 32-byte blocks, plaintext = random(16) | msg_len (uint32 BE) | msg | receiveid, and the
 * SHA1 signature over the sorted [token, timestamp, nonce, ciphertext] (§1.2).
 */

/** The values configured for one callback URL. `receiveId` is the corpid for self-built apps. */
export interface CallbackKeys {
  token: string;
  encodingAesKey: string;
  receiveId: string;
}

/** Why a callback was rejected. Every code maps to an official library code in `CALLBACK_ERROR_CODES`. */
export type CallbackError =
  | 'bad_key'
  | 'bad_xml'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'replayed'
  | 'bad_base64'
  | 'bad_ciphertext'
  | 'bad_padding'
  | 'bad_length'
  | 'bad_text'
  | 'wrong_receiveid';

/**
 * The official crypto library's return codes (SPEC §1.6) for each rejection. Stale and
 * replayed requests have no code of their own there; they fail the request's authenticity
 * like a bad signature (-40001).
 */
export const CALLBACK_ERROR_CODES: Readonly<Record<CallbackError, number>> = {
  bad_signature: -40001,
  stale_timestamp: -40001,
  replayed: -40001,
  bad_xml: -40002,
  bad_key: -40004,
  wrong_receiveid: -40005,
  bad_ciphertext: -40007,
  bad_padding: -40008,
  bad_length: -40008,
  bad_text: -40008,
  bad_base64: -40010,
};

export type CallbackResult = { ok: true; message: string } | { ok: false; error: CallbackError };

const BLOCK = 32;
const KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes an EncodingAESKey into the 32-byte AES key, or `null` if it is not a valid one. */
export function aesKeyOf(encodingAesKey: string): Buffer | null {
  if (!KEY_PATTERN.test(encodingAesKey)) return null;
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  return key.length === 32 ? key : null;
}

/**
 * The callback signature: lower-case hex SHA1 of the four values sorted and concatenated.
 *
 * @example signature('QDG6eK', '1409659589', '263014780', echostr) // '5c45ff5e…'
 */
export function signature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  const parts = [token, timestamp, nonce, encrypted].sort();
  return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface DecryptedPayload {
  random: Buffer;
  message: string;
  receiveId: string;
}

export type DecryptResult = { ok: true; payload: DecryptedPayload } | { ok: false; error: CallbackError };

/**
 * Decrypts a Base64 ciphertext and checks its padding and layout. It does not check the
 * signature or the receiveid; `openCallback` does.
 */
export function decryptPayload(aesKey: Buffer, encrypted: string): DecryptResult {
  if (!BASE64_PATTERN.test(encrypted)) return { ok: false, error: 'bad_base64' };
  const cipherText = Buffer.from(encrypted, 'base64');
  if (cipherText.length === 0 || cipherText.length % BLOCK !== 0)
    return { ok: false, error: 'bad_ciphertext' };
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch {
    return { ok: false, error: 'bad_ciphertext' };
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK) return { ok: false, error: 'bad_padding' };
  for (let i = plain.length - pad; i < plain.length; i += 1) {
    if (plain[i] !== pad) return { ok: false, error: 'bad_padding' };
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) return { ok: false, error: 'bad_length' };
  const messageLength = content.readUInt32BE(16);
  if (20 + messageLength > content.length) return { ok: false, error: 'bad_length' };
  let message: string;
  let receiveId: string;
  try {
    message = utf8.decode(content.subarray(20, 20 + messageLength));
    receiveId = utf8.decode(content.subarray(20 + messageLength));
  } catch {
    return { ok: false, error: 'bad_text' };
  }
  return { ok: true, payload: { random: Buffer.from(content.subarray(0, 16)), message, receiveId } };
}

/** Encrypts `message` for `receiveId`; `random16` defaults to fresh random bytes. Returns Base64. */
export function encryptPayload(
  aesKey: Buffer,
  message: string,
  receiveId: string,
  random16?: Buffer,
): string {
  const random = random16 ?? randomBytes(16);
  if (random.length !== 16) throw new RangeError('random16 must be exactly 16 bytes');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const content = Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (content.length % BLOCK);
  const padded = Buffer.concat([content, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}
