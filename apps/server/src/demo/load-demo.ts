import {
  type Ctx,
  CUSTOMER_COLUMNS,
  EVENT_COLUMNS,
  fail,
  IDENTITY_COLUMNS,
  newId,
  ok,
  type Result,
  type Services,
} from '@pond/core';
import type { BulkInsert, DialectInfo, Trx } from '@pond/storage';
import {
  DEMO_FULL,
  type DemoCustomer,
  type DemoScale,
  demoCustomers,
  demoEvents,
  demoOrg,
} from '@pond/testing';

export const DEMO_SEED = 20261122;
/** Customers (with their identities) per transaction. */
const CUSTOMER_CHUNK = 5_000;
/**
 * Events per transaction. Large: each commit writes every index page the transaction
 * touched, and the events' name-and-time index is touched all over.
 */
const EVENT_CHUNK = 50_000;

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
  const { dialect } = services.platform;
  const customerIds: number[] = [];
  for (let i = 0; i < customers.length; i += CUSTOMER_CHUNK) {
    const chunk = customers.slice(i, i + CUSTOMER_CHUNK);
    await db.transaction().execute(async (trx) => {
      const rows = chunk.map((c) => customerRow(c, tenantId, stats[c.index], storeIds, staffIds));
      const inserted = await dialect.insertMany(trx, CUSTOMERS, rows);
      const idOf = new Map(inserted.map((r) => [String(r.public_id), Number(r.id)]));
      const ids = rows.map((r) => idOf.get(String(r[1])) ?? 0);
      customerIds.push(...ids);
      await insertIdentities(trx, dialect, tenantId, chunk, ids, now);
    });
    options.onProgress?.({ customers: customerIds.length, events: 0 });
  }

  // Second pass: the events themselves, in chunks.
  let events = 0;
  let batch: Parameters<typeof insertEvents>[3] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await db.transaction().execute((trx) => insertEvents(trx, dialect, tenantId, rows, now));
    events += rows.length;
    options.onProgress?.({ customers: customerIds.length, events });
  };
  for (const e of demoEvents(seed, scale, customers, now)) {
    const id = customerIds[e.customer];
    if (id === undefined) continue;
    batch.push({ id, event: e, seq: events + batch.length });
    if (batch.length >= EVENT_CHUNK) await flush();
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

const CUSTOMERS: BulkInsert = {
  table: 'customers',
  columns: CUSTOMER_COLUMNS,
  returning: ['id', 'public_id'],
};

/** One customer row, in the order of `CUSTOMERS.columns`. */
function customerRow(
  c: DemoCustomer,
  tenantId: string,
  s: { first: number; last: number; orders: number; spend: number; lastOrder: number } | undefined,
  storeIds: Map<string, string>,
  staffIds: Map<string, string>,
): unknown[] {
  const active = s !== undefined && s.last > 0;
  return [
    tenantId,
    newId('cus', c.createdAt),
    c.name,
    c.gender,
    c.birthday,
    `+86${c.phone}`,
    c.email,
    c.region,
    c.city,
    c.membershipLevel,
    c.lifecycleStage,
    c.sourceChannel,
    staffIds.get(c.ownerStaff) ?? null,
    storeIds.get(c.store) ?? null,
    '{}',
    active ? Math.min(s.first, c.createdAt) : c.createdAt,
    active ? s.last : null,
    s?.orders ?? 0,
    Math.round((s?.spend ?? 0) * 100) / 100,
    s && s.lastOrder > 0 ? s.lastOrder : null,
    'active',
    null,
    c.createdAt,
    c.createdAt,
  ];
}

const IDENTITIES: BulkInsert = { table: 'customer_identities', columns: IDENTITY_COLUMNS };

const EVENTS: BulkInsert = { table: 'events', columns: EVENT_COLUMNS };

async function insertIdentities(
  trx: Trx,
  dialect: DialectInfo,
  tenantId: string,
  chunk: DemoCustomer[],
  ids: number[],
  now: number,
) {
  const rows = chunk.flatMap((c, i) => {
    const id = ids[i] ?? 0;
    const row = (type: string, value: string) => [tenantId, id, type, '', value, 'demo', now];
    return [
      row('phone', `+86${c.phone}`),
      row('wecom_external_userid', c.externalUserId),
      ...(c.unionId ? [row('wechat_unionid', c.unionId)] : []),
      ...(c.memberId ? [row('member_id', c.memberId)] : []),
      ...(c.email ? [row('email', c.email)] : []),
    ];
  });
  await dialect.insertMany(trx, IDENTITIES, rows);
}

async function insertEvents(
  trx: Trx,
  dialect: DialectInfo,
  tenantId: string,
  rows: {
    id: number;
    event: { type: string; name: string; properties: Record<string, unknown>; timestamp: number };
    seq: number;
  }[],
  now: number,
) {
  await dialect.insertMany(
    trx,
    EVENTS,
    rows.map(({ id, event, seq }) => [
      tenantId,
      id,
      id,
      null,
      `demo-${seq}`,
      event.type,
      event.name,
      JSON.stringify(event.properties),
      '{"library":{"name":"pond-demo"}}',
      event.timestamp,
      now,
    ]),
  );
}
