import { isConfigError, WeComApiError, WeComNetworkError } from '@pond/wecom';
import { type Failure, fail } from '../../shared/result.ts';

/** What WeCom's codes mean to an operator (SPEC §4.1); errmsg is appended as WeCom wrote it. */
const MEANING: Record<number, string> = {
  [-1]: 'WeCom is busy; try again in a moment',
  40001: 'the app secret is wrong',
  40003: 'a userid is not valid',
  40013: 'the corpid is wrong',
  40058: 'a parameter is not valid',
  40068: 'a tag id is not valid',
  40096: 'the external userid is not valid',
  41051: 'the customer has already started chatting',
  45009: 'too many calls: WeCom’s frequency limit was reached',
  45033: 'too many concurrent calls',
  48002: 'the app may not call this API: add it under 客户联系 → 可调用接口的应用',
  50002: 'a member is outside the app’s visible range',
  60011: 'no permission on a member, department or tag (outside the visible range)',
  60020: 'this server’s IP address is not in the corp’s trusted IPs',
  60111: 'a userid does not exist in the corp',
  84061: 'there is no customer relationship with that member',
  90500: 'the group owner has not resigned',
  90501: 'not an external (customer) group',
};

/** A per-item errcode (transfers answer one per customer): `errcode 84061 (meaning)`. */
export function describeErrcode(errcode: number): string {
  const meaning = MEANING[errcode];
  return `errcode ${errcode}${meaning ? ` (${meaning})` : ''}`;
}

/** WeCom's own words for an error, for people: `errcode 60111 (a userid does not exist…): errmsg`. */
export function describeWeComError(e: unknown): { errcode: number | null; text: string } {
  if (e instanceof WeComApiError) {
    const meaning = MEANING[e.errcode];
    return {
      errcode: e.errcode,
      text: `errcode ${e.errcode}${meaning ? ` (${meaning})` : ''}: ${e.errmsg}`,
    };
  }
  if (e instanceof WeComNetworkError) return { errcode: null, text: `WeCom did not answer: ${e.message}` };
  return { errcode: null, text: e instanceof Error ? e.message : String(e) };
}

/**
 * A WeCom refusal as an API failure: problems with what was asked (a member WeCom does not
 * know or may not use, a bad parameter) are the caller's 400 on `field`; configuration
 * problems are a 409 naming the fix; anything else is WeCom's failure (502).
 */
export function wecomFailure(api: string, e: unknown, field?: string): { ok: false; error: Failure } {
  const { errcode, text } = describeWeComError(e);
  const message = `WeCom refused ${api}: ${text}`;
  if (isConfigError(e)) return fail('conflict', `${message} — fix the WeCom connection in settings`);
  if (errcode !== null && [40003, 40058, 40068, 50002, 60011, 60111, 60123].includes(errcode))
    return fail('invalid_request', message, field ? { field } : {});
  return fail('upstream_error', message);
}

export const notConfigured = () =>
  fail(
    'conflict',
    'WeCom is not connected: save the corpid and the app secret (客户联系) in the WeCom settings first',
  );
