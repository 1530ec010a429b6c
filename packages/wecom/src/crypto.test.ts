import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesKeyOf, decryptPayload, encryptPayload } from './crypto.ts';
import {
  CALLBACK_ERROR_CODES,
  type CallbackKeys,
  MemoryReplayStore,
  openCallback,
  openCallbackXml,
  parseXml,
  sealCallback,
  sealEcho,
  sealReply,
  signature,
  verifyUrl,
} from './index.ts';

// Published vectors, SPEC §1.8.
const T: CallbackKeys = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'wx5823bf96d3bd56c7',
};
const T1 = {
  timestamp: '1409659589',
  nonce: '263014780',
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  wire: 'P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D',
};
const T2 = {
  timestamp: '1409659813',
  nonce: '1372623149',
  msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
  encrypted:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  message:
    '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
};
const G1keys: CallbackKeys = {
  token: 'kjr2TKI8umCBfVF3wAHk8JiPwma5VBme',
  encodingAesKey: '4Ma3YBrSBbX2aez8MJpXGBne5LSDwgGqHbhM9WPYIws',
  receiveId: 'ww6a112864f8022910',
};
const G1 = {
  timestamp: '1583940690',
  nonce: 'VHh7ymSeb0jc4lSb',
  msgSignature: '1ba3cb09c0d2c2b3ed6900d37f91a6efae6cb011',
  echostr: '6KmUQuPVu7UhjyVqRdbo5SfcRqaHvbUlKSHFvBV2ZuR6TIlKsygcfeSd1GDplg1C5KSKr6UPHCaC/nIX3ZNt9w==',
};
const G2keys: CallbackKeys = {
  token: 'kz7Yx62CH8SaLN',
  encodingAesKey: 'cD0d7jx4tYvVtzqrmh3Dm3QFCXe6f8SlHoMtMh3qQEP',
  receiveId: 'ww6a112864f8022910',
};
const G2 = {
  timestamp: '1583995625',
  nonce: '1584392382',
  msgSignature: 'f265ae551b1932727204c3d707628d01376a6940',
  encrypted:
    'EUCt7xMcNiyASzZj0Hjc5yDjFQrCum6AfQ3ntHiUzjGQ51xieKmbvtrZ40/EcB2W/W8yH0n4Lqx48gJl/T9HD/R309I0P/r5pIZucK3lyEn48FYMr4YdE0QdL2jIJ3xkcXUr6uzefzCxG6lMvwpAJaOyVCzN7sRRw47njfxy5EIqU6R9ZBhlTzfdnhhOhK/nTwzrZX3SoGlXFA9OBeZ6ru1NWpXFk76x9DUMe0lcxPPiUqK8ctnQcYXSGUHVqC6DfG7E7mab0OmruNN8cBZY5d3dYOBA4OgaH55Q0AJmUpdT8vNiXpXx+6TxT3TIjySXpDrHVyrsb772aYywgg/Nu4kUmGkALwFZlzhjNegR7wDwb9lr4ERXsSSS8JZ8lbBmaQ3F2Tq584xoPj5rIhXAF734ynm4no1g+SdHiNqR328=',
  message:
    '<xml><ToUserName><![CDATA[ww6a112864f8022910]]></ToUserName><FromUserName><![CDATA[foobar]]></FromUserName><CreateTime>1583995625</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[x123]]></Content><MsgId>2018405441</MsgId><AgentID>1000002</AgentID></xml>',
};

function key(keys: CallbackKeys): Buffer {
  const k = aesKeyOf(keys.encodingAesKey);
  if (!k) throw new Error('bad key');
  return k;
}

