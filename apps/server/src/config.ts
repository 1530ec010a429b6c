import { resolve } from 'node:path';
import { z } from 'zod';

const Env = z.object({
  POND_HOST: z.string().default('127.0.0.1'),
  POND_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** `postgres://…` for scaled mode; anything else is an SQLite path. */
  DATABASE_URL: z.string().optional(),
  POND_DATA_DIR: z.string().default('./data'),
  /** The address people reach Pond at; `https://` turns on Secure cookies. */
  POND_PUBLIC_URL: z.url().optional(),
  POND_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  POND_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Set when Pond runs behind a reverse proxy: client addresses come from X-Forwarded-For. */
  POND_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Requests a minute per API key or client address. */
  POND_RATE_LIMIT: z.coerce.number().int().min(1).default(1200),
  /** Ingest requests being stored at once beyond which new ones get 429. */
  POND_INGEST_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(256),
  /** Days a messageId is remembered for dedupe. */
  POND_DEDUPE_WINDOW_DAYS: z.coerce.number().min(0).default(7),
  /** `api` serves HTTP only, `worker` runs background work only, `all` does both. */
  POND_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  /** Base64 of 32 random bytes sealing stored secrets; default: `<data dir>/secret.key`. */
  POND_SECRET_KEY: z.string().optional(),
  /** `1`: a demo brand loaded in this server gets live WeCom activity from an in-process emulator. */
  POND_DEMO_WECOM: z.enum(['0', '1']).default('1'),
  /** Milliseconds between two actions of the demo's emulated WeCom corp. */
  POND_DEMO_WECOM_INTERVAL_MS: z.coerce.number().int().min(50).default(4000),
});

export interface Config {
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string | null;
    readonly secureCookies: boolean;
    readonly bodyLimit: number;
    readonly rateLimitPerMinute: number;
    readonly trustProxy: boolean;
  };
  readonly storage: { readonly url: string };
  /** Where the embedded database and uploaded files live. */
  readonly dataDir: string;
  readonly log: { readonly level: z.infer<typeof Env>['POND_LOG_LEVEL'] };
  readonly ingest: { readonly maxInFlight: number; readonly dedupeWindowMs: number };
  readonly role: 'all' | 'api' | 'worker';
  /** Base64 key sealing stored secrets (WeCom); null: the key file in the data dir. */
  readonly secretKey: string | null;
  /** Live WeCom activity for the demo brand (see docs/demo.md). */
  readonly demo: { readonly wecom: boolean; readonly wecomIntervalMs: number };
}

/** Values that never appear in logs or error output. */
export const SECRET_KEYS = ['DATABASE_URL', 'POND_SECRET_KEY'] as const;

/**
 * Reads configuration once, at boot, from the environment; nothing else reads
 * `process.env`. Throws with every problem listed when a value is malformed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    http: {
      host: e.POND_HOST,
      port: e.POND_PORT,
      publicUrl: e.POND_PUBLIC_URL ?? null,
      secureCookies: e.POND_PUBLIC_URL?.startsWith('https://') ?? false,
      bodyLimit: e.POND_BODY_LIMIT,
      rateLimitPerMinute: e.POND_RATE_LIMIT,
      trustProxy: e.POND_TRUST_PROXY === 'true',
    },
    storage: { url: e.DATABASE_URL ?? `sqlite:${resolve(e.POND_DATA_DIR, 'pond.db')}` },
    dataDir: resolve(e.POND_DATA_DIR),
    log: { level: e.POND_LOG_LEVEL },
    ingest: {
      maxInFlight: e.POND_INGEST_MAX_IN_FLIGHT,
      dedupeWindowMs: e.POND_DEDUPE_WINDOW_DAYS * 86_400_000,
    },
    role: e.POND_ROLE,
    secretKey: e.POND_SECRET_KEY ?? null,
    demo: { wecom: e.POND_DEMO_WECOM === '1', wecomIntervalMs: e.POND_DEMO_WECOM_INTERVAL_MS },
  };
}

/** Configuration for tests: in-process, quiet, no rate limit worth hitting. */
export function testConfig(
  overrides: Partial<Config['http']> = {},
  ingest: Partial<Config['ingest']> = {},
): Config {
  const base = loadConfig({
    POND_LOG_LEVEL: 'silent',
    DATABASE_URL: ':memory:',
    POND_RATE_LIMIT: '100000',
    POND_DEMO_WECOM: '0',
  });
  return { ...base, http: { ...base.http, ...overrides }, ingest: { ...base.ingest, ...ingest } };
}
