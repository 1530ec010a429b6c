import { isTokenError, WeComApiError, WeComErrorCode, WeComNetworkError } from './errors.ts';

/**
 * The HTTP layer of the WeCom client (SPEC §3.0, §3.1, §4): the access-token cache with
 * single-flight refresh, one retry after a revoked/expired token, and back-off on busy and
 * frequency/concurrency limits.
 */

export interface WeComClientOptions {
  /** `https://qyapi.weixin.qq.com` or an emulator's `url`; `/cgi-bin/` is appended. */
  baseUrl: string;
  corpId: string;
  secret: string;
  fetch?: typeof fetch;
  /** Milliseconds clock. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Refresh the token this long before WeCom says it expires. Default 300 s (SPEC §3.1). */
  tokenMarginSeconds?: number;
  /** Retries for -1 (busy), 6000 and 45033, with exponential back-off from `busyBackoffMs`. Default 3. */
  busyRetries?: number;
  /** Default 1000 ms; doubles on every retry. */
  busyBackoffMs?: number;
  /** Retries after a 45009; each waits out the block. Default 1. */
  frequencyRetries?: number;
  /** How long WeCom blocks after a per-minute limit (SPEC §4.2). Default 60 000 ms. */
  frequencyBlockMs?: number;
  /**
   * After gettoken fails with a configuration error (40001/40013), later calls fail fast
   * with the same error for this long instead of hammering gettoken. Default 60 000 ms.
   */
  configErrorCooldownMs?: number;
  /** Per-request timeout. Default 15 000 ms. */
  timeoutMs?: number;
  /**
   * Requests in flight at once; more wait their turn. WeCom answers 45033 to a few hundred
   * concurrent calls (SPEC §4.2). Default 16.
   */
  maxConcurrentRequests?: number;
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

type Json = Record<string, unknown>;

interface CachedToken {
  token: string;
  expiresAt: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WeComTransport {
  readonly corpId: string;
  protected readonly now: () => number;
  protected readonly sleep: (ms: number) => Promise<void>;
  readonly #baseUrl: string;
  readonly #secret: string;
  readonly #fetch: typeof fetch;
  readonly #opts: Required<
    Pick<
      WeComClientOptions,
      | 'tokenMarginSeconds'
      | 'busyRetries'
      | 'busyBackoffMs'
      | 'frequencyRetries'
      | 'frequencyBlockMs'
      | 'configErrorCooldownMs'
      | 'timeoutMs'
      | 'maxConcurrentRequests'
    >
  >;
  #token: CachedToken | null = null;
  #refreshing: Promise<CachedToken> | null = null;
  #tokenFailure: { error: WeComApiError; until: number } | null = null;
  #blockedUntil = 0;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: WeComClientOptions) {
    this.#baseUrl = `${options.baseUrl.replace(/\/+$/, '')}/cgi-bin/`;
    this.corpId = options.corpId;
    this.#secret = options.secret;
    this.#fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.#opts = {
      tokenMarginSeconds: options.tokenMarginSeconds ?? 300,
      busyRetries: options.busyRetries ?? 3,
      busyBackoffMs: options.busyBackoffMs ?? 1000,
      frequencyRetries: options.frequencyRetries ?? 1,
      frequencyBlockMs: options.frequencyBlockMs ?? 60_000,
      configErrorCooldownMs: options.configErrorCooldownMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 15_000,
      maxConcurrentRequests: Math.max(1, options.maxConcurrentRequests ?? 16),
    };
  }

