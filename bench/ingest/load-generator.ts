// The B1 load generator, run as its own process so it does not share the server's event
// loop: sends `events` Segment events in batches of 100 over `concurrency` keep-alive
// connections, a known share of them repeated messageIds, and reports batch latencies and
// its own CPU time. Every request body is built before the clock starts, so the generator
// spends the run on HTTP alone and leaves the machine's other core to the server.
//
// With `warmup` > 0 it first sends that many events the same way, unmeasured, from other
// visitors with other messageIds (so the measured load meets the same new visitors as without
// it), and reports them apart: BENCHMARKS.md measures a warmed-up server.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { seeded } from '@pond/testing';

const [url = '', writeKey = '', eventsArg = '0', concurrencyArg = '32', seedArg = '1', warmupArg = '0'] =
  process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const r = seeded(Number(seedArg));
const BATCH = 100;
/** Every 50th event repeats an earlier messageId: those must be dropped. */
const DUPLICATE_EVERY = 50;

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(`${url}/v1/batch`);
const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const NAMES = ['page_view', 'product_view', 'add_to_cart', 'article_read', 'order_paid'];
/** With POND_BENCH_TRACE=<file>: each measured batch's answer time (ms since the start) and latency. */
const traceFile = process.env.POND_BENCH_TRACE;

interface Load {
  readonly bodies: Buffer[];
  readonly events: number;
  readonly duplicates: number;
}

/** `total` events in request bodies, their visitors and messageIds prefixed with `prefix`. */
function build(total: number, prefix: string): Load {
  const bodies: Buffer[] = [];
  let duplicates = 0;
  for (let next = 0; next < total; ) {
    const items = [];
    for (let i = 0; i < BATCH && next < total; i++, next++) {
      const repeat = next > 0 && next % DUPLICATE_EVERY === 0;
      if (repeat) duplicates++;
      // A few heavy visitors, many light ones.
      const visitor = Math.floor(r.pareto(1.1) * 7) % 200_000;
      items.push({
        type: 'track',
        userId: `${prefix}u${visitor}`,
        event: r.pick(NAMES),
        properties: { value: r.int(1, 500), sku: `SKU${r.int(1, 300)}` },
        messageId: `${prefix}m${repeat ? next - 1 : next}`,
        timestamp: new Date(Date.UTC(2026, 9, 1) + next * 1000).toISOString(),
      });
    }
    bodies.push(Buffer.from(JSON.stringify({ batch: items })));
  }
  return { bodies, events: total, duplicates };
}

function send(body: Buffer): Promise<number> {
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
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends the bodies over `concurrency` connections; their latencies and the figures of the run. */
async function sendAll({ bodies, events, duplicates }: Load) {
  const latencies: number[] = [];
  const trace: [number, number][] = [];
  let sent = 0;
  const cpuBefore = process.cpuUsage();
  const startedAt = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let body = bodies[sent++]; body; body = bodies[sent++]) {
        const latency = await send(body);
        latencies.push(latency);
        trace.push([Date.now() - startedAt, Math.round(latency * 10) / 10]);
      }
    }),
  );
  const seconds = (Date.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    stats: {
      seconds,
      sent: events,
      duplicates,
      p50: pct(0.5),
      p99: pct(0.99),
      cpuMs: (cpu.user + cpu.system) / 1000,
    },
    trace,
  };
}

const warmupLoad = build(Number(warmupArg), 'w');
const load = build(Number(eventsArg), '');
// What building them left behind is collected now, not in the middle of the measurement.
(globalThis as { gc?: () => void }).gc?.();
const warmup = warmupLoad.bodies.length > 0 ? (await sendAll(warmupLoad)).stats : null;
(globalThis as { gc?: () => void }).gc?.();
const { stats, trace } = await sendAll(load);
process.stdout.write(`${JSON.stringify({ ...stats, warmup })}\n`);
agent.destroy();
if (traceFile) writeFileSync(traceFile, JSON.stringify(trace));
