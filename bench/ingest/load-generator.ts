// The B1 load generator, run as its own process so it does not share the server's event
// loop: sends `events` Segment events in batches of 100 over `concurrency` keep-alive
// connections, a known share of them repeated messageIds, and reports batch latencies and
// its own CPU time. Every request body is built before the clock starts, so the generator
// spends the run on HTTP alone and leaves the machine's other core to the server.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { seeded } from '@pond/testing';

const [url = '', writeKey = '', eventsArg = '0', concurrencyArg = '32', seedArg = '1'] =
  process.argv.slice(2);
const total = Number(eventsArg);
const concurrency = Number(concurrencyArg);
const r = seeded(Number(seedArg));
const BATCH = 100;
/** Every 50th event repeats an earlier messageId: those must be dropped. */
const DUPLICATE_EVERY = 50;

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(`${url}/v1/batch`);
const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const NAMES = ['page_view', 'product_view', 'add_to_cart', 'article_read', 'order_paid'];

let next = 0;
let duplicates = 0;
const latencies: number[] = [];
/** With POND_BENCH_TRACE=<file>: each batch's answer time (ms since the start) and latency. */
const traceFile = process.env.POND_BENCH_TRACE;
const trace: [number, number][] = [];

function batch(): Buffer {
  const items = [];
  for (let i = 0; i < BATCH && next < total; i++, next++) {
    const repeat = next > 0 && next % DUPLICATE_EVERY === 0;
    if (repeat) duplicates++;
    // A few heavy visitors, many light ones.
    const visitor = Math.floor(r.pareto(1.1) * 7) % 200_000;
    items.push({
      type: 'track',
      userId: `u${visitor}`,
      event: r.pick(NAMES),
      properties: { value: r.int(1, 500), sku: `SKU${r.int(1, 300)}` },
      messageId: `m${repeat ? next - 1 : next}`,
      timestamp: new Date(Date.UTC(2026, 9, 1) + next * 1000).toISOString(),
    });
  }
  return Buffer.from(JSON.stringify({ batch: items }));
}

function send(body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: auth,
          'content-type': 'application/json',
          'content-length': body.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else {
            const latency = Number(process.hrtime.bigint() - started) / 1e6;
            latencies.push(latency);
            if (traceFile) trace.push([Date.now() - startedAt, Math.round(latency * 10) / 10]);
            resolve();
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const bodies: Buffer[] = [];
while (next < total) bodies.push(batch());
// What building them left behind is collected now, not in the middle of the measurement.
(globalThis as { gc?: () => void }).gc?.();
let sent = 0;
const cpuBefore = process.cpuUsage();
const startedAt = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let body = bodies[sent++]; body; body = bodies[sent++]) await send(body);
  }),
);
const seconds = (Date.now() - startedAt) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
process.stdout.write(
  `${JSON.stringify({ seconds, sent: total, duplicates, p50: pct(0.5), p99: pct(0.99), cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
);
agent.destroy();
if (traceFile) writeFileSync(traceFile, JSON.stringify(trace));
