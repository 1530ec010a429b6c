import { api } from '@pond/contracts';
import { createClient, PondApiError } from '@pond/sdk';

export const API_HELP = `pond api <group>.<method> [--params JSON] [--query JSON] [--body JSON]

Calls one endpoint of a running Pond through the typed SDK and prints the JSON answer.
Needs POND_URL (default http://localhost:3000) and POND_API_KEY (create one in the console).

Examples:
  pond api orgUnits.list
  pond api staff.list --query '{"status":"active","limit":20}'
  pond api staff.create --body '{"name":"王芳","orgUnitId":"ou_…"}'

Endpoints:
${Object.entries(api)
  .flatMap(([group, endpoints]) =>
    Object.entries(endpoints).map(([name, e]) => `  ${`${group}.${name}`.padEnd(26)} ${e.method} ${e.path}`),
  )
  .join('\n')}
`;

interface ApiCommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

function parseJson(
  flag: string,
  text: string | undefined,
): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text === undefined) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, error: `--${flag} is not valid JSON` };
  }
}

/** `pond api`: one SDK call; returns the exit code (0 ok, 1 API error, 2 usage error). */
export async function apiCommand(
  target: string | undefined,
  flags: { params?: string; query?: string; body?: string },
  io: ApiCommandIo,
): Promise<number> {
  const [group, method] = (target ?? '').split('.');
  const client = createClient({
    baseUrl: io.env.POND_URL ?? 'http://localhost:3000',
    ...(io.env.POND_API_KEY ? { apiKey: io.env.POND_API_KEY } : {}),
  }) as unknown as Record<
    string,
    Record<string, ((input: unknown) => Promise<unknown>) | undefined> | undefined
  >;
  const call = group && method ? client[group]?.[method] : undefined;
  if (!call) {
    io.err(`unknown endpoint "${target ?? ''}"\n\n${API_HELP}`);
    return 2;
  }
  const input: Record<string, unknown> = {};
  for (const key of ['params', 'query', 'body'] as const) {
    const parsed = parseJson(key, flags[key]);
    if (!parsed.ok) {
      io.err(`${parsed.error}\n`);
      return 2;
    }
    if (parsed.value !== undefined) input[key] = parsed.value;
  }
  try {
    const result = await call(input);
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof PondApiError) {
      io.err(`${e.status} ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
