import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServices, systemClock } from '@pond/core';
import { createApp, testConfig } from '@pond/server';
import { migrateToLatest, openStorage } from '@pond/storage';
import { makeTenant } from '@pond/testing';
import Database from 'better-sqlite3';

const run$ = promisify(execFile);
/**
 * Each repetition starts a fresh server (and a fresh baseline), warms it up with `warmup`
 * events from other visitors, then measures `events`. BENCHMARKS.md allows 32–64 connections;
 * 32, because with 64 batches of 100 always in flight a mean latency under 100 ms would need
 * 64,000 events/s (Little's law), whatever the server.
 */
const SCALES: Record<string, Scale> = {
  small: { events: 20_000, warmup: 5_000, repetitions: 3, concurrency: 32 },
  default: { events: 1_000_000, warmup: 100_000, repetitions: 3, concurrency: 32 },
  large: { events: 5_000_000, warmup: 100_000, repetitions: 1, concurrency: 32 },
};
export interface Scale {
  readonly events: number;
  readonly warmup: number;
  readonly repetitions: number;
  readonly concurrency: number;
}

interface LoadStats {
  seconds: number;
  sent: number;
  duplicates: number;
  p50: number;
  p99: number;
  /** The load generator's own CPU time while sending, in ms. */
  cpuMs: number;
}

interface LoadResult extends LoadStats {
  /** The warm-up's own figures, measured apart. */
  warmup: LoadStats | null;
}

async function generate(url: string, writeKey: string, scale: Scale): Promise<LoadResult> {
  const { stdout } = await run$(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(import.meta.dirname, 'load-generator.ts'),
      url,
      writeKey,
      String(scale.events),
      String(scale.concurrency),
      '7',
      String(scale.warmup),
    ],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
}

/** Events the load (warm-up included) should leave stored: every messageId once. */
const expected = (r: LoadResult) =>
  r.sent - r.duplicates + (r.warmup ? r.warmup.sent - r.warmup.duplicates : 0);
const rate = (s: LoadStats) => Math.round(s.sent / s.seconds);

/** The floor of this stack: bare node:http and one prepared better-sqlite3 insert per event. */
async function baseline(file: string, scale: Scale) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'create table events (message_id text primary key, user_id text, name text, properties text, timestamp integer)',
  );
  const insert = db.prepare('insert or ignore into events values (?, ?, ?, ?, ?)');
  const insertBatch = db.transaction(
    (
      items: { messageId: string; userId: string; event: string; properties: unknown; timestamp: string }[],
    ) => {
      for (const e of items)
        insert.run(e.messageId, e.userId, e.event, JSON.stringify(e.properties), Date.parse(e.timestamp));
    },
  );
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      insertBatch(
        (JSON.parse(Buffer.concat(chunks).toString()) as { batch: Parameters<typeof insertBatch>[0] }).batch,
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stats = await generate(`http://127.0.0.1:${port}`, 'baseline', scale);
  server.close();
  const rows = (db.prepare('select count(*) as n from events').get() as { n: number }).n;
  db.close();
  return { stats, correct: rows === expected(stats) };
}

/**
 * Pond on fresh storage: the load through its HTTP API, then the stored rows counted. `cpu`
 * is this process's CPU time (µs) during the load.
 */
