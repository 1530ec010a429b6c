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
// BENCHMARKS.md allows 32–64 connections; 32, because with 64 batches of 100 always in flight
// a mean latency under 100 ms would need 64,000 events/s (Little's law), whatever the server.
const SCALES: Record<string, { events: number; concurrency: number }> = {
  small: { events: 20_000, concurrency: 32 },
  default: { events: 1_000_000, concurrency: 32 },
  large: { events: 5_000_000, concurrency: 32 },
};

interface LoadStats {
  seconds: number;
  sent: number;
  duplicates: number;
  p50: number;
  p99: number;
  /** The load generator's own CPU time while sending, in ms. */
  cpuMs: number;
}

async function generate(
  url: string,
  writeKey: string,
  events: number,
  concurrency: number,
): Promise<LoadStats> {
  const { stdout } = await run$(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(import.meta.dirname, 'load-generator.ts'),
      url,
      writeKey,
      String(events),
      String(concurrency),
      '7',
    ],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadStats;
}

/** The floor of this stack: bare node:http and one prepared better-sqlite3 insert per event. */
async function baseline(dir: string, events: number, concurrency: number) {
  const db = new Database(join(dir, 'baseline.db'));
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
  const stats = await generate(`http://127.0.0.1:${port}`, 'baseline', events, concurrency);
  server.close();
  const rows = (db.prepare('select count(*) as n from events').get() as { n: number }).n;
  db.close();
  return { stats, rows };
}

/**
 * Pond on fresh storage: the load through its HTTP API, then the stored rows counted. `cpu`
 * is this process's CPU time (µs) during the load.
 */
export async function pond(url: string, events: number, concurrency: number, schema?: string) {
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
    const stats = await generate(address, source.value.writeKey, events, concurrency);
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
    return { stats, stored, memory, cpu, correct: stored === stats.sent - stats.duplicates };
  } finally {
    await storage.close();
  }
}

export async function run(scale: string) {
  const { events, concurrency } = SCALES[scale] ?? SCALES.default ?? { events: 0, concurrency: 1 };
  const dir = mkdtempSync(join(tmpdir(), 'pond-bench-ingest-'));
  try {
    const sqlite = await pond(join(dir, 'pond.db'), events, concurrency);
    const floor = await baseline(dir, events, concurrency);
    const value = Math.round(sqlite.stats.sent / sqlite.stats.seconds);
    const baselineValue = Math.round(floor.stats.sent / floor.stats.seconds);
    console.error(
      `pond: ${value} events/s, batch p50 ${sqlite.stats.p50.toFixed(1)} ms, p99 ${sqlite.stats.p99.toFixed(1)} ms, stored ${sqlite.stored} of ${sqlite.stats.sent} (${sqlite.stats.duplicates} duplicates)`,
    );
    console.error(
      `baseline (node:http + prepared better-sqlite3 insert): ${baselineValue} events/s, p99 ${floor.stats.p99.toFixed(1)} ms`,
    );
    // The same load against PostgreSQL, reported beside the embedded figure.
    const pgUrl = process.env.POND_BENCH_DATABASE_URL;
    const pg = pgUrl ? await pond(pgUrl, events, concurrency, `bench_ingest_${Date.now()}`) : null;
    if (pg) {
      console.error(
        `pond on PostgreSQL: ${Math.round(pg.stats.sent / pg.stats.seconds)} events/s, batch p50 ${pg.stats.p50.toFixed(1)} ms, p99 ${pg.stats.p99.toFixed(1)} ms, stored ${pg.stored}`,
      );
    }
    return {
      bench: 'ingest',
      scale,
      metric: 'events_per_second',
      value,
      unit: 'events/s',
      p99_batch_ms: Math.round(sqlite.stats.p99 * 10) / 10,
      baseline: { name: 'node:http + prepared better-sqlite3 insert', value: baselineValue },
      ratio: Math.round((value / baselineValue) * 1000) / 1000,
      memory_mb: sqlite.memory,
      ...(pg
        ? {
            postgres: {
              value: Math.round(pg.stats.sent / pg.stats.seconds),
              p99_batch_ms: Math.round(pg.stats.p99 * 10) / 10,
            },
          }
        : {}),
      correct:
        sqlite.correct && floor.rows === floor.stats.sent - floor.stats.duplicates && (pg?.correct ?? true),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
