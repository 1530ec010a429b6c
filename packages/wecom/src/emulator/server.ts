import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Wire } from '../client/wire.ts';
import { type ActivityHandle, type ActivityRecord, startActivity } from './activity.ts';
import { EmulatedCorp } from './corp.ts';
import type { CallbackTarget, UrlVerification } from './delivery.ts';
import { type GenerateCorpOptions, generateCorp } from './generate.ts';
import type { CorpData } from './model.ts';
import { ids, Rng } from './random.ts';
import { EmError, type Route } from './routes/common.ts';
import { customerRoutes } from './routes/customers.ts';
import { directoryRoutes } from './routes/directory.ts';
import { groupRoutes } from './routes/groups.ts';
import { successionRoutes } from './routes/succession.ts';
import { wayRoutes } from './routes/ways.ts';

/**
 * An HTTP emulator of the WeCom server APIs Pond uses, on 127.0.0.1, with WeCom's request and
 * response shapes and error codes (SPEC §3, §4), and a corp whose actions push encrypted
 * callbacks (SPEC §1, §2). Deterministic for a given seed and clock.
 */

export interface EmulatorBehaviour {
  /** The caller's IP is in the trusted-IP list. `false` → 60020 on every API but gettoken. */
  ipTrusted: boolean;
  /** The app may call customer-contact APIs. `false` → 48002 on externalcontact/*. */
  customerContactPermission: boolean;
  /** Calls per API per minute before 45009 (SPEC §4.2: 10 000). */
  rateLimitPerMinute: number;
  /** Tags created in the admin console may be edited through the API (legacy system secret). */
  editAllTags: boolean;
}

export interface WeComEmulatorOptions extends Partial<EmulatorBehaviour> {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Seed for the generated corp and every id the emulator makes. Default 1. */
  seed?: number;
  /** A prepared corp; otherwise one is generated from `generate` and `seed`. */
  corp?: CorpData;
  generate?: Omit<GenerateCorpOptions, 'seed'>;
  secret?: string;
  agentId?: number;
  /** Milliseconds clock for tokens, limits, welcome codes and event times. */
  now?: () => number;
  /** Default 7200 (SPEC §3.1). */
  tokenTtlSeconds?: number;
  callback?: CallbackTarget | null;
  /** Receiver time limit per attempt. Default 5000 ms (SPEC §1.3). */
  callbackTimeoutMs?: number;
  /** Default 3 attempts in total (SPEC §1.3). */
  callbackAttempts?: number;
  callbackRetryDelayMs?: number;
  /** Default 20 000 ms (SPEC §3.8). */
  welcomeCodeTtlMs?: number;
  /** Customers a takeover member may hold before transfers end with status 4. Default 50 000. */
  takeoverCustomerLimit?: number;
}

export interface WeComEmulator {
  url: string;
  corpId: string;
  secret: string;
  agentId: number;
  corp: EmulatedCorp;
  behaviour: EmulatorBehaviour;
  close(): Promise<void>;
  /** Calls received per API path (gettoken included). */
  callCount(api: string): number;
  /** The next `times` calls of `api` answer `errcode` (e.g. -1, 45033). */
  failNext(api: string, errcode: number, times?: number): void;
  /** Tokens issued so far now answer 42001 (expired). */
  expireTokens(): void;
  /** Tokens issued so far now answer 40014 (revoked). */
  revokeTokens(): void;
  /** Where callbacks go. */
  setCallback(target: CallbackTarget | null): void;
  /** WeCom's GET URL verification against the callback URL. */
  verifyCallbackUrl(): Promise<UrlVerification>;
  /** Demo activity: a random customer action (and its callback) every `intervalMs`. Stopped by `close()`. */
  startActivity(opts?: {
    intervalMs?: number;
    maxActions?: number;
    onAction?: (record: ActivityRecord) => void;
    onError?: (error: unknown) => void;
  }): ActivityHandle;
}

const ROUTES: Record<string, Route> = {
  ...directoryRoutes,
  ...customerRoutes,
  ...wayRoutes,
  ...groupRoutes,
  ...successionRoutes,
};

const MESSAGES: Record<number, string> = {
  [-1]: 'system busy',
  40001: 'invalid secret',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  41001: 'access_token missing',
  42001: 'access_token expired',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  47001: 'data format error, Warning: wrong json format.',
  48002: 'api forbidden',
  60020: 'not allow to access from your ip',
};

interface TokenState {
  expiresAt: number;
  state: 'valid' | 'expired' | 'revoked';
}

