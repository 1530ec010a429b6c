// `npm start`: builds the console when its sources are newer than the last build, then
// runs Pond in this process on embedded SQLite (or DATABASE_URL when set).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

const consoleDir = 'apps/console';
const builtAt = (() => {
  const index = join(consoleDir, 'dist', 'index.html');
  return existsSync(index) ? statSync(index).mtimeMs : 0;
})();

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = [join(consoleDir, 'src'), join(consoleDir, 'index.html'), join(consoleDir, 'vite.config.ts')];
const newest = Math.max(
  ...sources
    .filter(existsSync)
    .map((p) => (statSync(p).isDirectory() ? newestSource(p) : statSync(p).mtimeMs)),
);
if (newest > builtAt) {
  console.log('Building the console (once, and again whenever its sources change)…');
  const build = spawnSync('npm', ['run', 'build', '-w', '@pond/console', '--silent'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

register();
await import('../apps/server/src/main.ts');
