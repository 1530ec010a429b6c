import { randomInt } from 'node:crypto';
import type { Permission } from '@pond/contracts';
import type { ServiceDeps, Services } from '@pond/core';
import { createServices } from '@pond/core';
import type { Db } from '@pond/storage';
import {
  type DialectName,
  openTestStorage,
  type SimulatedClock,
  simulatedClock,
  TEST_PASSWORD,
} from '@pond/testing';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createApp } from '../app.ts';
import { type Config, testConfig } from '../config.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
export type JsonBody = any;

export interface Answer {
  readonly status: number;
  readonly json: JsonBody;
  readonly headers: LightMyRequestResponse['headers'];
}

export interface Caller {
  /**
   * Sends a request as this caller (cookie and CSRF header, or API key, added). A string
   * body is sent as is, so tests can send malformed JSON.
   */
  call(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
}

/** A caller signed in through the API, with what the sign-in answered. */
export interface SessionCaller extends Caller {
  readonly cookie: string;
  readonly csrfToken: string;
  readonly me: JsonBody;
}

export interface HttpFixture {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly clock: SimulatedClock;
  /**
   * The client address of every request this fixture sends. Each fixture has its own, so
   * sign-in throttling (kept per address in the shared PostgreSQL database) stays apart.
   */
  readonly remoteAddress: string;
  /** `app.inject` from this fixture's client address. */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Signs in through the API and returns a caller carrying the session. */
  signIn(identifier: string, password?: string): Promise<SessionCaller>;
  /** A caller authenticating with an API key. */
  withApiKey(secret: string): Caller;
  /** Creates an API key through `by` and returns a caller using it. */
  apiKeyCaller(by: Caller, scopes: readonly Permission[]): Promise<Caller & { readonly id: string }>;
  /** A caller with no credentials. */
  anonymous: Caller;
  /** Every row the tenant has in any table (compare two to prove nothing was written). */
  snapshot(tenantId: string): Promise<Record<string, string[]>>;
  /** How many rows the tenant has in each table. */
  counts(tenantId: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

function parse(payload: string): JsonBody {
  try {
    return payload ? JSON.parse(payload) : undefined;
  } catch {
    return payload;
  }
}

/** A Pond app in process over fresh test storage, driven with `inject` (no ports). */
export async function httpFixture(
  dialect: DialectName,
  options: {
    config?: Config;
    isolated?: boolean;
    setupToken?: string;
    /** Further service dependencies, e.g. a WeCom gateway pointed at the emulator. */
    deps?: Partial<ServiceDeps>;
    /** SQLite in a file, ingested events stored by the ingest thread, as the server runs. */
    ingestThread?: boolean;
  } = {},
): Promise<HttpFixture> {
  const { storage, close } = await openTestStorage(dialect, {
    isolated: options.isolated ?? false,
    file: options.ingestThread ?? false,
  });
  const clock = simulatedClock(Date.now());
  const services = createServices({
    ...options.deps,
    storage,
    clock,
    setupToken: options.setupToken ?? null,
    ingestThread: options.ingestThread ?? false,
  });
  await services.ingest.ready();
  const app = await createApp({ config: options.config ?? testConfig(), services });
  const remoteAddress = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const inject = (o: InjectOptions) => app.inject({ remoteAddress, ...o });

  const caller = (credentials: () => Record<string, string>): Caller => ({
    async call(method, url, body, headers = {}) {
      const res = await inject({
        method,
        url,
        headers: {
          ...credentials(),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      return { status: res.statusCode, json: parse(res.payload), headers: res.headers };
    },
  });
  let tables: Promise<string[]> | null = null;
  const snapshot = async (tenantId: string) => {
    tables ??= tenantTables(storage.db, storage.schema);
    return snapshotOf(storage.db, await tables, tenantId);
  };
  const withApiKey = (secret: string) => caller(() => ({ authorization: `Bearer ${secret}` }));

  return {
    app,
    services,
    clock,
    remoteAddress,
    inject,
    async signIn(identifier, password = TEST_PASSWORD) {
      const res = await inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { identifier, password },
      });
      if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.payload}`);
      const token = res.cookies.find((c) => c.name === 'pond_session')?.value;
      if (!token) throw new Error('no session cookie');
      const me = JSON.parse(res.payload) as { csrfToken: string };
      const cookie = `pond_session=${token}`;
      return {
        ...caller(() => ({ cookie, 'x-csrf-token': me.csrfToken })),
        cookie,
        csrfToken: me.csrfToken,
        me,
      };
    },
    withApiKey,
    async apiKeyCaller(by, scopes) {
      const res = await by.call('POST', '/api/v1/api-keys', { name: 'test key', scopes });
      if (res.status !== 201)
        throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.json)}`);
      return { ...withApiKey(res.json.secret), id: res.json.apiKey.id };
    },
    anonymous: caller(() => ({})),
    snapshot,
    async counts(tenantId) {
      const snap = await snapshot(tenantId);
      return Object.fromEntries(Object.entries(snap).map(([t, rows]) => [t, rows.length]));
    },
    async close() {
      await app.close();
      await services.imports.drain();
      await services.ingest.stop();
      await close();
    },
  };
}

/** Tables whose rows belong to one tenant (they have a `tenant_id` column), found by introspection. */
async function tenantTables(db: Db, schema: string | undefined): Promise<string[]> {
  const tables = await db.introspection.getTables();
  const names = tables
    .filter((t) => (schema ? t.schema === schema : true) && t.columns.some((c) => c.name === 'tenant_id'))
    .map((t) => t.name);
  return [...new Set(names), 'tenants'].sort();
}

/**
 * Every row any table holds for a tenant, sorted, so two snapshots are equal exactly when
 * nothing of the tenant's was written in between. Tables added later are included by
 * themselves (they are found by their `tenant_id` column).
 */
async function snapshotOf(db: Db, tables: readonly string[], tenantId: string) {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const column = table === 'tenants' ? 'id' : 'tenant_id';
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)} where ${sql.ref(
      column,
    )} = ${tenantId}`.execute(db);
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}