/** Encrypts an arbitrary (possibly malformed) padded plaintext, bypassing our own layout. */
function rawEncrypt(keys: CallbackKeys, plain: Buffer): string {
  const k = key(keys);
  const cipher = createCipheriv('aes-256-cbc', k, k.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function signed(keys: CallbackKeys, encrypted: string, timestamp = '1409659813', nonce = '42') {
  return { msgSignature: signature(keys.token, timestamp, nonce, encrypted), timestamp, nonce, encrypted };
}

describe('published vectors (SPEC §1.8)', () => {
  it('T1: URL verification answers the decrypted echo', () => {
    expect(signature(T.token, T1.timestamp, T1.nonce, T1.echostr)).toBe(T1.msgSignature);
    expect(decodeURIComponent(T1.wire)).toBe(T1.echostr);
    expect(verifyUrl(T, { ...T1 })).toEqual({ ok: true, message: '1616140317555161061' });
  });

  it('T1: re-encrypts byte for byte with the same random prefix', () => {
    const opened = decryptPayload(key(T), T1.echostr);
    expect(opened.ok && opened.payload.random.toString('latin1')).toBe('c41b64491c2468d0');
    const sealed = sealEcho(T, '1616140317555161061', {
      timestamp: T1.timestamp,
      nonce: T1.nonce,
      random16: Buffer.from('c41b64491c2468d0'),
    });
    expect(sealed).toEqual({
      echostr: T1.echostr,
      msgSignature: T1.msgSignature,
      timestamp: T1.timestamp,
      nonce: T1.nonce,
    });
  });

  it('T2: POST body decrypts to the 284-byte message and re-encrypts exactly', () => {
    const body = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${T2.encrypted}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;
    const result = openCallbackXml(T, {
      msgSignature: T2.msgSignature,
      timestamp: T2.timestamp,
      nonce: T2.nonce,
      body,
    });
    expect(result).toEqual({ ok: true, message: T2.message });
    expect(Buffer.byteLength(T2.message)).toBe(284);
    const opened = decryptPayload(key(T), T2.encrypted);
    if (!opened.ok) throw new Error(opened.error);
    const sealed = sealCallback(T, T2.message, {
      timestamp: T2.timestamp,
      nonce: T2.nonce,
      random16: opened.payload.random,
      agentId: 218,
    });
    expect(sealed.encrypted).toBe(T2.encrypted);
    expect(sealed.msgSignature).toBe(T2.msgSignature);
    expect(sealed.xml).toBe(body);
  });

  it('G1: alphanumeric nonce, URL verification', () => {
    expect(verifyUrl(G1keys, G1)).toEqual({ ok: true, message: '94966531020182955848408' });
    const opened = decryptPayload(key(G1keys), G1.echostr);
    if (!opened.ok) throw new Error(opened.error);
    expect(
      encryptPayload(key(G1keys), '94966531020182955848408', G1keys.receiveId, opened.payload.random),
    ).toBe(G1.echostr);
  });

  it('G2: binary random prefix, decrypts and re-encrypts exactly', () => {
    expect(openCallback(G2keys, G2)).toEqual({ ok: true, message: G2.message });
    const opened = decryptPayload(key(G2keys), G2.encrypted);
    if (!opened.ok) throw new Error(opened.error);
    expect(opened.payload.random.toString('hex')).toBe('21e33070c56d1ca4e4fa84ace71334f6');
    const sealed = sealCallback(G2keys, G2.message, {
      timestamp: G2.timestamp,
      nonce: G2.nonce,
      random16: opened.payload.random,
    });
    expect(sealed.encrypted).toBe(G2.encrypted);
    expect(sealed.msgSignature).toBe(G2.msgSignature);
  });
});

describe('rejections', () => {
  it('a tampered signature, ciphertext, timestamp or nonce', () => {
    const flipped = `${T2.msgSignature.slice(0, -1)}${T2.msgSignature.endsWith('6') ? '7' : '6'}`;
    expect(openCallback(T, { ...T2, msgSignature: flipped })).toEqual({ ok: false, error: 'bad_signature' });
    expect(openCallback(T, { ...T2, nonce: '1372623148' })).toEqual({ ok: false, error: 'bad_signature' });
    expect(openCallback(T, { ...T2, timestamp: '1409659814' })).toEqual({
      ok: false,
      error: 'bad_signature',
    });
    const otherCipher = `A${T2.encrypted.slice(1)}`;
    expect(openCallback(T, { ...T2, encrypted: otherCipher })).toEqual({ ok: false, error: 'bad_signature' });
    expect(openCallback({ ...T, token: 'other' }, T2)).toEqual({ ok: false, error: 'bad_signature' });
    expect(openCallback(T, { ...T2, msgSignature: '' })).toEqual({ ok: false, error: 'bad_signature' });
  });

  it('accepts an upper-case signature', () => {
    expect(openCallback(T, { ...T2, msgSignature: T2.msgSignature.toUpperCase() }).ok).toBe(true);
  });

  it("another corp's receiveid", () => {
    expect(openCallback({ ...T, receiveId: 'ww0000000000000000' }, T2)).toEqual({
      ok: false,
      error: 'wrong_receiveid',
    });
    const sealed = sealCallback({ ...T, receiveId: 'wwOTHERCORP' }, '<xml/>');
    expect(openCallback(T, sealed)).toEqual({ ok: false, error: 'wrong_receiveid' });
  });

  it('a bad EncodingAESKey', () => {
    expect(openCallback({ ...T, encodingAesKey: 'short' }, T2)).toEqual({ ok: false, error: 'bad_key' });
    expect(openCallback({ ...T, encodingAesKey: `${T.encodingAesKey.slice(0, 42)}+` }, T2)).toEqual({
      ok: false,
      error: 'bad_key',
    });
    expect(() => sealCallback({ ...T, encodingAesKey: 'x' }, 'm')).toThrow(RangeError);
  });

  it('bad padding: out of range and inconsistent pad bytes', () => {
    const layout = Buffer.concat([
      Buffer.alloc(16, 1),
      Buffer.from([0, 0, 0, 2]),
      Buffer.from('hi'),
      Buffer.from(T.receiveId),
    ]);
    const pad = 32 - (layout.length % 32);
    const good = Buffer.concat([layout, Buffer.alloc(pad, pad)]);
    expect(openCallback(T, signed(T, rawEncrypt(T, good)))).toEqual({ ok: true, message: 'hi' });
    const zero = Buffer.from(good);
    zero[zero.length - 1] = 0;
    expect(openCallback(T, signed(T, rawEncrypt(T, zero)))).toEqual({ ok: false, error: 'bad_padding' });
    const big = Buffer.from(good);
    big[big.length - 1] = 33;
    expect(openCallback(T, signed(T, rawEncrypt(T, big)))).toEqual({ ok: false, error: 'bad_padding' });
    const uneven = Buffer.from(good);
    uneven[uneven.length - 2] = pad + 1;
    expect(openCallback(T, signed(T, rawEncrypt(T, uneven)))).toEqual({ ok: false, error: 'bad_padding' });
  });

  it('a msg_len longer than the plaintext', () => {
    const layout = Buffer.concat([Buffer.alloc(16, 1), Buffer.from([0, 0, 1, 0]), Buffer.from('hi')]);
    const pad = 32 - (layout.length % 32);
    const plain = Buffer.concat([layout, Buffer.alloc(pad, pad)]);
    expect(openCallback(T, signed(T, rawEncrypt(T, plain)))).toEqual({ ok: false, error: 'bad_length' });
    const tiny = Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(22, 22)]);
    expect(openCallback(T, signed(T, rawEncrypt(T, tiny)))).toEqual({ ok: false, error: 'bad_length' });
  });

  it('truncated, garbage and non-Base64 ciphertext', () => {
    const truncated = Buffer.from(T2.encrypted, 'base64').subarray(0, 48).toString('base64');
    expect(openCallback(T, signed(T, truncated))).toEqual({ ok: false, error: 'bad_ciphertext' });
    const lastBlocksOnly = Buffer.from(T2.encrypted, 'base64').subarray(32).toString('base64');
    // Dropping the first blocks garbles the layout (CBC): the prefix and msg_len no longer parse.
    const garbled = openCallback(T, signed(T, lastBlocksOnly));
    expect(garbled.ok).toBe(false);
    expect(openCallback(T, signed(T, ''))).toEqual({ ok: false, error: 'bad_ciphertext' });
    expect(openCallback(T, signed(T, 'not-base64_at*all!'))).toEqual({ ok: false, error: 'bad_base64' });
    expect(openCallback(T, signed(T, Buffer.alloc(64, 7).toString('base64'))).ok).toBe(false);
  });

  it('repairs "+" decoded as a space in echostr', () => {
    expect(verifyUrl(T, { ...T1, echostr: T1.echostr.replaceAll('+', ' ') })).toEqual({
      ok: true,
      message: '1616140317555161061',
    });
  });

  it('a stale timestamp when a freshness window is set', () => {
    const now = () => 1409659813_000 + 301_000;
    expect(openCallback(T, T2, { maxSkewSeconds: 300, now })).toEqual({
      ok: false,
      error: 'stale_timestamp',
    });
    expect(openCallback(T, T2, { maxSkewSeconds: 300, now: () => 1409659813_000 + 299_000 }).ok).toBe(true);
    expect(openCallback(T, T2, { maxSkewSeconds: 300, now: () => 1409659813_000 - 301_000 })).toEqual({
      ok: false,
      error: 'stale_timestamp',
    });
  });

  it('a replayed request, without letting forged ones fill the memory', () => {
    const now = () => 1409659813_000;
    const replay = new MemoryReplayStore(now);
    expect(openCallback(T, { ...T2, msgSignature: '0'.repeat(40) }, { replay, now }).ok).toBe(false);
    expect(openCallback(T, T2, { replay, now, maxSkewSeconds: 300 }).ok).toBe(true);
    expect(openCallback(T, T2, { replay, now, maxSkewSeconds: 300 })).toEqual({
      ok: false,
      error: 'replayed',
    });
    const fresh = sealCallback(T, T2.message, { now });
    expect(openCallback(T, fresh, { replay, now, maxSkewSeconds: 300 }).ok).toBe(true);
  });

  it('a body without Encrypt', () => {
    expect(openCallbackXml(T, { ...T2, body: '<xml><ToUserName>x</ToUserName></xml>' })).toEqual({
      ok: false,
      error: 'bad_xml',
    });
    expect(openCallbackXml(T, { ...T2, body: 'not xml' })).toEqual({ ok: false, error: 'bad_xml' });
  });

  it('maps every error to an official code', () => {
    expect(CALLBACK_ERROR_CODES.bad_signature).toBe(-40001);
    expect(CALLBACK_ERROR_CODES.wrong_receiveid).toBe(-40005);
    expect(CALLBACK_ERROR_CODES.bad_key).toBe(-40004);
    expect(Object.values(CALLBACK_ERROR_CODES).every((code) => code <= -40001 && code >= -40011)).toBe(true);
  });
});

