import { loadConfig } from './config.ts';
import { startPond } from './start.ts';

const config = loadConfig();
const pond = await startPond(config);

const lines = [
  '',
  `  Pond console and API: ${pond.url}`,
  `  API reference:        ${pond.url.replace(/\/$/, '')}/api/docs`,
];
if (pond.setupUrl) {
  lines.push(
    '',
    '  First time here? Open this one-time link to create your brand and owner account:',
    `  ${pond.setupUrl}`,
  );
}
console.log(`${lines.join('\n')}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void pond.stop().then(() => process.exit(0));
  });
}
