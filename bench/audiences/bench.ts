// B2: audience rules over 1M customers (10M at `--scale large`) with 1,000 tags at ~5% density,
// 20 attributes and 180 days of behaviour; the bitmap engine and the SQL reference evaluator on
// the same data in the same run, every answer compared.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeDefinition, Permission, type Rule } from '@pond/contracts';
import {
  type Ctx,
  CUSTOMER_COLUMNS,
  createAudienceEngine,
  createServices,
  EVENT_COLUMNS,
  referenceBitmap,
  snapshotPath,
  systemClock,
} from '@pond/core';
import { type BulkInsert, migrateToLatest, openStorage, type Storage } from '@pond/storage';
import { DEMO_FULL, demoCustomers, demoEvents, demoOrg, makeTenant, seeded } from '@pond/testing';
import { sql } from 'kysely';

interface Scale {
  readonly customers: number;
  readonly events: number;
  readonly engineReps: number;
  readonly sqlReps: number;
}
const SCALES: Record<string, Scale> = {
  small: { customers: 20_000, events: 100_000, engineReps: 5, sqlReps: 1 },
  default: { customers: 1_000_000, events: 5_000_000, engineReps: 5, sqlReps: 1 },
  large: { customers: 10_000_000, events: 50_000_000, engineReps: 5, sqlReps: 1 },
};
const TAGS = 1_000;
const DENSITY = 0.05;
const DAY = 86_400_000;
const SEED = 20261123;

