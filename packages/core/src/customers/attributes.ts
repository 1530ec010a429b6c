import type {
  AttributeDefinition,
  AttributeType,
  CreateAttributeDefinition,
  UpdateAttributeDefinition,
} from '@pond/contracts';
import type { AttributeDefinitionTable, Executor } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';

type Row = Selectable<AttributeDefinitionTable>;

const toDefinition = (r: Row): AttributeDefinition => ({
  key: r.key,
  label: r.label,
  type: r.type,
  options: r.options ? (JSON.parse(r.options) as string[]) : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function definitionsOf(
  ex: Executor,
  tenantId: string,
): Promise<Map<string, AttributeDefinition>> {
  const rows = await ex
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .execute();
  return new Map(rows.map((r) => [r.key, toDefinition(r)]));
}

/** `2026-05-17`, and a day that exists (no 30 February). */
function isCalendarDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/**
 * Checks one value against its definition and returns it in its stored form. Text from a file
 * (`fromText`) is converted first: "12.5" to a number, "是"/"true" to a boolean, "a, b" to a list.
 */
export function coerceAttribute(
  def: AttributeDefinition,
  value: unknown,
  fromText = false,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (value === null) return { ok: true, value: null };
  const type: AttributeType = def.type;
  let v: unknown = value;
  if (fromText && typeof v === 'string') {
    const t = v.trim();
    if (type === 'number') v = t === '' ? null : Number(t);
    if (type === 'boolean')
      v = ['true', '1', 'yes', '是', 'y'].includes(t.toLowerCase())
        ? true
        : ['false', '0', 'no', '否', 'n'].includes(t.toLowerCase())
          ? false
          : t;
    if (type === 'list')
      v = t
        .split(/[,，;；]/)
        .map((x) => x.trim())
        .filter(Boolean);
  }
  switch (type) {
    case 'string':
      return typeof v === 'string' && v.length <= 1000
        ? { ok: true, value: v }
        : { ok: false, reason: 'must be text of at most 1,000 characters' };
    case 'number':
      return typeof v === 'number' && Number.isFinite(v)
        ? { ok: true, value: v }
        : { ok: false, reason: 'must be a number' };
    case 'boolean':
      return typeof v === 'boolean' ? { ok: true, value: v } : { ok: false, reason: 'must be true or false' };
    case 'date':
      return typeof v === 'string' && isCalendarDate(v)
        ? { ok: true, value: v }
        : { ok: false, reason: 'must be a date such as 2026-05-17' };
    case 'enum':
      return typeof v === 'string' && (def.options ?? []).includes(v)
        ? { ok: true, value: v }
        : { ok: false, reason: `must be one of ${(def.options ?? []).join(', ')}` };
    case 'list': {
      const allowed = new Set(def.options ?? []);
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
        return { ok: false, reason: 'must be a list of values' };
      const wrong = v.filter((x) => !allowed.has(x));
      return wrong.length === 0
        ? { ok: true, value: [...new Set(v)] }
        : { ok: false, reason: `${wrong.join(', ')} not among ${[...allowed].join(', ')}` };
    }
  }
}

/** Validates a set of custom attribute values; the first problem names its field. */
export function validateAttributes(
  defs: ReadonlyMap<string, AttributeDefinition>,
  values: Record<string, unknown>,
  field: string,
  fromText = false,
): Result<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const def = defs.get(key);
    if (!def)
      return fail('invalid_request', `no custom attribute "${key}" is defined`, { field: `${field}.${key}` });
    const c = coerceAttribute(def, value, fromText);
    if (!c.ok)
      return fail('invalid_request', `${def.label} (${key}) ${c.reason}`, { field: `${field}.${key}` });
    out[key] = c.value;
  }
  return ok(out);
}

/**
 * The identify traits that name a defined attribute, in their stored form. A trait whose value
 * does not fit its attribute's type is left out; the trait itself stays on the event.
 */
export function attributesFromTraits(
  defs: ReadonlyMap<string, AttributeDefinition>,
  traits: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(traits)) {
    const def = defs.get(key);
    if (!def || value === null || value === undefined) continue;
    const c = coerceAttribute(def, value, typeof value === 'string');
    if (c.ok) out[key] = c.value;
  }
  return out;
}

export function createAttributeDefinitions(p: Platform, audit: AuditLog) {
  const { db, clock } = p;
  const find = (ex: Executor, ctx: Ctx, key: string) =>
    ex
      .selectFrom('attribute_definitions')
      .selectAll()
      .where('tenant_id', '=', ctx.principal.tenantId)
      .where('key', '=', key)
      .executeTakeFirst();

  return {
    async list(ctx: Ctx): Promise<AttributeDefinition[]> {
      return [...(await definitionsOf(db, ctx.principal.tenantId)).values()].sort((a, b) =>
        a.key.localeCompare(b.key),
      );
    },

    create(ctx: Ctx, input: CreateAttributeDefinition): Promise<Result<AttributeDefinition>> {
      return p.tx(async (trx) => {
        if (await find(trx, ctx, input.key))
          return fail('conflict', `the attribute ${input.key} exists already`, { field: 'body.key' });
        const now = clock.now();
        const row: Row = {
          tenant_id: ctx.principal.tenantId,
          key: input.key,
          label: input.label,
          type: input.type,
          options: input.options ? JSON.stringify([...new Set(input.options)]) : null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('attribute_definitions').values(row).execute();
        const def = toDefinition(row);
        await audit.record(trx, ctx, {
          action: 'attribute.created',
          targetType: 'attribute',
          targetId: input.key,
          after: def,
        });
        return ok(def);
      });
    },

    update(ctx: Ctx, key: string, input: UpdateAttributeDefinition): Promise<Result<AttributeDefinition>> {
      return p.tx(async (trx) => {
        const row = await find(trx, ctx, key);
        if (!row) return notFound('attribute');
        if (input.options && row.type !== 'enum' && row.type !== 'list') {
          return fail('invalid_request', `a ${row.type} attribute takes no options`, {
            field: 'body.options',
          });
        }
        const next: Row = {
          ...row,
          label: input.label ?? row.label,
          options: input.options ? JSON.stringify([...new Set(input.options)]) : row.options,
          updated_at: clock.now(),
        };
        await trx
          .updateTable('attribute_definitions')
          .set({ label: next.label, options: next.options, updated_at: next.updated_at })
          .where('tenant_id', '=', row.tenant_id)
          .where('key', '=', key)
          .execute();
        await audit.record(trx, ctx, {
          action: 'attribute.updated',
          targetType: 'attribute',
          targetId: key,
          before: toDefinition(row),
          after: toDefinition(next),
        });
        return ok(toDefinition(next));
      });
    },
  };
}
