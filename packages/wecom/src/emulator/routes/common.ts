import type { Wire } from '../../client/wire.ts';
import type { EmulatedCorp } from '../corp.ts';

/** What a route sees: the corp, the query, the parsed JSON body. */
export interface RouteContext {
  corp: EmulatedCorp;
  query: URLSearchParams;
  body: Wire;
  /** Whether tags created by other apps may be edited (the legacy 客户联系 secret). */
  editAllTags: boolean;
}

export type Route = (ctx: RouteContext) => Wire;

/** A WeCom error answer: `{ errcode, errmsg }` with HTTP 200, as WeCom sends them. */
export class EmError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${errcode} ${errmsg}`);
  }
}

export const invalid = (field: string, why = 'invalid') =>
  new EmError(40058, `invalid Request Parameter, ${field} ${why}`);

export function bodyStr(ctx: RouteContext, field: string, required = true): string {
  const v = ctx.body[field];
  if (typeof v === 'string' && v !== '') return v;
  if (v === undefined && !required) return '';
  throw invalid(field, v === undefined ? 'missing' : 'invalid');
}

export function queryStr(ctx: RouteContext, field: string, required = true): string {
  const v = ctx.query.get(field);
  if (v) return v;
  if (!required) return '';
  throw invalid(field, 'missing');
}

export function bodyStrings(ctx: RouteContext, field: string, max: number, required = true): string[] {
  const v = ctx.body[field];
  if (v === undefined && !required) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string') || (required && v.length === 0))
    throw invalid(field);
  if (v.length > max) throw invalid(field, `exceeds ${max} items`);
  return v;
}

export function bodyInt(
  ctx: RouteContext,
  field: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = ctx.body[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw invalid(field);
  return Math.min(v, max);
}

/**
 * Opaque cursors that belong to one request set (SPEC §3.4): the offset and a fingerprint of
 * the request, Base64url-encoded.
 */
export function page<T>(
  items: T[],
  cursor: string,
  limit: number,
  scope: string,
): { items: T[]; nextCursor: string } {
  let offset = 0;
  if (cursor) {
    const [at, fingerprint] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    if (fingerprint !== scope || !/^\d+$/.test(at ?? '')) throw invalid('cursor');
    offset = Number(at);
  }
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit;
  return {
    items: slice,
    nextCursor: next < items.length ? Buffer.from(`${next}|${scope}`).toString('base64url') : '',
  };
}

export function requireCustomerOf(ctx: RouteContext, userId: string, externalUserId: string) {
  if (!ctx.corp.users.has(userId)) throw new EmError(60111, `invalid userid ${userId}`);
  if (!ctx.corp.customers.has(externalUserId)) throw new EmError(40096, 'invalid external userid');
  const follow = ctx.corp.follow(userId, externalUserId);
  if (!follow) throw new EmError(84061, 'not external contact');
  return follow;
}
