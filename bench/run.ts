// `npm run bench -- <name> [--scale small|default|large]`: runs bench/<name>/bench.ts and
// prints its result as the last line, one JSON object; exits 1 when the result is not correct.
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: { scale: { type: 'string', default: 'default' } },
});
const [name] = positionals;
const scale = values.scale ?? 'default';
if (!name || !['small', 'default', 'large'].includes(scale)) {
  console.error('usage: npm run bench -- <name> [--scale small|default|large]');
  process.exit(2);
}
const bench = (await import(`./${name}/bench.ts`)) as { run(scale: string): Promise<{ correct: boolean }> };
const result = await bench.run(scale);
console.log(JSON.stringify(result));
process.exit(result.correct ? 0 : 1);
