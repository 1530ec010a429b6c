import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCallback, openJsonCallback, sealCallback, sealJsonReply } from './callback.ts';
import { type CallbackKeys, signature } from './crypto.ts';
import { parseCallbackEvent } from './events.ts';
import { parseXml, toXml, tryParseXml } from './xml.ts';

const keyArb = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'),
  minLength: 43,
  maxLength: 43,
});
const keysArb = fc.record<CallbackKeys>({
  token: fc.string({ unit: fc.constantFrom(...'abcdefXYZ0123456789'), minLength: 1, maxLength: 32 }),
  encodingAesKey: keyArb,
  receiveId: fc.string({ unit: fc.constantFrom(...'wwabc0123456789'), maxLength: 24 }),
});

describe('crypto properties', () => {
  it('sealing then opening returns the message, for any text and key', () => {
    fc.assert(
      fc.property(keysArb, fc.string({ unit: 'grapheme', maxLength: 300 }), (keys, message) => {
        const sealed = sealCallback(keys, message);
        expect(openCallback(keys, sealed)).toEqual({ ok: true, message });
        expect(Buffer.from(sealed.encrypted, 'base64').length % 32).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('never throws on arbitrary correctly signed input, and never accepts random bytes', () => {
    fc.assert(
      fc.property(keysArb, fc.uint8Array({ minLength: 0, maxLength: 200 }), (keys, bytes) => {
        const encrypted = Buffer.from(bytes).toString('base64');
        const req = {
          timestamp: '1',
          nonce: '2',
          encrypted,
          msgSignature: signature(keys.token, '1', '2', encrypted),
        };
        const result = openCallback(keys, req);
        // A random ciphertext decrypting to a valid layout with the right receiveid is
        // astronomically unlikely for a non-empty receiveid.
        if (keys.receiveId !== '') expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('the JSON variant round-trips too', () => {
    fc.assert(
      fc.property(keysArb, fc.string({ maxLength: 100 }), (keys, message) => {
        const reply = JSON.parse(sealJsonReply(keys, message)) as Record<string, string | number>;
        const result = openJsonCallback(keys, {
          msgSignature: String(reply.msgsignature),
          timestamp: String(reply.timestamp),
          nonce: String(reply.nonce),
          body: JSON.stringify({ encrypt: reply.encrypt }),
        });
        expect(result).toEqual({ ok: true, message });
      }),
      { numRuns: 50 },
    );
  });
});

describe('xml and event properties', () => {
  const nameArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/);

  it('toXml then parseXml returns the fields', () => {
    fc.assert(
      fc.property(
        fc.dictionary(nameArb, fc.string({ unit: 'grapheme', maxLength: 40 }), { maxKeys: 8 }),
        (fields) => {
          expect(parseXml(toXml('xml', fields))).toEqual(fields);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('parsers never throw on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: fc.constantFrom(...'<>/![]CDATAxml&;#x '), maxLength: 80 }),
        ),
        (text) => {
          tryParseXml(text);
          expect(parseCallbackEvent(text).kind).toBeTypeOf('string');
        },
      ),
      { numRuns: 500 },
    );
  });
});
