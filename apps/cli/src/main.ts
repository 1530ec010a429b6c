import { parseArgs } from 'node:util';
import { loadConfig, startPond, VERSION } from '@pond/server';
import { migrateToLatest, openStorage } from '@pond/storage';
import { API_HELP, apiCommand } from './api-command.ts';
import { demoCommand } from './demo-command.ts';

const HELP = `pond — private-domain customer operations

Usage: pond <command> [options]

Commands:
  start              run Pond (console + API + workers) on DATABASE_URL or ./data/pond.db
  migrate            apply pending database migrations and exit
  demo [--small]     load the demo brand (creates it with an owner on an empty database)
  api                call an endpoint of a running Pond (pond api --help lists them)
  version            print the version

Configuration comes from the environment: POND_PORT, POND_HOST, DATABASE_URL, POND_DATA_DIR,
POND_PUBLIC_URL, POND_LOG_LEVEL, POND_ROLE (all|api|worker). See README.md.
`;

/** Runs one CLI command; returns the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      params: { type: 'string' },
      query: { type: 'string' },
      body: { type: 'string' },
      small: { type: 'boolean' },
    },
  });
  const [command = 'help'] = positionals;
  if (command === 'api') {
    if (values.help) {
      process.stdout.write(API_HELP);
      return 0;
    }
    return apiCommand(positionals[1], values, {
      env: process.env,
      out: (t) => process.stdout.write(t),
      err: (t) => process.stderr.write(t),
    });
  }
  if (values.help || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  switch (command) {
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case 'demo':
      return demoCommand({ small: values.small ?? false, out: (t) => process.stdout.write(t) });
    case 'migrate': {
      const storage = await openStorage(loadConfig().storage.url);
      try {
        const result = await migrateToLatest(storage);
        const applied =
          result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
        process.stdout.write(
          applied.length ? `applied: ${applied.join(', ')}\n` : `${storage.description} is up to date\n`,
        );
      } finally {
        await storage.close();
      }
      return 0;
    }
    case 'start': {
      const pond = await startPond(loadConfig());
      process.stdout.write(`Pond is running at ${pond.url}\n`);
      if (pond.setupUrl) process.stdout.write(`First-time setup: ${pond.setupUrl}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await pond.stop();
      return 0;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('pond.mjs')) {
  process.exitCode = await run(process.argv.slice(2));
}