export async function pond(url: string, scale: Scale, schema?: string) {
  const storage = await openStorage(url, schema ? { schema } : {});
  try {
    await migrateToLatest(storage);
    // As the server runs it: on a SQLite file, events are stored by the ingest thread.
    const services = createServices({ storage, clock: systemClock, ingestThread: true });
    const tenant = await makeTenant(services, 'Bench');
    const source = await services.sources.create(tenant.owner, { name: 'bench' });
    if (!source.ok) throw new Error(source.error.message);
    const app = await createApp({ config: testConfig({}, { maxInFlight: 10_000 }), services });
    await services.ingest.ready();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const started = process.cpuUsage();
    const stats = await generate(address, source.value.writeKey, scale);
    const cpu = process.cpuUsage(started);
    const stored = Number(
      (
        await storage.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('tenant_id', '=', tenant.tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const memory = Math.round(process.memoryUsage().rss / 1024 / 1024);
    await app.close();
    await services.ingest.stop();
    if (schema) await storage.db.schema.dropSchema(schema).cascade().execute();
    return { stats, stored, memory, cpu, correct: stored === expected(stats) };
  } finally {
    await storage.close();
  }
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;
/** A figure over the repetitions: their median and spread. */
const summary = (xs: number[], round: (x: number) => number = Math.round) => ({
  median: round(median(xs)),
  min: round(Math.min(...xs)),
  max: round(Math.max(...xs)),
});
const spread = (s: { median: number; min: number; max: number }, unit: string) =>
  `${s.median}${unit ? ` ${unit}` : ''} (${s.min}–${s.max})`;

export async function run(name: string) {
  const scale = SCALES[name] ?? SCALES.default;
  if (!scale) throw new Error(`no scale ${name}`);
  const dir = mkdtempSync(join(tmpdir(), 'pond-bench-ingest-'));
  try {
    const runs = [];
    // Pond and the floor alternate, so a change in the machine's speed touches both.
    for (let i = 0; i < scale.repetitions; i++) {
      const sqlite = await pond(join(dir, `pond-${i}.db`), scale);
      const floor = await baseline(join(dir, `baseline-${i}.db`), scale);
      const warm = sqlite.stats.warmup;
      console.error(
        `repetition ${i + 1}: pond ${rate(sqlite.stats)} events/s, batch p50 ${sqlite.stats.p50.toFixed(1)} ms, p99 ${sqlite.stats.p99.toFixed(1)} ms, ${sqlite.stored} stored (${sqlite.stats.duplicates} duplicates dropped)` +
          (warm
            ? `, after a warm-up of ${warm.sent} events at ${rate(warm)} events/s, p99 ${warm.p99.toFixed(1)} ms`
            : '') +
          `; baseline ${rate(floor.stats)} events/s, p99 ${floor.stats.p99.toFixed(1)} ms`,
      );
      runs.push({ sqlite, floor });
    }
    const value = summary(runs.map((r) => rate(r.sqlite.stats)));
    const p99 = summary(
      runs.map((r) => r.sqlite.stats.p99),
      round1,
    );
    const floorValue = summary(runs.map((r) => rate(r.floor.stats)));
    const ratio = summary(
      runs.map((r) => rate(r.sqlite.stats) / rate(r.floor.stats)),
      (x) => Math.round(x * 1000) / 1000,
    );
    console.error(
      `pond: ${spread(value, 'events/s')}, batch p99 ${spread(p99, 'ms')}; baseline (node:http + prepared better-sqlite3 insert): ${spread(floorValue, 'events/s')}; ratio ${spread(ratio, '')}`,
    );
    // The same load against PostgreSQL, reported beside the embedded figure.
    const pgUrl = process.env.POND_BENCH_DATABASE_URL;
    const pgRuns = [];
    for (let i = 0; pgUrl && i < scale.repetitions; i++) {
      const pg = await pond(pgUrl, scale, `bench_ingest_${Date.now()}`);
      console.error(
        `pond on PostgreSQL, repetition ${i + 1}: ${rate(pg.stats)} events/s, batch p50 ${pg.stats.p50.toFixed(1)} ms, p99 ${pg.stats.p99.toFixed(1)} ms, ${pg.stored} stored`,
      );
      pgRuns.push(pg);
    }
    return {
      bench: 'ingest',
      scale: name,
      metric: 'events_per_second',
      value: value.median,
      unit: 'events/s',
      spread: { min: value.min, max: value.max },
      repetitions: scale.repetitions,
      warmup_events: scale.warmup,
      p99_batch_ms: p99.median,
      p99_batch_spread_ms: { min: p99.min, max: p99.max },
      baseline: { name: 'node:http + prepared better-sqlite3 insert', value: floorValue.median },
      ratio: ratio.median,
      memory_mb: Math.max(...runs.map((r) => r.sqlite.memory)),
      ...(pgRuns.length
        ? {
            postgres: {
              value: summary(pgRuns.map((r) => rate(r.stats))).median,
              p99_batch_ms: summary(
                pgRuns.map((r) => r.stats.p99),
                round1,
              ).median,
            },
          }
        : {}),
      correct: runs.every((r) => r.sqlite.correct && r.floor.correct) && pgRuns.every((r) => r.correct),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
