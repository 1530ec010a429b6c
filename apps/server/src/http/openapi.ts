import { api, type Endpoint, ErrorBody } from '@pond/contracts';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parametersOf(e: Endpoint): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const where of ['params', 'query'] as const) {
    const s = e[where];
    if (!s) continue;
    const json = schemaOf(s, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where === 'params' ? 'path' : 'query',
        required: where === 'params' || (json.required ?? []).includes(name),
        schema,
      });
    }
  }
  return out;
}

/** The OpenAPI 3.1 document, generated from the same contracts the server validates with. */
export function buildOpenApi(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const errorSchema = schemaOf(ErrorBody, 'output');
  for (const [group, endpoints] of Object.entries(api)) {
    for (const [name, e] of Object.entries(endpoints as Record<string, Endpoint>)) {
      const path = e.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const status = String(e.status ?? 200);
      const op: JsonSchema = {
        // The catalog key (`users.list`): unique, as OpenAPI requires; a tag holds several lists.
        operationId: `${group}.${name}`,
        summary: e.summary,
        tags: [e.tag],
        parameters: parametersOf(e),
        responses: {
          [status]: {
            description: 'OK',
            content: { 'application/json': { schema: schemaOf(e.response, 'output') } },
          },
          '4XX': { description: 'A client error', content: { 'application/json': { schema: errorSchema } } },
        },
        ...(e.auth === 'public' ? { security: [] } : {}),
        ...(e.permission ? { 'x-permission': e.permission } : {}),
      };
      if (e.body) {
        op.requestBody = {
          required: true,
          content: { 'application/json': { schema: schemaOf(e.body, 'input') } },
        };
      }
      paths[path] ??= {};
      paths[path][e.method.toLowerCase()] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Pond API', version, description: 'Private-domain customer operations.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key: `Authorization: Bearer pond_sk_…`',
        },
        session: { type: 'apiKey', in: 'cookie', name: 'pond_session' },
      },
    },
    security: [{ apiKey: [] }, { session: [] }],
    paths,
  };
}
