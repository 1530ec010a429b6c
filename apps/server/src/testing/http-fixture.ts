import type { Services } from '@pond/core';
import { createServices } from '@pond/core';
import {
  type DialectName,
  openTestStorage,
  type SimulatedClock,
  simulatedClock,
  TEST_PASSWORD,
} from '@pond/testing';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createApp } from '../app.ts';
import { type Config, testConfig } from '../config.ts';

export interface Caller {
  /** Sends a request as this caller (cookie and CSRF header, or API key, added). */
  call(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: JsonBody }>;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
export type JsonBody = any;

export interface HttpFixture {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly clock: SimulatedClock;
  /** Signs in through the API and returns a caller carrying the session. */
  signIn(identifier: string, password?: string): Promise<Caller>;
  /** A caller authenticating with an API key. */
  withApiKey(secret: string): Caller;
  /** A caller with no credentials. */
  anonymous: Caller;
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
  options: { config?: Config; isolated?: boolean; setupToken?: string } = {},
): Promise<HttpFixture> {
  const { storage, close } = await openTestStorage(dialect, { isolated: options.isolated ?? false });
  const clock = simulatedClock(Date.now());
  const services = createServices({ storage, clock, setupToken: options.setupToken ?? null });
  const app = await createApp({ config: options.config ?? testConfig(), services });

  const caller = (headers: () => Record<string, string>): Caller => ({
    async call(method, url, body) {
      const res = await app.inject({
        method,
        url,
        headers: { ...headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      return { status: res.statusCode, json: parse(res.payload) };
    },
  });

  return {
    app,
    services,
    clock,
    async signIn(identifier, password = TEST_PASSWORD) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { identifier, password },
      });
      if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.payload}`);
      const cookie = res.cookies.find((c) => c.name === 'pond_session');
      if (!cookie) throw new Error('no session cookie');
      const csrf = (JSON.parse(res.payload) as { csrfToken: string }).csrfToken;
      return caller(() => ({ cookie: `pond_session=${cookie.value}`, 'x-csrf-token': csrf }));
    },
    withApiKey: (secret) => caller(() => ({ authorization: `Bearer ${secret}` })),
    anonymous: caller(() => ({})),
    async close() {
      await app.close();
      await close();
    },
  };
}