describe('sealing', () => {
  it('round-trips multibyte text with msg_len in bytes', () => {
    const message = '<xml><Content><![CDATA[你好，世界 ]]> ok]]></Content></xml>';
    const sealed = sealCallback(G2keys, message, { agentId: 1000002 });
    expect(openCallback(G2keys, sealed)).toEqual({ ok: true, message });
    expect(parseXml(sealed.xml)).toEqual({
      ToUserName: G2keys.receiveId,
      Encrypt: sealed.encrypted,
      AgentID: '1000002',
    });
    expect(Buffer.from(sealed.encrypted, 'base64').length % 32).toBe(0);
  });

  it('pads a multiple of 32 with a full block', () => {
    // 16 + 4 + 12 = 32 bytes with an empty receiveid: the pad is a whole block of 0x20.
    const encrypted = encryptPayload(key(T), 'x'.repeat(12), '', Buffer.alloc(16));
    expect(Buffer.from(encrypted, 'base64').length).toBe(64);
    const opened = decryptPayload(key(T), encrypted);
    expect(opened.ok && opened.payload.message).toBe('x'.repeat(12));
  });

  it('seals a passive reply', () => {
    const xml = sealReply(T, '<xml><Content>hi</Content></xml>', { timestamp: '1409659813', nonce: '7' });
    const fields = parseXml(xml);
    expect(fields.TimeStamp).toBe('1409659813');
    expect(fields.MsgSignature).toBe(signature(T.token, '1409659813', '7', fields.Encrypt ?? ''));
    expect(
      openCallback(T, {
        msgSignature: fields.MsgSignature ?? '',
        timestamp: '1409659813',
        nonce: '7',
        encrypted: fields.Encrypt ?? '',
      }),
    ).toEqual({
      ok: true,
      message: '<xml><Content>hi</Content></xml>',
    });
  });
});
