import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskEmail, maskMobile, normalizeMobile } from './personal-data.ts';

const e164Of = (input: string) => {
  const r = normalizeMobile(input);
  return r.ok ? r.value : null;
};

describe('mobile numbers', () => {
  it.each([
    ['13800138000', '+8613800138000'],
    [' 138 0013 8000 ', '+8613800138000'],
    ['138-0013-8000', '+8613800138000'],
    ['(138) 0013 8000', '+8613800138000'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['8613800138000', '+8613800138000'],
    ['008613800138000', '+8613800138000'],
    ['19912345678', '+8619912345678'],
    ['+85291234567', '+85291234567'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['0014155552671', '+14155552671'],
    ['+447911123456', '+447911123456'],
  ])('normalizes %j to %s', (input, e164) => {
    expect(e164Of(input)).toBe(e164);
  });

  it.each([
    '',
    '12345678',
    '12800138000', // mainland numbers start 13–19
    '1380013800', // one digit short
    '138001380001', // one digit long
    '+8612345678901', // +86 but not a mainland mobile
    '+86 138 0013 800',
    '+0123456789',
    '+1234567890123456', // longer than E.164 allows
    '+12345', // shorter than any real number
    'call me',
    '13800138000x',
    '１３８００１３８０００', // full-width digits are not read as digits
  ])('refuses %j with the field it was given', (input) => {
    const r = normalizeMobile(input, 'body.mobile');
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'invalid_request',
        message: `"${input}" is not a valid mobile number`,
        field: 'body.mobile',
      },
    });
  });

  it('gives every way of writing a mainland number the same E.164 form, and keeps that form', () => {
    const mainland = fc
      .tuple(fc.constantFrom(...'3456789'), fc.stringMatching(/^\d{9}$/))
      .map(([second, rest]) => `1${second}${rest}`);
    const spelled = fc.tuple(
      mainland,
      fc.constantFrom('', '+86', '86', '0086', '+86 ', '+86-'),
      fc.constantFrom('', ' ', '-'),
    );
    fc.assert(
      fc.property(spelled, ([n, prefix, sep]) => {
        const written = `${prefix}${n.slice(0, 3)}${sep}${n.slice(3, 7)}${sep}${n.slice(7)}`;
        const e164 = e164Of(written);
        expect(e164).toBe(`+86${n}`);
        expect(e164Of(e164 ?? '')).toBe(e164);
      }),
    );
  });

  it('masks the middle of a number and never shows more than its last four digits', () => {
    expect(maskMobile('+8613800138000')).toBe('+86138****8000');
    expect(maskMobile('+14155552671')).toBe('+141****2671');
    expect(maskMobile('+12345')).toBe('****');
    expect(maskMobile(null)).toBeNull();
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{6,14}$/), (e164) => {
        const masked = maskMobile(e164) ?? '';
        expect(masked).toContain('****');
        expect(masked.replace('****', '').length).toBeLessThanOrEqual(e164.length - 4);
        expect(e164.endsWith(masked.slice(masked.indexOf('****') + 4))).toBe(true);
      }),
    );
  });

  it('masks emails down to their first letter and domain', () => {
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
    expect(maskEmail('@example.com')).toBe('***');
    expect(maskEmail('no-at-sign')).toBe('***');
    expect(maskEmail(null)).toBeNull();
  });
});
