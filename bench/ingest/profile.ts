// Profiling aid for B1: one Pond server (SQLite, or PostgreSQL when a URL is given) under the
// load generator, reporting the server's CPU time per event (all its threads). Run it under
// `node --cpu-prof`; POND_THREAD_PROF=<dir> writes the profiles of Pond's own threads (the
// ingest thread, the SQLite checkpointer) there too:
//   node --cpu-prof --import tsx bench/ingest/profile.ts [events] [postgres://…|""] [connections]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pond } from './bench.ts';

const events = Number(process.argv[2] ?? 100_000);
const pgUrl = process.argv[3] || undefined;
const concurrency = Number(process.argv[4] ?? 64);
const dir = mkdtempSync(join(tmpdir(), 'pond-profile-'));
try {
  const r = pgUrl
    ? await pond(pgUrl, events, concurrency, `profile_${Date.now()}`)
    : await pond(join(dir, 'pond.db'), events, concurrency);
  const { sent, seconds, p50, p99 } = r.stats;
  console.log(
    `${Math.round(sent / seconds)} events/s, batch p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ` +
      `server CPU per event: user ${(r.cpu.user / sent).toFixed(1)} µs, system ${(r.cpu.system / sent).toFixed(1)} µs; ` +
      `load generator ${(r.stats.cpuMs / r.stats.seconds / 10).toFixed(0)}% of a core; ` +
      `stored ${r.stored}${r.correct ? '' : ' (WRONG)'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
