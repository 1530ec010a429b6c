import {
  ingestVariants,
  makeSource,
  makeTenant,
  must,
  openTestServices,
  simulatedClock,
} from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import { EVENTS_TRACKED, trackedEvents } from './tracked.ts';

describe.each(ingestVariants())('ingestion of concurrent requests on $name', ({ dialect, ingestThread }) => {
  let services: Services;
  let close: () => Promise<void>;
  const clock = simulatedClock();

  beforeAll(async () => {
    ({ services, close } = await openTestServices(dialect, clock, { ingestThread }));
  });
  afterAll(() => close());

  const uid = () => Math.random().toString(36).slice(2, 10);
  const sourceOf = (tenant: Awaited<ReturnType<typeof makeTenant>>) => makeSource(services, tenant);
  const eventsOf = (tenantId: string) =>
    services.platform.db
      .selectFrom('events')
      .select(['message_id', 'customer_id', 'origin_customer_id', 'timestamp'])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();

  it('stores requests sent together as if one by one: dedupe, merges and counts per request', async () => {
    const a = await makeTenant(services);
    const b = await makeTenant(services);
    const [sa, sb] = [await sourceOf(a), await sourceOf(b)];
    const u = uid();
    const t0 = clock.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const track = (extra: Record<string, unknown>) => ({ type: 'track', event: 'Viewed', ...extra });
    const batch = (source: typeof sa, messages: unknown[]) =>
      services.ingest.ingest(source, messages, undefined);
    const outcomes = await Promise.all([
      batch(sa, [
        track({ userId: `u-${u}`, messageId: 'm1', timestamp: at(1) }),
        track({ userId: `u-${u}`, messageId: 'm2', timestamp: at(2) }),
      ]),
      // m2 again: the first request of the transaction that sent it keeps it.
      batch(sa, [
        track({ userId: `u-${u}`, messageId: 'm2', timestamp: at(2) }),
        track({ userId: `u-${u}`, messageId: 'm3', timestamp: at(3) }),
      ]),
      batch(sa, [{ type: 'page', anonymousId: `a-${u}`, name: 'Home', messageId: 'm4', timestamp: at(4) }]),
      // Links the anonymous visitor to the user: the two profiles merge.
      batch(sa, [
        { type: 'alias', userId: `u-${u}`, previousId: `a-${u}`, messageId: 'm5', timestamp: at(5) },
      ]),
      batch(sa, [track({ anonymousId: `a-${u}`, messageId: 'm6', timestamp: at(6) })]),
      // The same messageId and user in another tenant are another message and another person.
      batch(sb, [track({ userId: `u-${u}`, messageId: 'm1', timestamp: at(1) })]),
      batch(sa, [{ type: 'track', userId: `u-${u}` }]),
    ]);
    expect(
      outcomes.map((o) => o.ok && [o.value.accepted, o.value.duplicates, o.value.rejected.length]),
    ).toEqual([
      [2, 0, 0],
      [1, 1, 0],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);

    const rows = await eventsOf(a.tenantId);
    expect(rows.map((r) => r.message_id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    const user = rows[0]?.customer_id;
    expect(new Set(rows.map((r) => r.customer_id))).toEqual(new Set([user]));
    // The page view landed on the anonymous profile first; un-merging takes it back there.
    const anonymous = rows[3]?.origin_customer_id;
    expect(anonymous).not.toBe(user);
    expect(rows.filter((r) => r.origin_customer_id === anonymous).map((r) => r.message_id)).toEqual(['m4']);
    const other = await eventsOf(b.tenantId);
    expect(other.map((r) => r.message_id)).toEqual(['m1']);
    expect(other[0]?.customer_id).not.toBe(user);

    // Activity spans every event of the person, and the rejected message is kept for the debugger.
    const customer = await services.platform.db
      .selectFrom('customers')
      .select(['first_seen_at', 'last_active_at', 'public_id'])
      .where('id', '=', user ?? 0)
      .executeTakeFirstOrThrow();
    expect(customer.last_active_at).toBe(t0 + 6000);
    expect(customer.first_seen_at).toBeLessThanOrEqual(t0 + 1000);
    const rejected = await services.events.debugger(a.owner, { limit: 20 });
    expect(rejected.filter((d) => d.status === 'rejected').map((d) => d.field)).toEqual(['event']);

    const [merge] = must(await services.customers.merges(a.owner, customer.public_id));
    if (!merge) throw new Error('no merge recorded');
    must(await services.customers.unmerge(a.owner, merge.id));
    const after = await eventsOf(a.tenantId);
    expect(after.find((r) => r.message_id === 'm4')?.customer_id).toBe(anonymous);
    expect(after.filter((r) => r.customer_id === user).map((r) => r.message_id)).toEqual([
      'm1',
      'm2',
      'm3',
      'm5',
      'm6',
    ]);
    const restored = await services.platform.db
      .selectFrom('customers')
      .select(['last_active_at', 'status'])
      .where('id', '=', anonymous ?? 0)
      .executeTakeFirstOrThrow();
    expect(restored).toEqual({ last_active_at: t0 + 4000, status: 'active' });
  });

  it('announces every stored event on the outbox with its id and current customer', async () => {
    const t = await makeTenant(services);
    const source = await sourceOf(t);
    const u = uid();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      type: 'track',
      userId: `v${i % 4}-${u}`,
      event: i % 2 ? 'Viewed' : 'Paid',
      properties: { n: i },
      messageId: `o${i}`,
    }));
    await Promise.all(
      [0, 10, 20].map((i) => services.ingest.ingest(source, sent.slice(i, i + 10), undefined)),
    );
    const events = await services.platform.db
      .selectFrom('events')
      .select(['id', 'customer_id', 'name'])
      .where('tenant_id', '=', t.tenantId)
      .orderBy('id')
      .execute();
    const announced = await services.platform.db
      .selectFrom('outbox')
      .selectAll()
      .where('tenant_id', '=', t.tenantId)
      .where('type', '=', EVENTS_TRACKED)
      .orderBy('id')
      .execute();
    // One entry per shared transaction, however many events it stored.
    expect(announced.length).toBeGreaterThanOrEqual(1);
    expect(announced.length).toBeLessThanOrEqual(3);
    const tracked = announced.flatMap((r) =>
      trackedEvents({
        id: r.id,
        tenantId: r.tenant_id,
        type: r.type,
        aggregateType: r.aggregate_type,
        aggregateId: r.aggregate_id,
        payload: JSON.parse(r.payload),
        createdAt: r.created_at,
      }),
    );
    expect(tracked.map((p) => [p.eventId, p.customerId, p.name])).toEqual(
      events.map((e) => [e.id, e.customer_id, e.name]),
    );
    const catalog = await services.platform.db
      .selectFrom('event_catalog')
      .select(['name', 'volume'])
      .where('tenant_id', '=', t.tenantId)
      .orderBy('name')
      .execute();
    expect(catalog.map((c) => [c.name, Number(c.volume)])).toEqual([
      ['Paid', 15],
      ['Viewed', 15],
    ]);
  });

  it('gives the new visitors of one transaction their profiles as OneID would one by one', async () => {
    const t = await makeTenant(services);
    const source = await sourceOf(t);
    const u = uid();
    const t0 = clock.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, r) =>
        services.ingest.ingest(
          source,
          Array.from({ length: 12 }, (_, i) => ({
            type: 'track',
            event: 'Viewed',
            anonymousId: `a${i % 6}-${u}`,
            // The second request's visitors come with their user id too: one profile holds both.
            ...(r === 1 ? { userId: `u${i % 6}-${u}` } : {}),
            messageId: `${r}-${i}`,
            timestamp: at(r * 12 + i),
          })),
          undefined,
        ),
      ),
    );
    expect(outcomes.map((o) => must(o).accepted)).toEqual([12, 12, 12, 12, 12]);
    const customers = await services.platform.db
      .selectFrom('customers')
      .select(['id', 'first_seen_at', 'last_active_at'])
      .where('tenant_id', '=', t.tenantId)
      .orderBy('id')
      .execute();
    expect(customers).toHaveLength(6);
    const identities = await services.platform.db
      .selectFrom('customer_identities')
      .select(['customer_id', 'type', 'value'])
      .where('tenant_id', '=', t.tenantId)
      .execute();
    for (const [i, c] of customers.entries()) {
      expect(
        identities
          .filter((x) => x.customer_id === c.id)
          .map((x) => `${x.type}:${x.value}`)
          .sort(),
      ).toEqual([`anonymous_id:a${i}-${u}`, `user_id:u${i}-${u}`]);
      // Seen first in the first request, last in the last one.
      expect(c.first_seen_at).toBe(t0 + i * 1000);
      expect(c.last_active_at).toBe(t0 + (4 * 12 + 6 + i) * 1000);
    }
    const events = await eventsOf(t.tenantId);
    expect(events).toHaveLength(60);
    for (const e of events) {
      const visitor = Number(/-(\d+)$/.exec(e.message_id)?.[1]) % 6;
      expect([e.customer_id, e.origin_customer_id]).toEqual([customers[visitor]?.id, customers[visitor]?.id]);
    }
  });
});
