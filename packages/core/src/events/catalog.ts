import type { Trx } from '@pond/storage';
import type { ParsedMessage } from './segment-message.ts';

type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

const typeOf = (v: unknown): JsonType =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as 'string' | 'number' | 'boolean' | 'object');

export interface Tally {
  type: string;
  name: string;
  volume: number;
  properties: Record<string, JsonType[]>;
  violations: number;
}

/** One batch of messages counted per event name, property keys and the types seen. */
export function tallyCatalog(messages: readonly ParsedMessage[]): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  for (const m of messages) {
    const k = `${m.type}\u0000${m.name}`;
    let t = tallies.get(k);
    if (!t) {
      t = { type: m.type, name: m.name, volume: 0, properties: {}, violations: 0 };
      tallies.set(k, t);
    }
    t.volume++;
    for (const key of Object.keys(m.properties)) {
      const type = typeOf(m.properties[key]);
      const seen = t.properties[key];
      if (!seen) t.properties[key] = [type];
      else if (!seen.includes(type)) seen.push(type);
    }
  }
  return tallies;
}

/**
 * Updates the event catalog with one request's events, aggregated first so a batch costs one
 * read and one write per event name. A property whose type differs from the type first seen
 * for it counts as a violation (the new type is recorded too, so the catalog shows both).
 */
export async function updateCatalog(
  trx: Trx,
  tenantId: string,
  messages: readonly ParsedMessage[],
  at: number,
) {
  await writeCatalog(trx, tenantId, tallyCatalog(messages), at, at);
}

/** Adds tallies of events received between `firstAt` and `lastAt` to the catalog. */
export async function writeCatalog(
  trx: Trx,
  tenantId: string,
  tallies: ReadonlyMap<string, Tally>,
  firstAt: number,
  lastAt: number,
) {
  for (const t of tallies.values()) {
    const existing = await trx
      .selectFrom('event_catalog')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('type', '=', t.type)
      .where('name', '=', t.name)
      .executeTakeFirst();
    const known = existing ? (JSON.parse(existing.properties) as Record<string, JsonType[]>) : {};
    let violations = 0;
    for (const [key, types] of Object.entries(t.properties)) {
      known[key] ??= [];
      const list = known[key];
      const first = list[0] ?? types[0];
      for (const type of types) {
        if (type !== first && type !== 'null') violations++;
        if (!list.includes(type)) list.push(type);
      }
    }
    if (existing) {
      await trx
        .updateTable('event_catalog')
        .set({
          properties: JSON.stringify(known),
          volume: existing.volume + t.volume,
          violations: existing.violations + violations,
          last_seen_at: lastAt,
        })
        .where('tenant_id', '=', tenantId)
        .where('type', '=', t.type)
        .where('name', '=', t.name)
        .execute();
    } else {
      await trx
        .insertInto('event_catalog')
        .values({
          tenant_id: tenantId,
          type: t.type,
          name: t.name,
          properties: JSON.stringify(known),
          volume: t.volume,
          violations,
          first_seen_at: firstAt,
          last_seen_at: lastAt,
        })
        .execute();
    }
  }
}
