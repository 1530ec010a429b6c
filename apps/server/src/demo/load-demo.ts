import { type Ctx, fail, newId, ok, type Result, type Services } from '@pond/core';
import type { Trx } from '@pond/storage';
import {
  DEMO_FULL,
  type DemoCustomer,
  type DemoScale,
  demoCustomers,
  demoEvents,
  demoOrg,
} from '@pond/testing';

export const DEMO_SEED = 20261122;
const CHUNK = 1000;

export interface DemoProgress {
  readonly customers: number;
  readonly events: number;
}

/**
 * Loads the deterministic demo brand into a tenant that has no customers yet: regions,
 * stores and staff under its head office, customers with identities and owners, and their
 * events over the last months. Rows are written in bulk, chunk by chunk, in their own
 * transactions; derived state (the event catalog, activity times, order totals) is computed
 * from the same generated data.
 */
export async function loadDemo(
  services: Services,
  ctx: Ctx,
  options: { scale?: DemoScale; seed?: number; onProgress?: (p: DemoProgress) => void } = {},
): Promise<Result<DemoProgress>> {
  const { db, clock } = services.platform;
  const scale = options.scale ?? DEMO_FULL;
  const seed = options.seed ?? DEMO_SEED;
  const tenantId = ctx.principal.tenantId;
  const existing = await db
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .limit(1)
    .executeTakeFirst();
  if (existing)
    return fail('conflict', 'the brand already has customers; the demo loads only into an empty brand');
  const root = await db
    .selectFrom('org_units')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('parent_id', 'is', null)
    .executeTakeFirstOrThrow();
  const now = clock.now();
  const org = demoOrg(seed, scale);

  // Org: regions → stores → staff.
  const storeIds = new Map<string, string>();
  const staffIds = new Map<string, string>();
  await db.transaction().execute(async (trx) => {
    const regionIds = new Map<string, string>();
    for (const region of org.regions) {
      const id = newId('ou', now);
      regionIds.set(region, id);
      await trx
        .insertInto('org_units')
        .values({
          id,
          tenant_id: tenantId,
          parent_id: root.id,
          name: region,
          kind: 'region',
          code: null,
          path: `${root.path}${id}/`,
          depth: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    for (const store of org.stores) {
      const id = newId('ou', now);
      const parent = regionIds.get(store.region) ?? root.id;
      storeIds.set(store.key, id);
      await trx
        .insertInto('org_units')
        .values({
          id,
          tenant_id: tenantId,
          parent_id: parent,
          name: store.name,
          kind: 'store',
          code: store.key,
          path: `${root.path}${parent}/${id}/`,
          depth: 2,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    for (const s of org.staff) {
      const id = newId('stf', now);
      staffIds.set(s.key, id);
      await trx
        .insertInto('staff')
        .values({
          id,
          tenant_id: tenantId,
          name: s.name,
          mobile: `+86${s.mobile}`,
          email: null,
          wecom_userid: s.wecomUserId,
          title: s.title,
          org_unit_id: storeIds.get(s.store) ?? root.id,
          status: 'active',
          departed_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    await trx
      .insertInto('sources')
      .values({
        id: newId('src', now),
        tenant_id: tenantId,
        name: '小程序商城 (demo)',
        write_key: `wk_demo_${tenantId.slice(-12)}`,
        created_at: now,
        disabled_at: null,
      })
      .execute();
  });

  // First pass over the events: per-customer activity and order totals, and the catalog.
  const customers = [...demoCustomers(seed, scale, org, now)];
  const stats = customers.map(() => ({
    first: Number.MAX_SAFE_INTEGER,
    last: 0,
    orders: 0,
    spend: 0,
    lastOrder: 0,
  }));
  const catalog = new Map<
    string,
    { type: string; name: string; volume: number; properties: Record<string, string[]> }
  >();
  for (const e of demoEvents(seed, scale, customers, now)) {
    const s = stats[e.customer];
    if (!s) continue;
    s.first = Math.min(s.first, e.timestamp);
    s.last = Math.max(s.last, e.timestamp);
    if (e.name === 'order_paid') {
      s.orders++;
      s.spend += Number(e.properties.amount);
      s.lastOrder = Math.max(s.lastOrder, e.timestamp);
    }
    const key = `${e.type}:${e.name}`;
    const entry = catalog.get(key) ?? { type: e.type, name: e.name, volume: 0, properties: {} };
    entry.volume++;
    for (const [k, v] of Object.entries(e.properties)) entry.properties[k] ??= [typeof v];
    catalog.set(key, entry);
  }

  // Customers and their identities.
  const customerIds: number[] = [];
  for (let i = 0; i < customers.length; i += CHUNK) {
    const chunk = customers.slice(i, i + CHUNK);
    await db.transaction().execute(async (trx) => {
      const rows = await trx
        .insertInto('customers')
        .values(chunk.map((c) => customerRow(c, tenantId, stats[c.index], storeIds, staffIds)))
        .returning('id')
        .execute();
      customerIds.push(...rows.map((r) => r.id));
      await insertIdentities(
        trx,
        tenantId,
        chunk,
        rows.map((r) => r.id),
        now,
      );
    });
    options.onProgress?.({ customers: customerIds.length, events: 0 });
  }

  // Second pass: the events themselves, in chunks.
  let events = 0;
  let batch: Parameters<typeof insertEvents>[2] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await db.transaction().execute((trx) => insertEvents(trx, tenantId, rows, now));
    events += rows.length;
    options.onProgress?.({ customers: customerIds.length, events });
  };
  for (const e of demoEvents(seed, scale, customers, now)) {
    const id = customerIds[e.customer];
    if (id === undefined) continue;
    batch.push({ id, event: e, seq: events + batch.length });
    if (batch.length >= CHUNK * 2) await flush();
  }
  await flush();

  await db.transaction().execute(async (trx) => {
    for (const entry of catalog.values()) {
      await trx
        .insertInto('event_catalog')
        .values({
          tenant_id: tenantId,
          type: entry.type,
          name: entry.name,
          properties: JSON.stringify(entry.properties),
          volume: entry.volume,
          violations: 0,
          first_seen_at: now - scale.days * 86_400_000,
          last_seen_at: now,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'type', 'name']).doNothing())
        .execute();
    }
    // Stages and RFM scores follow from the activity and orders just written.
    await services.stratification.queueRecompute(trx, tenantId);
    await services.audit.record(trx, ctx, {
      action: 'demo.loaded',
      targetType: 'tenant',
      targetId: tenantId,
      after: { customers: customerIds.length, events, stores: org.stores.length, staff: org.staff.length },
    });
  });
  return ok({ customers: customerIds.length, events });
}

function customerRow(
  c: DemoCustomer,
  tenantId: string,
  s: { first: number; last: number; orders: number; spend: number; lastOrder: number } | undefined,
  storeIds: Map<string, string>,
  staffIds: Map<string, string>,
) {
  return {
    tenant_id: tenantId,
    public_id: newId('cus', c.createdAt),
    name: c.name,
    gender: c.gender,
    birthday: c.birthday,
    phone: `+86${c.phone}`,
    email: c.email,
    region: c.region,
    city: c.city,
    membership_level: c.membershipLevel,
    lifecycle_stage: c.lifecycleStage,
    source_channel: c.sourceChannel,
    owner_staff_id: staffIds.get(c.ownerStaff) ?? null,
    store_id: storeIds.get(c.store) ?? null,
    attributes: '{}',
    first_seen_at: s && s.last > 0 ? Math.min(s.first, c.createdAt) : c.createdAt,
    last_active_at: s && s.last > 0 ? s.last : null,
    order_count: s?.orders ?? 0,
    total_spend: Math.round((s?.spend ?? 0) * 100) / 100,
    last_order_at: s && s.lastOrder > 0 ? s.lastOrder : null,
    status: 'active' as const,
    merged_into: null,
    created_at: c.createdAt,
    updated_at: c.createdAt,
  };
}

async function insertIdentities(
  trx: Trx,
  tenantId: string,
  chunk: DemoCustomer[],
  ids: number[],
  now: number,
) {
  const rows = chunk.flatMap((c, i) => {
    const customer_id = ids[i] ?? 0;
    const base = { tenant_id: tenantId, customer_id, namespace: '', source: 'demo', created_at: now };
    return [
      { ...base, type: 'phone', value: `+86${c.phone}` },
      { ...base, type: 'wecom_external_userid', value: c.externalUserId },
      ...(c.unionId ? [{ ...base, type: 'wechat_unionid', value: c.unionId }] : []),
      ...(c.memberId ? [{ ...base, type: 'member_id', value: c.memberId }] : []),
      ...(c.email ? [{ ...base, type: 'email', value: c.email }] : []),
    ];
  });
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('customer_identities')
      .values(rows.slice(i, i + CHUNK))
      .execute();
}

async function insertEvents(
  trx: Trx,
  tenantId: string,
  rows: {
    id: number;
    event: { type: string; name: string; properties: Record<string, unknown>; timestamp: number };
    seq: number;
  }[],
  now: number,
) {
  await trx
    .insertInto('events')
    .values(
      rows.map(({ id, event, seq }) => ({
        tenant_id: tenantId,
        customer_id: id,
        origin_customer_id: id,
        source_id: null,
        message_id: `demo-${seq}`,
        type: event.type,
        name: event.name,
        properties: JSON.stringify(event.properties),
        context: '{"library":{"name":"pond-demo"}}',
        timestamp: event.timestamp,
        received_at: now,
      })),
    )
    .execute();
}
