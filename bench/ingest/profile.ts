// Profiling aid for B1: one Pond server (SQLite, or PostgreSQL when a URL is given) under the
// load generator, reporting the server's CPU time per event (all its threads). Run it under
// `node --cpu-prof`; POND_THREAD_PROF=<dir> writes the profiles of Pond's own threads (the
// ingest thread, the SQLite checkpointer) there too:
//   node --cpu-prof --import tsx bench/ingest/profile.ts [events] [postgres://…|""] [connections] [warm-up events]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pond } from './bench.ts';

const events = Number(process.argv[2] ?? 100_000);
const pgUrl = process.argv[3] || undefined;
const concurrency = Number(process.argv[4] ?? 32);
const warmup = Number(process.argv[5] ?? 0);
const scale = { events, warmup, repetitions: 1, concurrency };
const dir = mkdtempSync(join(tmpdir(), 'pond-profile-'));
try {
  const r = pgUrl
    ? await pond(pgUrl, scale, `profile_${Date.now()}`)
    : await pond(join(dir, 'pond.db'), scale);
  const { seconds, p50, p99 } = r.stats;
  // The server's CPU time covers the warm-up too.
  const sent = r.stats.sent + (r.stats.warmup?.sent ?? 0);
  console.log(
    `${Math.round(r.stats.sent / seconds)} events/s, batch p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ` +
      `server CPU per event: user ${(r.cpu.user / sent).toFixed(1)} µs, system ${(r.cpu.system / sent).toFixed(1)} µs; ` +
      `load generator ${(r.stats.cpuMs / r.stats.seconds / 10).toFixed(0)}% of a core; ` +
      `stored ${r.stored}${r.correct ? '' : ' (WRONG)'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
