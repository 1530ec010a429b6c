/**
 * WeCom API errors (SPEC §4.1). `errcode` drives behaviour; `errmsg` is for people and logs
 * only (it changes and carries a request hint).
 */

/** The error codes Pond acts on. */
export const WeComErrorCode = {
  systemBusy: -1,
  versionConflict: 6000,
  invalidSecret: 40001,
  invalidUserId: 40003,
  invalidCorpId: 40013,
  invalidAccessToken: 40014,
  invalidAgentId: 40056,
  invalidParameter: 40058,
  invalidTagId: 40068,
  invalidExternalUserId: 40096,
  missingAccessToken: 41001,
  welcomeCodeUsed: 41051,
  accessTokenExpired: 42001,
  badJson: 47001,
  frequencyLimited: 45009,
  concurrencyLimited: 45033,
  apiNotPermitted: 48002,
  outsideAppRange: 50002,
  noPermissionOnTarget: 60011,
  ipNotTrusted: 60020,
  userNotFound: 60111,
  allRecipientsInvalid: 81013,
  ownerFilterRequired: 81017,
  noContactRelationship: 84061,
  groupOwnerNotResigned: 90500,
  notExternalGroup: 90501,
  notOwnResource: 301002,
} as const;

export type WeComErrorCodeName = keyof typeof WeComErrorCode;

/** A WeCom API answered with a non-zero errcode. */
export class WeComApiError extends Error {
  override readonly name = 'WeComApiError';
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${api} failed: ${errcode} ${errmsg}`);
  }
}

/** The request never produced a WeCom answer: connection failure, timeout, non-JSON or non-200 reply. */
export class WeComNetworkError extends Error {
  override readonly name = 'WeComNetworkError';
  constructor(
    readonly api: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${api}: ${message}`, options);
  }
}

function codeOf(error: unknown): number | undefined {
  return error instanceof WeComApiError ? error.errcode : undefined;
}

/** The token was revoked or expired: refresh it and retry once (SPEC §3.1). */
export function isTokenError(error: unknown): boolean {
  const code = codeOf(error);
  return code === WeComErrorCode.invalidAccessToken || code === WeComErrorCode.accessTokenExpired;
}

/** Frequency or concurrency limits (45009, 45033): back off. */
export function isRateLimited(error: unknown): boolean {
  const code = codeOf(error);
  return code === WeComErrorCode.frequencyLimited || code === WeComErrorCode.concurrencyLimited;
}

/** Transient failures worth retrying later: busy, version conflict, limits, network. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof WeComNetworkError) return true;
  const code = codeOf(error);
  return (
    code === WeComErrorCode.systemBusy || code === WeComErrorCode.versionConflict || isRateLimited(error)
  );
}

/**
 * Configuration problems an administrator must fix; retrying will not help (and repeated
 * gettoken failures can get the server's IP blocked for an hour).
 */
export function isConfigError(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === WeComErrorCode.invalidSecret ||
    code === WeComErrorCode.invalidCorpId ||
    code === WeComErrorCode.invalidAgentId ||
    code === WeComErrorCode.apiNotPermitted ||
    code === WeComErrorCode.ipNotTrusted
  );
}

/** The customer is not (or no longer) a contact of that member (84061), or the id is invalid (40096). */
export function isRelationshipGone(error: unknown): boolean {
  const code = codeOf(error);
  return code === WeComErrorCode.noContactRelationship || code === WeComErrorCode.invalidExternalUserId;
}

/** The entity is outside the app's visible range (50002, 60011). */
export function isOutOfScope(error: unknown): boolean {
  const code = codeOf(error);
  return code === WeComErrorCode.outsideAppRange || code === WeComErrorCode.noPermissionOnTarget;
}
