import { fail, ok, type Result } from './result.ts';

/**
 * Normalizes a phone number to E.164. Mainland China is the default country: an 11-digit
 * number starting with 1 gets +86.
 */
export function normalizeMobile(input: string, field = 'mobile'): Result<string> {
  const compact = input.replace(/[\s\-()]/g, '');
  let e164: string | null = null;
  if (/^\+[1-9]\d{6,14}$/.test(compact)) e164 = compact;
  else if (/^00[1-9]\d{6,14}$/.test(compact)) e164 = `+${compact.slice(2)}`;
  else if (/^1[3-9]\d{9}$/.test(compact)) e164 = `+86${compact}`;
  else if (/^861[3-9]\d{9}$/.test(compact)) e164 = `+${compact}`;
  if (e164 === null || (e164.startsWith('+86') && !/^\+861[3-9]\d{9}$/.test(e164))) {
    return fail('invalid_request', `"${input}" is not a valid mobile number`, { field });
  }
  return ok(e164);
}

/** `+8613800138000` → `+86138****8000`. */
export function maskMobile(mobile: string | null): string | null {
  if (mobile === null) return null;
  if (mobile.length <= 7) return '****';
  return `${mobile.slice(0, mobile.length - 8)}****${mobile.slice(-4)}`;
}

/** `alice@example.com` → `a***@example.com`. */
export function maskEmail(email: string | null): string | null {
  if (email === null) return null;
  const at = email.indexOf('@');
  if (at < 1) return '***';
  return `${email.charAt(0)}***${email.slice(at)}`;
}