export async function startWeComEmulator(options: WeComEmulatorOptions = {}): Promise<WeComEmulator> {
  const seed = options.seed ?? 1;
  // The corp's ids come from their own generator, so tokens and error hints never shift them.
  const rng = new Rng(seed ^ 0x5eed);
  const serverRng = new Rng(seed ^ 0x70c3);
  const now = options.now ?? Date.now;
  const data = options.corp ?? generateCorp({ ...options.generate, seed, now: now() });
  const secret = options.secret ?? `secret-${seed}-${data.corpId}`;
  const agentId = options.agentId ?? 1_000_002;
  const corp = new EmulatedCorp(data, {
    rng,
    now,
    agentId,
    delivery: {
      timeoutMs: options.callbackTimeoutMs ?? 5000,
      attempts: options.callbackAttempts ?? 3,
      retryDelayMs: options.callbackRetryDelayMs ?? 1000,
      agentId,
    },
    welcomeCodeTtlMs: options.welcomeCodeTtlMs ?? 20_000,
    takeoverCustomerLimit: options.takeoverCustomerLimit ?? 50_000,
  });
  corp.setCallback(options.callback ?? null);
  const behaviour: EmulatorBehaviour = {
    ipTrusted: options.ipTrusted ?? true,
    customerContactPermission: options.customerContactPermission ?? true,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
    editAllTags: options.editAllTags ?? false,
  };
  const ttl = (options.tokenTtlSeconds ?? 7200) * 1000;
  const tokens = new Map<string, TokenState>();
  const calls = new Map<string, number>();
  const windows = new Map<string, { minute: number; count: number; blockedUntil: number }>();
  const injected = new Map<string, { errcode: number; times: number }>();
  let current: string | null = null;

  const fail = (errcode: number, detail?: string): Wire => ({
    errcode,
    errmsg: `${detail ?? MESSAGES[errcode] ?? 'error'}, hint: [${Math.floor(now() / 1000)}-${serverRng.hex(8)}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  });

  function limited(api: string): boolean {
    const t = now();
    const minute = Math.floor(t / 60_000);
    const w = windows.get(api) ?? { minute, count: 0, blockedUntil: 0 };
    windows.set(api, w);
    if (t < w.blockedUntil) return true;
    if (w.minute !== minute) {
      w.minute = minute;
      w.count = 0;
    }
    w.count += 1;
    if (w.count > behaviour.rateLimitPerMinute) {
      // Exceeding a per-minute limit blocks the API for 60 s (SPEC §4.2).
      w.blockedUntil = t + 60_000;
      return true;
    }
    return false;
  }

  function gettoken(query: URLSearchParams): Wire {
    if (query.get('corpid') !== corp.corpId) return fail(40013);
    if (query.get('corpsecret') !== secret) return fail(40001);
    const t = now();
    const existing = current ? tokens.get(current) : undefined;
    // Within its validity the same token is returned (SPEC §3.1).
    if (!current || !existing || existing.state !== 'valid' || existing.expiresAt <= t) {
      current = ids.token(serverRng);
      tokens.set(current, { expiresAt: t + ttl, state: 'valid' });
    }
    const state = tokens.get(current);
    return {
      errcode: 0,
      errmsg: 'ok',
      access_token: current,
      expires_in: Math.round(((state?.expiresAt ?? t) - t) / 1000),
    };
  }

  function handle(api: string, query: URLSearchParams, rawBody: string): Wire {
    calls.set(api, (calls.get(api) ?? 0) + 1);
    if (api === 'gettoken') return gettoken(query);
    const token = query.get('access_token');
    if (!token) return fail(41001);
    const state = tokens.get(token);
    if (!state || state.state === 'revoked') return fail(40014);
    if (state.state === 'expired' || state.expiresAt <= now()) return fail(42001);
    if (!behaviour.ipTrusted) return fail(60020);
    const route = ROUTES[api];
    if (!route) return fail(48001, `api not found: ${api}`);
    if (api.startsWith('externalcontact/') && !behaviour.customerContactPermission) return fail(48002);
    if (limited(api)) return fail(45009);
    const inject = injected.get(api);
    if (inject && inject.times > 0) {
      inject.times -= 1;
      return fail(inject.errcode);
    }
    let body: Wire = {};
    if (rawBody.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(rawBody);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail(47001);
        body = parsed as Wire;
      } catch {
        return fail(47001);
      }
    }
    try {
      return {
        errcode: 0,
        errmsg: 'ok',
        ...route({ corp, query, body, editAllTags: behaviour.editAllTags }),
      };
    } catch (error) {
      if (error instanceof EmError) return fail(error.errcode, error.errmsg);
      throw error;
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const send = (status: number, json: Wire) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify(json));
      };
      if (!url.pathname.startsWith('/cgi-bin/')) return send(404, { errcode: 404, errmsg: 'not found' });
      try {
        send(
          200,
          handle(
            url.pathname.slice('/cgi-bin/'.length),
            url.searchParams,
            Buffer.concat(chunks).toString('utf8'),
          ),
        );
      } catch (error) {
        send(500, fail(-1, `emulator error: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const activities: ActivityHandle[] = [];

  return {
    url: `http://127.0.0.1:${port}`,
    corpId: corp.corpId,
    secret,
    agentId,
    corp,
    behaviour,
    close: async () => {
      await Promise.all(activities.map((activity) => activity.stop()));
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
    callCount: (api) => calls.get(api) ?? 0,
    failNext: (api, errcode, times = 1) => {
      injected.set(api, { errcode, times });
    },
    expireTokens: () => {
      for (const state of tokens.values()) if (state.state === 'valid') state.state = 'expired';
    },
    revokeTokens: () => {
      for (const state of tokens.values()) state.state = 'revoked';
    },
    setCallback: (target) => corp.setCallback(target),
    verifyCallbackUrl: () => corp.verifyCallbackUrl(),
    startActivity: (opts = {}) => {
      const handle = startActivity(corp, opts);
      activities.push(handle);
      return handle;
    },
  };
}
