import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the console when `dist/` is missing or older than its sources; returns `dist/`. */
export function ensureConsoleBuilt(): string {
  const dist = join(CONSOLE_DIR, 'dist');
  const index = join(dist, 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => join(CONSOLE_DIR, p));
  const builtAt = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (Math.max(...sources.map(newest)) > builtAt) {
    const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
      cwd: CONSOLE_DIR,
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('the console build failed');
  }
  return dist;
}
