import type { DomainEvent, OutboxEvent } from '../platform/outbox.ts';

/** One stored event, as the outbox announces it. */
export interface TrackedEvent {
  readonly eventId: number;
  readonly customerId: number;
  readonly type: string;
  readonly name: string;
  readonly timestamp: number;
}

export const EVENTS_TRACKED = 'events.tracked';

/**
 * The outbox entry announcing the events one transaction stored for one tenant: a single
 * entry for all of them (one per event cost ingestion a row per event), its payload in
 * columns, `{ eventIds, customerIds, types, names, timestamps }`.
 */
export function trackedEntry(tenantId: string, events: readonly TrackedEvent[]): DomainEvent {
  return {
    tenantId,
    type: EVENTS_TRACKED,
    aggregateType: 'tenant',
    aggregateId: tenantId,
    payload: {
      eventIds: events.map((e) => e.eventId),
      customerIds: events.map((e) => e.customerId),
      types: events.map((e) => e.type),
      names: events.map((e) => e.name),
      timestamps: events.map((e) => e.timestamp),
    },
  };
}

/** The events an `events.tracked` entry announces; none for any other entry. */
export function trackedEvents(e: OutboxEvent): TrackedEvent[] {
  if (e.type !== EVENTS_TRACKED) return [];
  const p = e.payload as Record<string, unknown[]>;
  return (p.eventIds ?? []).map((eventId, i) => ({
    eventId: Number(eventId),
    customerId: Number(p.customerIds?.[i]),
    type: String(p.types?.[i]),
    name: String(p.names?.[i]),
    timestamp: Number(p.timestamps?.[i]),
  }));
}
