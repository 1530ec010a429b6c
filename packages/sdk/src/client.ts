import { api, type Endpoint, type EndpointInput, type EndpointOutput, type ErrorCode } from '@pond/contracts';

export interface ClientOptions {
  /** Where Pond runs, e.g. `http://localhost:3000`; empty for the same origin (the console). */
  readonly baseUrl?: string;
  /** An API key (`pond_sk_…`) for integrations; the console signs in with a session instead. */
  readonly apiKey?: string;
  /** The CSRF token from `auth.me`, sent with state-changing requests made with a session. */
  readonly csrfToken?: () => string | null;
  readonly fetch?: typeof fetch;
}

/** An error answer from Pond, with its machine-readable code and the field at fault. */
export class PondApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = 'PondApiError';
  }
}

type Api = typeof api;
type Method<E> =
  Partial<EndpointInput<E>> extends EndpointInput<E>
    ? (input?: EndpointInput<E>) => Promise<EndpointOutput<E>>
    : (input: EndpointInput<E>) => Promise<EndpointOutput<E>>;

/** A typed method for every endpoint in `@pond/contracts`' `api`, grouped the same way. */
export type PondClient = { [G in keyof Api]: { [K in keyof Api[G]]: Method<Api[G][K]> } };

interface RawInput {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  /** A file sent as the raw body (imports), with its media type. */
  file?: { data: Blob | Uint8Array; type: string };
}

function buildUrl(base: string, e: Endpoint, input: RawInput): string {
  const path = e.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = input.params?.[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name} for ${e.method} ${e.path}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(input.query ?? {})) {
    if (v !== undefined && v !== null) search.set(k, String(v));
  }
  const qs = search.toString();
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}

/**
 * Creates a typed client for Pond's HTTP API.
 *
 * @example
 * const pond = createClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.POND_API_KEY });
 * const { data } = await pond.staff.list({ query: { status: 'active', limit: 20 } });
 * await pond.staff.create({ body: { name: '王芳', orgUnitId: data[0].orgUnitId } });
 */
export function createClient(options: ClientOptions = {}): PondClient & { upload: Uploader } {
  const base = (options.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function call(e: Endpoint, input: RawInput = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (e.method !== 'GET') {
      const csrf = options.csrfToken?.();
      if (csrf) headers['x-csrf-token'] = csrf;
    }
    const hasBody = e.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';
    if (input.file) headers['content-type'] = input.file.type;
    const body = input.file ? input.file.data : hasBody ? JSON.stringify(input.body ?? {}) : undefined;
    const res = await doFetch(buildUrl(base, e, input), {
      method: e.method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: body as NonNullable<RequestInit['body']> }),
    });
    if (res.status === 204) return undefined;
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const err = (
        json as { error?: { code?: ErrorCode; message?: string; field?: string; requestId?: string } }
      )?.error;
      throw new PondApiError(
        res.status,
        err?.code ?? 'internal',
        err?.message ?? `HTTP ${res.status}`,
        err?.field,
        err?.requestId,
      );
    }
    return json;
  }

  const client: Record<string, Record<string, (input?: RawInput) => Promise<unknown>>> = {};
  for (const [group, endpoints] of Object.entries(api)) {
    const methods: Record<string, (input?: RawInput) => Promise<unknown>> = {};
    for (const [name, e] of Object.entries(endpoints as Record<string, Endpoint>)) {
      methods[name] = (input) => call(e, input);
    }
    client[group] = methods;
  }
  const upload: Uploader = (fileName, data, type) =>
    call(api.imports.upload, { query: { fileName }, file: { data, type } }) as ReturnType<Uploader>;
  return Object.assign(client as unknown as PondClient, { upload });
}

/**
 * Uploads a customer file (CSV in UTF-8 or GBK, or XLSX) for import.
 *
 * @example
 * const job = await pond.upload('会员.csv', await readFile('会员.csv'), 'text/csv');
 * await pond.imports.start({ params: { id: job.id }, body: { mapping: job.suggestedMapping } });
 */
export type Uploader = (
  fileName: string,
  data: Blob | Uint8Array,
  type: string,
) => Promise<EndpointOutput<typeof api.imports.upload>>;
