import type { Trx } from '@pond/storage';
import { touchActivity } from '../customers/resolve.ts';
import { updateCatalog } from '../events/catalog.ts';
import type { ParsedMessage } from '../events/segment-message.ts';
import { trackedEntry } from '../events/tracked.ts';
import type { Platform } from '../platform/platform.ts';

/** The customer events WeCom activity is recorded as; audiences and journeys use these names. */
export const WECOM_EVENTS = {
  contactAdded: 'WeCom Contact Added',
  contactEdited: 'WeCom Contact Edited',
  contactLost: 'WeCom Contact Lost',
  contactDeleted: 'WeCom Contact Deleted',
  contactTransferred: 'WeCom Contact Transferred',
  transferFailed: 'WeCom Transfer Failed',
  groupJoined: 'WeCom Group Joined',
  groupLeft: 'WeCom Group Left',
} as const;

export interface CustomerEvent {
  readonly customerId: number;
  readonly name: string;
  readonly properties: Record<string, unknown>;
  readonly at: number;
}

/**
 * Writes WeCom activity as tracked customer events, the way ingestion does: the events table
 * (which the timeline and the rule evaluator read), `events.tracked` on the outbox (which
 * auto-tags and dynamic audiences follow), the catalog and the customer's activity times.
 * `messageKey` makes the message ids unique per callback, so they never clash with Segment's.
 */
export async function recordCustomerEvents(
  trx: Trx,
  p: Platform,
  tenantId: string,
  messageKey: string,
  events: readonly CustomerEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const receivedAt = p.clock.now();
  const rows = await trx
    .insertInto('events')
    .values(
      events.map((e, i) => ({
        tenant_id: tenantId,
        customer_id: e.customerId,
        origin_customer_id: e.customerId,
        source_id: null,
        message_id: `wecom:${messageKey}:${i}`,
        type: 'track',
        name: e.name,
        properties: JSON.stringify(e.properties),
        context: JSON.stringify({ source: 'wecom' }),
        timestamp: e.at,
        received_at: receivedAt,
      })),
    )
    .returning('id')
    .execute();
  for (const e of events) await touchActivity(trx, e.customerId, e.at);
  await p.outbox.append(
    trx,
    trackedEntry(
      tenantId,
      events.map((e, i) => ({
        eventId: Number(rows[i]?.id),
        customerId: e.customerId,
        type: 'track',
        name: e.name,
        timestamp: e.at,
      })),
    ),
  );

  const messages: ParsedMessage[] = events.map((e, i) => ({
    type: 'track',
    messageId: `wecom:${messageKey}:${i}`,
    name: e.name,
    properties: e.properties,
    context: {},
    timestamp: e.at,
    identities: [],
    profile: {},
  }));
  await updateCatalog(trx, tenantId, messages, receivedAt);
}