  /**
   * A valid access token: cached until `tokenMarginSeconds` before expiry; concurrent callers
   * share one gettoken. `force` drops the cache (and any remembered configuration failure).
   */
  async accessToken(force = false): Promise<string> {
    if (force) {
      this.#token = null;
      this.#tokenFailure = null;
    }
    const cached = this.#token;
    if (cached && this.now() < cached.expiresAt) return cached.token;
    const failure = this.#tokenFailure;
    if (failure && this.now() < failure.until) throw failure.error;
    if (!this.#refreshing) {
      this.#refreshing = this.#fetchToken().finally(() => {
        this.#refreshing = null;
      });
    }
    return (await this.#refreshing).token;
  }

  async #fetchToken(): Promise<CachedToken> {
    try {
      const json = await this.#request('gettoken', 'GET', { corpid: this.corpId, corpsecret: this.#secret });
      const token = typeof json.access_token === 'string' ? json.access_token : '';
      const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 7200;
      if (!token) throw new WeComNetworkError('gettoken', 'answer without access_token');
      const margin = Math.min(this.#opts.tokenMarginSeconds, expiresIn / 2);
      this.#tokenFailure = null;
      this.#token = { token, expiresAt: this.now() + (expiresIn - margin) * 1000 };
      return this.#token;
    } catch (error) {
      if (
        error instanceof WeComApiError &&
        (error.errcode === WeComErrorCode.invalidSecret || error.errcode === WeComErrorCode.invalidCorpId)
      ) {
        this.#tokenFailure = { error, until: this.now() + this.#opts.configErrorCooldownMs };
      }
      throw error;
    }
  }

  /** Forgets `token` if it is still the cached one, so the next call fetches a new one. */
  #invalidate(token: string): void {
    if (this.#token?.token === token) this.#token = null;
  }

  /**
   * Calls `api` (a path under /cgi-bin/) with the access token and returns the JSON answer
   * once `errcode` is 0. Throws `WeComApiError` or `WeComNetworkError`.
   */
  async call<T = Json>(api: string, options: CallOptions = {}): Promise<T> {
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
    let tokenRetried = false;
    let busyRetries = 0;
    let frequencyRetries = 0;
    for (;;) {
      const wait = this.#blockedUntil - this.now();
      if (wait > 0) await this.sleep(wait);
      const token = await this.accessToken();
      try {
        return (await this.#request(
          api,
          method,
          { ...options.query, access_token: token },
          options.body,
        )) as T;
      } catch (error) {
        if (!(error instanceof WeComApiError)) throw error;
        if (isTokenError(error) && !tokenRetried) {
          // Revoked early or expired: exactly one retry with a fresh token.
          tokenRetried = true;
          this.#invalidate(token);
          continue;
        }
        if (
          error.errcode === WeComErrorCode.frequencyLimited &&
          frequencyRetries < this.#opts.frequencyRetries
        ) {
          // The limit blocks the whole corp for this API; hold every call of this client.
          frequencyRetries += 1;
          this.#blockedUntil = Math.max(this.#blockedUntil, this.now() + this.#opts.frequencyBlockMs);
          continue;
        }
        const busy =
          error.errcode === WeComErrorCode.systemBusy ||
          error.errcode === WeComErrorCode.concurrencyLimited ||
          error.errcode === WeComErrorCode.versionConflict;
        if (busy && busyRetries < this.#opts.busyRetries) {
          await this.sleep(this.#opts.busyBackoffMs * 2 ** busyRetries);
          busyRetries += 1;
          continue;
        }
        throw error;
      }
    }
  }

  async #request(
    api: string,
    method: 'GET' | 'POST',
    query: Record<string, string | number | undefined>,
    body?: unknown,
  ): Promise<Json> {
    if (this.#inFlight >= this.#opts.maxConcurrentRequests) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#inFlight += 1;
    }
    try {
      return await this.#send(api, method, query, body);
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#inFlight -= 1;
    }
  }

  async #send(
    api: string,
    method: 'GET' | 'POST',
    query: Record<string, string | number | undefined>,
    body?: unknown,
  ): Promise<Json> {
    const url = new URL(api, this.#baseUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#opts.timeoutMs),
      });
    } catch (error) {
      throw new WeComNetworkError(
        api,
        `request failed: ${error instanceof Error ? error.message : String(error)}`,
        undefined,
        {
          cause: error,
        },
      );
    }
    const text = await response.text().catch(() => '');
    if (response.status !== 200) throw new WeComNetworkError(api, `HTTP ${response.status}`, response.status);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new WeComNetworkError(api, 'answer is not JSON', response.status);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new WeComNetworkError(api, 'answer is not a JSON object', response.status);
    }
    const record = json as Json;
    const errcode = typeof record.errcode === 'number' ? record.errcode : 0;
    if (errcode !== 0)
      throw new WeComApiError(api, errcode, typeof record.errmsg === 'string' ? record.errmsg : '');
    return record;
  }
}