const log = (m: string) => console.error(`  ${m}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Tag popularity: a long tail (a few tags on most customers, most on few), ~5% on average. */
function tagOdds(): Float64Array {
  const raw = Array.from({ length: TAGS }, (_, i) => 1 / (i + 8) ** 0.9);
  const scale = (DENSITY * TAGS) / raw.reduce((s, x) => s + x, 0);
  return Float64Array.from(raw, (x) => Math.min(0.7, x * scale));
}

const CUSTOM: [string, AttributeDefinition['type'], string[]?][] = [
  ['vip', 'boolean'],
  ['shoe_size', 'number'],
  ['tier', 'enum', ['A', 'B', 'C', 'D']],
  ['interests', 'list', ['跑步', '瑜伽', '咖啡', '烘焙', '露营', '读书']],
  ['anniversary', 'date'],
  ['points', 'number'],
  ['preferred_channel', 'enum', ['wecom', 'sms', 'email']],
];

const CUSTOMER_ROWS: BulkInsert = { table: 'customers', columns: [['id', 'bigint'], ...CUSTOMER_COLUMNS] };
const TAG_ROWS: BulkInsert = {
  table: 'customer_tags',
  columns: [
    ['tenant_id', 'text'],
    ['customer_id', 'bigint'],
    ['origin_customer_id', 'bigint'],
    ['tag_id', 'text'],
    ['source', 'text'],
    ['created_at', 'bigint'],
  ],
};
const EVENT_ROWS: BulkInsert = { table: 'events', columns: EVENT_COLUMNS };
const LOADED_TABLES = ['customers', 'customer_tags', 'events'];

/** The secondary indexes of the loaded tables (not those behind primary keys or constraints). */
async function secondaryIndexes(storage: Storage): Promise<{ name: string; sql: string }[]> {
  const tables = sql.join(LOADED_TABLES.map((t) => sql.lit(t)));
  const q =
    storage.dialect.name === 'sqlite'
      ? sql<{ name: string; sql: string }>`select name, sql from sqlite_master
          where type = 'index' and tbl_name in (${tables}) and sql is not null`
      : sql<{ name: string; sql: string }>`select indexname as name, indexdef as sql from pg_indexes
          where schemaname = current_schema() and tablename in (${tables})
            and indexname not in (select conname from pg_constraint)`;
  return (await q.execute(storage.db)).rows;
}

/**
 * Writes the brand through the dialect's bulk insert, in large transactions, with the loaded
 * tables' secondary indexes dropped during the load and built again after it. Customer ids are
 * given, so tag and event rows name them without reading them back.
 */
async function load(storage: Storage, tenantId: string, tagIds: string[], scale: Scale, now: number) {
  const indexes = await secondaryIndexes(storage);
  for (const i of indexes) await sql`drop index ${sql.id(i.name)}`.execute(storage.db);
  const top = await storage.db
    .selectFrom('customers')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  const firstId = Number(top?.id ?? 0) + 1;
  const demoScale = { ...DEMO_FULL, customers: scale.customers, events: scale.events, days: 180 };
  const org = demoOrg(SEED, demoScale);
  const r = seeded(SEED);
  const odds = tagOdds();
  const write = (spec: BulkInsert, rows: unknown[][]) =>
    storage.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 100_000)
        await storage.dialect.insertMany(trx, spec, rows.slice(i, i + 100_000));
    });

  let tagRows = 0;
  let customers: unknown[][] = [];
  let tags: unknown[][] = [];
  const flush = async () => {
    await write(CUSTOMER_ROWS, customers);
    await write(TAG_ROWS, tags);
    tagRows += tags.length;
    customers = [];
    tags = [];
  };
  for (const c of demoCustomers(SEED, demoScale, org, now)) {
    const id = firstId + c.index;
    const orders = Math.floor(c.activity * 0.03 + r.next() * 2);
    const attributes: Record<string, unknown> = {};
    if (r.chance(0.3)) attributes.vip = r.chance(0.4);
    if (r.chance(0.6)) attributes.shoe_size = r.int(35, 45);
    if (r.chance(0.8)) attributes.tier = r.pick(['A', 'B', 'C', 'D']);
    if (r.chance(0.5))
      attributes.interests = ['跑步', '瑜伽', '咖啡', '烘焙', '露营', '读书'].filter(() => r.chance(0.3));
    if (r.chance(0.4)) attributes.anniversary = `20${r.int(15, 25)}-0${r.int(1, 9)}-1${r.int(0, 9)}`;
    if (r.chance(0.7)) attributes.points = Math.round(r.pareto(1.3) * 100);
    if (r.chance(0.6)) attributes.preferred_channel = r.pick(['wecom', 'sms', 'email']);
    const lastActive = now - r.int(0, 200) * DAY - r.int(0, DAY - 1);
    const spend = orders === 0 ? 0 : Math.round(r.pareto(1.5) * 80 * orders * 100) / 100;
    const lastOrder = orders === 0 ? null : now - r.int(0, 180) * DAY;
    customers.push([
      id,
      tenantId,
      `cus_bench_${c.index}`,
      c.name,
      c.gender,
      c.birthday,
      c.phone,
      c.email,
      c.region,
      c.city,
      c.membershipLevel,
      c.lifecycleStage,
      c.sourceChannel,
      null,
      null,
      JSON.stringify(attributes),
      c.createdAt,
      lastActive,
      orders,
      spend,
      lastOrder,
      'active',
      null,
      c.createdAt,
      now,
    ]);
    for (let t = 0; t < TAGS; t++) {
      if (r.next() < (odds[t] as number)) tags.push([tenantId, id, id, tagIds[t], 'import', now]);
    }
    if (customers.length === 10_000) {
      await flush();
      if (c.index % 100_000 === 99_999) log(`${c.index + 1} customers, ${tagRows} tag rows`);
    }
  }
  await flush();

  let events = 0;
  let list: unknown[][] = [];
  for (const e of demoEvents(SEED, demoScale, demoCustomers(SEED, demoScale, org, now), now)) {
    const id = firstId + e.customer;
    list.push([
      tenantId,
      id,
      id,
      null,
      `m${events++}`,
      e.type,
      e.name,
      JSON.stringify(e.properties),
      '{}',
      e.timestamp,
      e.timestamp,
    ]);
    if (list.length === 50_000) {
      await write(EVENT_ROWS, list);
      list = [];
      if (events % 1_000_000 === 0) log(`${events} events`);
    }
  }
  await write(EVENT_ROWS, list);
  log('rebuilding indexes');
  for (const i of indexes) await sql.raw(i.sql).execute(storage.db);
  // Customer ids were given: PostgreSQL's sequence must move past them (SQLite's follows).
  if (storage.dialect.name === 'postgres')
    await sql`select setval(pg_get_serial_sequence('customers', 'id'), (select max(id) from customers))`.execute(
      storage.db,
    );
  await sql`analyze`.execute(storage.db);
  return { tagRows, events };
}

const MOVES = 20;

/**
 * How soon a dynamic audience announces an entry or exit: a server's services (their engine
 * loaded from the benchmark's snapshot) with the relay running; one customer at a time moves
 * into the audience's city and back, and the time from the change's call to its
 * `audience.entered` / `audience.exited` reaching a consumer of the outbox is recorded.
 */
async function entryLatency(storage: Storage, owner: Ctx, snapshotDir: string, customers: number) {
  const live = createServices({ storage, clock: systemClock, audienceSnapshotDir: snapshotDir });
  const seen = new Map<string, number>();
  live.platform.outbox.subscribe({
    name: `bench.audience_latency.${Date.now()}`,
    handle: async (events) => {
      for (const e of events) {
        if (e.type === 'audience.entered' || e.type === 'audience.exited')
          seen.set(`${e.type}:${e.payload.audienceId}:${e.payload.customerId}`, performance.now());
      }
    },
  });
  await live.platform.outbox.drain();
  const rule: Rule = { kind: 'attribute', field: 'city', op: 'eq', value: '拉萨' };
  const saved = await live.savedAudiences.create(owner, {
    name: `时延 ${Date.now()}`,
    rule,
    kind: 'dynamic',
  });
  if (!saved.ok) throw new Error(saved.error.message);
  const stop = live.platform.outbox.start({ pollMs: 250 });
  const latencies: number[] = [];
  try {
    for (let k = 0; k < MOVES; k++) {
      const publicId = `cus_bench_${Math.floor(((k + 0.5) * customers) / MOVES)}`;
      const row = await storage.db
        .selectFrom('customers')
        .select(['id', 'city'])
        .where('public_id', '=', publicId)
        .executeTakeFirstOrThrow();
      for (const [city, type] of [
        ['拉萨', 'audience.entered'],
        [row.city, 'audience.exited'],
      ] as const) {
        // From before the change, so its own write and commit count too.
        const changed = performance.now();
        const updated = await live.customers.update(owner, publicId, { city });
        if (!updated.ok) throw new Error(updated.error.message);
        const key = `${type}:${saved.value.id}:${row.id}`;
        const deadline = changed + 10_000;
        while (!seen.has(key) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
        const at = seen.get(key);
        if (at !== undefined) latencies.push(at - changed);
      }
    }
  } finally {
    await stop();
    await live.savedAudiences.update(owner, saved.value.id, { archived: true });
  }
  return latencies;
}

/** Twenty fixed rules of about ten conditions each: tags, attributes, behaviour, aggregates. */
function rules(tagIds: string[]): Rule[] {
  const tag = (i: number) => tagIds[i % TAGS] as string;
  const cities = ['上海', '北京', '杭州', '深圳', '成都', '广州', '南京', '武汉'];
  return Array.from({ length: 20 }, (_, k): Rule => {
    const popular = [tag(k), tag(k + 3), tag(k + 7)];
    const rare = [tag(200 + k * 13), tag(400 + k * 17)];
    return {
      kind: 'all',
      rules: [
        { kind: 'tags', match: 'any', tagIds: popular },
        k % 3 === 0
          ? {
              kind: 'attribute',
              field: 'city',
              op: 'in',
              value: [cities[k % 8] as string, cities[(k + 3) % 8] as string],
            }
          : { kind: 'attribute', field: 'membershipLevel', op: 'neq', value: '普通会员' },
        {
          kind: 'any',
          rules: [
            { kind: 'attribute', field: 'attributes.vip', op: 'eq', value: true },
            { kind: 'attribute', field: 'totalSpend', op: 'gte', value: 200 + k * 20 },
            { kind: 'tags', match: 'all', tagIds: rare },
          ],
        },
        { kind: 'attribute', field: 'lastActiveAt', op: 'within_last', value: 60 + k * 5 },
        k % 2 === 0
          ? { kind: 'event', name: 'product_view', withinDays: 30 + k * 5 }
          : { kind: 'event', name: 'article_read', count: { op: 'at_least', n: 2 }, withinDays: 90 },
        k % 4 === 1
          ? {
              kind: 'aggregate',
              name: 'order_paid',
              fn: 'sum',
              property: 'amount',
              withinDays: 180,
              op: 'gte',
              value: 50,
            }
          : { kind: 'attribute', field: 'attributes.tier', op: 'in', value: ['A', 'B', 'C'] },
        { kind: 'not', rule: { kind: 'tags', match: 'any', tagIds: [tag(k + 1)] } },
        { kind: 'attribute', field: 'attributes.shoe_size', op: 'between', value: [36, 43] },
        k % 5 === 2
          ? { kind: 'not_since', name: 'coupon_received', days: 14 }
          : { kind: 'attribute', field: 'gender', op: 'neq', value: 'unknown' },
        { kind: 'attribute', field: 'createdAt', op: 'before_last', value: 7 + k },
      ],
    };
  });
}

export async function run(scaleName: string) {
  const scale = SCALES[scaleName] ?? (SCALES.default as Scale);
  // POND_BENCH_DATA=<dir>: keep the generated brand there (and in the PostgreSQL schema) and
  // reuse it on the next run.
  const kept = process.env.POND_BENCH_DATA;
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'pond-bench-audiences-'));
  const pgUrl = process.env.POND_BENCH_DATABASE_URL;
  const schema = `bench_audiences_${scaleName}`;
  try {
    const sqlite = await measure(await openStorage(join(dir, `pond-${scaleName}.db`)), kept !== undefined);
    if (!pgUrl) return sqlite;
    log(`PostgreSQL at ${pgUrl.replace(/\/\/[^@]*@/, '//')} (schema ${schema})`);
    // Not kept: a fresh schema (whatever an interrupted run left is dropped), dropped after.
    const dropSchema = async () => {
      const admin = await openStorage(pgUrl);
      await admin.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await admin.close();
    };
    if (kept === undefined) await dropSchema();
    const pg = await measure(await openStorage(pgUrl, { schema }), kept !== undefined);
    if (kept === undefined) await dropSchema();
    const { bench: _, scale: __, ...postgres } = pg;
    return { ...sqlite, correct: sqlite.correct && pg.correct, postgres };
  } finally {
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }

  /** One engine's figures on `storage`: its brand loaded (or reused when kept), then measured. */
  async function measure(storage: Storage, keep: boolean) {
    await migrateToLatest(storage);
    const reuse =
      keep && (await storage.db.selectFrom('tenants').select('id').executeTakeFirst()) !== undefined;
    const services = createServices({ storage, clock: systemClock });
    let tenant: { tenantId: string; owner: Ctx };
    let tagIds: string[] = [];
    let loaded = { tagRows: 0, events: 0 };
    if (reuse) {
      const t = await storage.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow();
      const principal = {
        tenantId: t.id,
        kind: 'system' as const,
        id: 'bench',
        name: 'bench',
        role: null,
        permissions: new Set(Permission.options),
        scope: { unitId: '', path: '/' },
        staffId: null,
      };
      tenant = { tenantId: t.id, owner: { principal, requestId: null, ip: null } };
      tagIds = (
        await storage.db
          .selectFrom('tags')
          .select('id')
          .where('tenant_id', '=', t.id)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map((r) => r.id);
      const count = async (table: 'customer_tags' | 'events') =>
        Number(
          (
            await storage.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      loaded = { tagRows: await count('customer_tags'), events: await count('events') };
      log(`reusing ${storage.description}`);
    } else {
      tenant = await makeTenant(services, 'Bench');
      for (const [key, type, options] of CUSTOM) {
        const r = await services.attributes.create(tenant.owner, {
          key,
          label: key,
          type,
          ...(options ? { options } : {}),
        });
        if (!r.ok) throw new Error(r.error.message);
      }
      for (let g = 0; g < 20; g++) {
        const group = await services.tags.createGroup(tenant.owner, { name: `组${g}` });
        if (!group.ok) throw new Error(group.error.message);
        for (let i = 0; i < TAGS / 20; i++) {
          const t = await services.tags.create(tenant.owner, {
            groupId: group.value.id,
            name: `标签${g}-${i}`,
            color: 'blue',
          });
          if (!t.ok) throw new Error(t.error.message);
          tagIds.push(t.value.id);
        }
      }
      const loadStarted = performance.now();
      loaded = await load(storage, tenant.tenantId, tagIds, scale, Date.now());
      log(
        `loaded ${scale.customers} customers, ${loaded.tagRows} tag rows, ${loaded.events} events in ${round((performance.now() - loadStarted) / 1000, 1)} s`,
      );
    }

    const definitions = new Map((await services.attributes.list(tenant.owner)).map((d) => [d.key, d]));
    // Snapshots of this run only: the first build reads SQL, the second loads what it wrote.
    const snapshotDir = join(dir, `audience-index-${scaleName}-${storage.dialect.name}`);
    rmSync(snapshotDir, { recursive: true, force: true });
    const engine = createAudienceEngine({ db: storage.db, clock: systemClock, snapshotDir });
    const rss0 = process.memoryUsage().rss;
    const bitmaps0 = engine.bitmapBytes();
    const buildStarted = performance.now();
    await engine.build(tenant.tenantId);
    const buildMs = performance.now() - buildStarted;
    const stats = engine.stats(tenant.tenantId);
    const indexBytes = engine.bitmapBytes() - bitmaps0 + (stats?.arrayBytes ?? 0);
    log(
      `index built in ${round(buildMs / 1000, 1)} s: ${round(indexBytes / 1e6, 1)} MB (${round(indexBytes / scale.customers, 1)} bytes per customer), rss +${round((process.memoryUsage().rss - rss0) / 1e6)} MB`,
    );
    // The build writes its snapshot in the background as soon as it is done: wait for it.
    const saveStarted = performance.now();
    await engine.saveSnapshots();
    const saveMs = performance.now() - saveStarted;
    const serializeMs = engine.stats(tenant.tenantId)?.snapshot?.serializeMs ?? Number.NaN;
    const snapshotBytes = statSync(snapshotPath(snapshotDir, tenant.tenantId)).size;
    // A restart: a second engine loads the snapshot and catches up with the outbox.
    const restarted = createAudienceEngine({ db: storage.db, clock: systemClock, snapshotDir });
    const loadStarted = performance.now();
    await restarted.build(tenant.tenantId);
    const loadMs = performance.now() - loadStarted;
    const loadedFrom = restarted.stats(tenant.tenantId)?.origin;
    log(
      `snapshot written in ${round(saveMs / 1000, 1)} s (${round(snapshotBytes / 1e6, 1)} MB; serializing held the event loop ${round(serializeMs)} ms), loaded in ${round(loadMs / 1000, 2)} s from ${loadedFrom === 'snapshot' ? 'the snapshot' : `SQL (${restarted.stats(tenant.tenantId)?.snapshotRefused})`}`,
    );
    let correct = loadedFrom === 'snapshot';

    const env = () => ({ tenantId: tenant.tenantId, now: Date.now(), dialect: storage.dialect, definitions });
    const list = rules(tagIds);
    const cold: number[] = [];
    const warm: number[] = [];
    const reference: number[] = [];
    const sizes: number[] = [];
    for (const [i, rule] of list.entries()) {
      let t = performance.now();
      const first = await engine.evaluate(storage.db, env(), rule);
      cold.push(performance.now() - t);
      if (!first) throw new Error('the index is not ready');
      let last = first;
      for (let rep = 0; rep < scale.engineReps; rep++) {
        t = performance.now();
        last = (await engine.evaluate(storage.db, env(), rule)) ?? last;
        warm.push(performance.now() - t);
      }
      // The check: the engine and the reference at one and the same moment.
      const at = env();
      const checked = await engine.evaluate(storage.db, at, rule);
      let sqlAnswer = null;
      for (let rep = 0; rep < scale.sqlReps; rep++) {
        t = performance.now();
        sqlAnswer = await referenceBitmap(storage.db, at, rule);
        reference.push(performance.now() - t);
      }
      const fromSnapshot = await restarted.evaluate(storage.db, at, rule);
      const same =
        checked !== null && sqlAnswer?.isEqual(checked) === true && fromSnapshot?.isEqual(checked) === true;
      correct &&= same;
      sizes.push(last.size);
      log(
        `rule ${i + 1}: ${last.size} members; engine cold ${round(cold[i] ?? 0)} ms, warm ${round(median(warm.slice(-scale.engineReps)))} ms; SQL ${round(reference[reference.length - 1] ?? 0)} ms; ${same ? 'same' : 'DIFFERENT'}`,
      );
    }
    const p50 = median(warm);
    const sqlP50 = median(reference);
    const after = engine.stats(tenant.tenantId);
    const memoryMb = Math.round(process.memoryUsage().rss / 1e6);
    const moves = await entryLatency(storage, tenant.owner, snapshotDir, scale.customers);
    log(
      `dynamic audience entries and exits: ${moves.length} changes, change → outbox p50 ${round(median(moves))} ms, max ${round(Math.max(...moves))} ms`,
    );
    correct &&= moves.length === 2 * MOVES;
    await storage.close();
    return {
      bench: 'audiences',
      scale: scaleName,
      metric: 'p50 rule evaluation (warm)',
      value: round(p50),
      unit: 'ms',
      baseline: { name: 'SQL reference evaluator p50', value: round(sqlP50) },
      ratio: round(sqlP50 / p50, 1),
      memory_mb: memoryMb,
      correct,
      customers: scale.customers,
      tag_rows: loaded.tagRows,
      events: loaded.events,
      warm_ms: { p50: round(p50), min: round(Math.min(...warm)), max: round(Math.max(...warm)) },
      cold_ms: { p50: round(median(cold)), min: round(Math.min(...cold)), max: round(Math.max(...cold)) },
      sql_ms: { p50: round(sqlP50), min: round(Math.min(...reference)), max: round(Math.max(...reference)) },
      build_s: round(buildMs / 1000),
      snapshot_write_s: round(saveMs / 1000),
      snapshot_serialize_ms: round(serializeMs),
      snapshot_load_s: round(loadMs / 1000),
      snapshot_mb: round(snapshotBytes / 1e6),
      index_bytes_per_customer: round(indexBytes / scale.customers, 1),
      cached_conditions: after?.cachedConditions ?? 0,
      members_p50: median(sizes),
      entry_exit_ms: { p50: round(median(moves)), max: round(Math.max(...moves)), changes: moves.length },
    };
  }
}
