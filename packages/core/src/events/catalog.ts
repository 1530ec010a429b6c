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

/** A message as the catalog counts it: its type, its name and the shape of its properties. */
export interface Counted {
  readonly type: string;
  readonly name: string;
  /** `shapeOf` its properties. */
  readonly shape: string;
}

/** The keys of some properties with their JSON types, as a string equal for equal shapes. */
export const shapeOf = (properties: Record<string, unknown>): string =>
  JSON.stringify(Object.keys(properties).map((key) => [key, typeOf(properties[key])]));

export const counted = (m: ParsedMessage): Counted => ({
  type: m.type,
  name: m.name,
  shape: shapeOf(m.properties),
});

/** One batch of messages counted per event name, property keys and the types seen. */
export function tallyCatalog(messages: readonly Counted[]): Map<string, Tally> {
  const tallies = new Map<string, { tally: Tally; shapes: Set<string> }>();
  for (const m of messages) {
    const k = `${m.type}\u0000${m.name}`;
    let t = tallies.get(k);
    if (!t) {
      t = {
        tally: { type: m.type, name: m.name, volume: 0, properties: {}, violations: 0 },
        shapes: new Set(),
      };
      tallies.set(k, t);
    }
    t.tally.volume++;
    t.shapes.add(m.shape);
  }
  // Each distinct shape is read once, in the order the messages first showed it.
  for (const { tally, shapes } of tallies.values()) {
    for (const shape of shapes) {
      for (const [key, type] of JSON.parse(shape) as [string, JsonType][]) {
        const seen = tally.properties[key];
        if (!seen) tally.properties[key] = [type];
        else if (!seen.includes(type)) seen.push(type);
      }
    }
  }
  return new Map([...tallies].map(([k, t]) => [k, t.tally]));
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
  await writeCatalog(trx, tenantId, tallyCatalog(messages.map(counted)), at, at);
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
