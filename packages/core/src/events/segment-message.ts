import { randomUUID } from 'node:crypto';
import type { Identity } from '@pond/contracts';
import { type NormalizedIdentity, normalizeIdentity } from '../customers/identity-normalize.ts';
import type { ProfilePatch } from '../customers/resolve.ts';

export const SEGMENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

/** One accepted message, ready to store. */
export interface ParsedMessage {
  readonly type: SegmentType;
  readonly messageId: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
  readonly context: Record<string, unknown>;
  readonly timestamp: number;
  /** Who sent it, in the identities' stored (normalized) form. */
  readonly identities: NormalizedIdentity[];
  readonly profile: ProfilePatch;
}

export interface Rejection {
  readonly reason: string;
  readonly field: string;
}

export const MAX_EVENT_BYTES = 32 * 1024;
const MAX_MESSAGE_ID = 100;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const idOf = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v));

function parseTime(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/** Identify traits Pond keeps as standard profile fields. */
function profileFrom(traits: Record<string, unknown>): ProfilePatch {
  const profile: ProfilePatch = {};
  const name =
    str(traits.name) ?? ([str(traits.lastName), str(traits.firstName)].filter(Boolean).join('') || undefined);
  if (name) profile.name = name.slice(0, 100);
  const gender = str(traits.gender)?.toLowerCase();
  if (gender === 'male' || gender === 'm' || gender === '男') profile.gender = 'male';
  if (gender === 'female' || gender === 'f' || gender === '女') profile.gender = 'female';
  const birthday = str(traits.birthday);
  if (birthday && /^\d{4}-\d{2}-\d{2}/.test(birthday)) profile.birthday = birthday.slice(0, 10);
  const address = isObject(traits.address) ? traits.address : {};
  const city = str(traits.city) ?? str(address.city);
  if (city) profile.city = city.slice(0, 50);
  const region = str(traits.region) ?? str(address.state);
  if (region) profile.region = region.slice(0, 50);
  return profile;
}

/**
 * Validates one message of the Segment HTTP Tracking API and normalizes it. `type` comes
 * from the endpoint for single calls and from the message inside a batch. Clock skew is
 * corrected as Segment does: timestamp = receivedAt − (sentAt − originalTimestamp).
 * `checkSize: false` skips measuring the message when the caller knows it is small enough
 * (its whole request is).
 */
export function parseSegmentMessage(
  raw: unknown,
  type: string | undefined,
  receivedAt: number,
  batchSentAt?: unknown,
  checkSize = true,
): ParsedMessage | Rejection {
  if (!isObject(raw)) return { reason: 'each message must be a JSON object', field: '' };
  const kind = (type ?? raw.type) as SegmentType;
  if (!SEGMENT_TYPES.includes(kind)) return { reason: `unknown type "${String(raw.type)}"`, field: 'type' };
  if (checkSize && Buffer.byteLength(JSON.stringify(raw)) > MAX_EVENT_BYTES) {
    return { reason: `the message is larger than ${MAX_EVENT_BYTES / 1024} KB`, field: '' };
  }
  const userId = idOf(raw.userId);
  const anonymousId = idOf(raw.anonymousId);
  const identities: Identity[] = [];
  if (userId) identities.push({ type: 'user_id', value: userId });
  if (anonymousId) identities.push({ type: 'anonymous_id', value: anonymousId });

  let name = '';
  let properties: Record<string, unknown> = {};
  let profile: ProfilePatch = {};
  switch (kind) {
    case 'track':
      name = str(raw.event) ?? '';
      if (!name) return { reason: 'track needs an event name', field: 'event' };
      properties = isObject(raw.properties) ? raw.properties : {};
      break;
    case 'page':
    case 'screen':
      name = str(raw.name) ?? '';
      properties = isObject(raw.properties) ? raw.properties : {};
      break;
    case 'identify': {
      const traits = isObject(raw.traits) ? raw.traits : {};
      properties = traits;
      profile = profileFrom(traits);
      const phone = idOf(traits.phone);
      const email = str(traits.email);
      if (phone) identities.push({ type: 'phone', value: phone });
      if (email) identities.push({ type: 'email', value: email });
      break;
    }
    case 'group': {
      const groupId = idOf(raw.groupId);
      if (!groupId) return { reason: 'group needs a groupId', field: 'groupId' };
      name = groupId;
      properties = { groupId, ...(isObject(raw.traits) ? raw.traits : {}) };
      break;
    }
    case 'alias': {
      const previousId = idOf(raw.previousId);
      if (!previousId) return { reason: 'alias needs a previousId', field: 'previousId' };
      if (!userId) return { reason: 'alias needs a userId', field: 'userId' };
      // The previous id is usually the anonymous id the visitor had before signing in.
      identities.push({ type: 'anonymous_id', value: previousId });
      properties = { previousId };
      break;
    }
  }
  if (!userId && !anonymousId)
    return { reason: 'userId or anonymousId is required (no_user_anon_id)', field: 'userId' };
  const fieldOf: Record<string, string> = {
    user_id: 'userId',
    anonymous_id: 'anonymousId',
    phone: 'traits.phone',
    email: 'traits.email',
  };
  const normalized: NormalizedIdentity[] = [];
  for (const identity of identities) {
    const n = normalizeIdentity(identity, fieldOf[identity.type] ?? identity.type);
    if (!n.ok) return { reason: n.error.message, field: fieldOf[identity.type] ?? identity.type };
    normalized.push(n.value);
    if (n.value.type === 'phone') profile.phone = n.value.value;
    if (n.value.type === 'email') profile.email = n.value.value;
  }

  let messageId = str(raw.messageId);
  if (messageId && messageId.length > MAX_MESSAGE_ID) {
    return { reason: `messageId must be at most ${MAX_MESSAGE_ID} characters`, field: 'messageId' };
  }
  messageId ??= `pond-${randomUUID()}`;

  const original = parseTime(raw.originalTimestamp ?? raw.timestamp);
  if (original === null) return { reason: 'timestamp is not an ISO-8601 date', field: 'timestamp' };
  const sentAt = parseTime(raw.sentAt ?? batchSentAt);
  if (sentAt === null) return { reason: 'sentAt is not an ISO-8601 date', field: 'sentAt' };
  const timestamp =
    original === undefined ? receivedAt : sentAt === undefined ? original : receivedAt - (sentAt - original);

  const context = isObject(raw.context) ? raw.context : {};
  return { type: kind, messageId, name, properties, context, timestamp, identities: normalized, profile };
}

export const isRejection = (m: ParsedMessage | Rejection): m is Rejection => 'reason' in m;
