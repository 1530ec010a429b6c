import type { WeComClient } from './client.ts';
import { WeComApiError, WeComErrorCode, WeComNetworkError } from './errors.ts';

/**
 * The connection check behind the console's "test connection" button: fetch a token with the
 * configured corpid and secret, then make one customer-contact call, and name the first
 * thing that is wrong in terms an administrator can act on (SPEC §3.0, §4.1).
 */

export type ConnectionProblem =
  | 'bad_corpid'
  | 'bad_secret'
  | 'ip_not_trusted'
  | 'missing_permission'
  | 'rate_limited'
  | 'network'
  | 'unexpected';

export type ConnectionDiagnosis =
  | {
      ok: true;
      /** Members with customer contact enabled in the app's visible range. */
      followUserCount: number;
      /** Things that work but deserve attention, e.g. no member has customer contact. */
      warnings: string[];
    }
  | {
      ok: false;
      problem: ConnectionProblem;
      /** The API that failed: `gettoken` or the customer-contact probe. */
      step: string;
      errcode?: number;
      errmsg?: string;
      /** What to do about it, in English; the console translates by `problem`. */
      detail: string;
    };

const DETAILS: Record<ConnectionProblem, string> = {
  bad_corpid: 'The corp ID is not valid. Copy it from the admin console: My Company → Company Information.',
  bad_secret:
    'The secret does not belong to this corp or app. Use the secret of the self-built app that is added to Customer Contact → Apps that can call the API.',
  ip_not_trusted:
    "This server's IP is not in the app's trusted IP list (企业可信IP). Add it in the app's settings.",
  missing_permission:
    'The app may not call customer-contact APIs. Add it under Customer Contact → API → Apps that can call the API, and include the members in its visible range.',
  rate_limited: 'WeCom is limiting calls from this corp right now (45009). Try again in a minute.',
  network: 'WeCom could not be reached from this server.',
  unexpected: 'WeCom answered with an unexpected error.',
};

function classify(error: unknown): ConnectionProblem {
  if (error instanceof WeComNetworkError) return 'network';
  if (!(error instanceof WeComApiError)) return 'unexpected';
  switch (error.errcode) {
    case WeComErrorCode.invalidCorpId:
      return 'bad_corpid';
    case WeComErrorCode.invalidSecret:
      return 'bad_secret';
    case WeComErrorCode.ipNotTrusted:
      return 'ip_not_trusted';
    case WeComErrorCode.apiNotPermitted:
    case WeComErrorCode.outsideAppRange:
    case WeComErrorCode.noPermissionOnTarget:
      return 'missing_permission';
    case WeComErrorCode.frequencyLimited:
    case WeComErrorCode.concurrencyLimited:
      return 'rate_limited';
    default:
      return 'unexpected';
  }
}

function failure(step: string, error: unknown): ConnectionDiagnosis {
  const problem = classify(error);
  const api = error instanceof WeComApiError ? { errcode: error.errcode, errmsg: error.errmsg } : {};
  const message = error instanceof Error ? error.message : String(error);
  const detail =
    problem === 'network' || problem === 'unexpected' ? `${DETAILS[problem]} (${message})` : DETAILS[problem];
  return { ok: false, problem, step, ...api, detail };
}

export async function diagnoseConnection(client: WeComClient): Promise<ConnectionDiagnosis> {
  try {
    await client.getAccessToken(true);
  } catch (error) {
    return failure('gettoken', error);
  }
  let followUsers: string[];
  try {
    followUsers = await client.listFollowUsers();
  } catch (error) {
    return failure('externalcontact/get_follow_user_list', error);
  }
  const warnings =
    followUsers.length === 0
      ? ['No member in the app’s visible range has customer contact enabled, so no customer will be visible.']
      : [];
  return { ok: true, followUserCount: followUsers.length, warnings };
}
