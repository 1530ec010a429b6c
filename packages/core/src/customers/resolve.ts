import type { Identity } from '@pond/contracts';
import type { CustomerTable, DialectInfo, Executor, Trx } from '@pond/storage';
import { type Insertable, sql } from 'kysely';
import { newId } from '../shared/ids.ts';
import { ok, type Result } from '../shared/result.ts';
import {
  type NormalizedIdentity,
  normalizeIdentity,
  priorityOf,
  SINGLE_VALUED,
} from './identity-normalize.ts';
import { tenantIdentityPriority } from './identity-priority.ts';
import { type MergeDeps, mergeCustomers } from './merge.ts';

/** Standard profile fields an identify call or an import may set. */
export type ProfilePatch = Partial<
  Pick<
    Insertable<CustomerTable>,
    | 'name'
    | 'gender'
    | 'birthday'
    | 'phone'
    | 'email'
    | 'region'
    | 'city'
    | 'membership_level'
    | 'lifecycle_stage'
    | 'source_channel'
  >
>;

export interface ResolveInput {
  readonly tenantId: string;
  readonly identities: readonly Identity[];
  /** Where the identities came from: `segment`, `import`, `console`, `wecom`… */
  readonly source: string;
  readonly at: number;
  readonly profile?: ProfilePatch;
  /** Custom attribute values, already checked against their definitions; `null` removes one. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Whether `profile` and `attributes` overwrite the fields of a customer that already exists (default yes). */
  readonly updateProfile?: boolean;
  /** The input path of the identities, for error messages (e.g. `body.identities`). */
  readonly field?: string;
  /**
   * The profile the identities are being added to, if any. It is a candidate like the
   * profiles the identities match (after them), so identities nobody holds yet attach to it
   * instead of starting a new profile.
   */
  readonly customerId?: number;
}

export interface Resolved {
  /** The dense id of the profile the data belongs to. */
  readonly customerId: number;
  readonly publicId: string;
  readonly created: boolean;
  /** Profiles folded into this one by this call. */
  readonly mergedIds: number[];
  /** Identities not attached because they would give one person two values of a single-valued type. */
  readonly conflicts: { identity: NormalizedIdentity; reason: string }[];
}

/** One identity as a map key: type, namespace and value. */
export const identityKey = (i: NormalizedIdentity) => `${i.type}\u0000${i.namespace}\u0000${i.value}`;
const key = identityKey;

/**
 * OneID: finds the one customer these identities point at, creating or merging profiles as
 * needed, inside the caller's transaction.
 *
 * - No identity known → a new profile holding them all.
 * - Identities known on several profiles → they merge into the profile matched by the
 *   highest-priority identity in the tenant's order (ties: the oldest), unless two of them hold different values of
 *   a single-valued type (two user ids are two people): such a profile is left alone and the
 *   identities that matched it are reported as conflicts.
 * - Identities not yet known are attached, except a second value of a single-valued type.
 */
export async function resolveCustomer(
  trx: Trx,
  deps: MergeDeps,
  input: ResolveInput,
): Promise<Result<Resolved>> {
  const field = input.field ?? 'identities';
  const identities: NormalizedIdentity[] = [];
  for (const [i, identity] of input.identities.entries()) {
    const n = normalizeIdentity(identity, `${field}.${i}`);
    if (!n.ok) return n;
    identities.push(n.value);
  }
  return resolveNormalized(trx, deps, { ...input, identities });
}

/** `ResolveInput` with its identities already in their stored form. */
export type NormalizedResolveInput = Omit<ResolveInput, 'identities' | 'field'> & {
  readonly identities: readonly NormalizedIdentity[];
};

/**
 * `resolveCustomer` for identities normalized already (ingestion normalizes them while it
 * parses each message, on the request's thread).
 */
export async function resolveNormalized(
  trx: Trx,
  deps: MergeDeps,
  input: NormalizedResolveInput,
): Promise<Result<Resolved>> {
  const normalized: NormalizedIdentity[] = [];
  const seen = new Set<string>();
  for (const identity of input.identities) {
    if (!seen.has(key(identity))) normalized.push(identity);
    seen.add(key(identity));
  }
  normalized.sort((a, b) => priorityOf(a.type) - priorityOf(b.type));

  const known = await lookup(trx, input.tenantId, normalized);
  // Which profile survives depends on the tenant's priority only when several are matched.
  const matched = new Set([...known.values(), ...(input.customerId === undefined ? [] : [input.customerId])]);
  if (matched.size > 1) {
    const { priority } = await tenantIdentityPriority(trx, input.tenantId);
    normalized.sort((a, b) => priority.indexOf(a.type) - priority.indexOf(b.type));
  }
  const conflicts: Resolved['conflicts'] = [];
  const mergedIds: number[] = [];
  let created = false;
  let survivorId: number;

  const candidates = [
    ...new Set([
      ...normalized.flatMap((i) => known.get(key(i)) ?? []),
      ...(input.customerId === undefined ? [] : [input.customerId]),
    ]),
  ];
  const first = candidates[0];
  if (first === undefined) {
    survivorId = await createCustomer(trx, input);
    created = true;
  } else {
    survivorId = first;
    for (const other of candidates.slice(1)) {
      const clash = await singleValuedClash(trx, survivorId, other);
      if (clash) {
        for (const i of normalized.filter((n) => known.get(key(n)) === other)) {
          conflicts.push({ identity: i, reason: `${clash} differs from the matched profile's` });
        }
        continue;
      }
      const merged = await mergeCustomers(
        trx,
        deps,
        input.tenantId,
        survivorId,
        other,
        `identity:${input.source}`,
      );
      if (!merged.ok) return merged;
      mergedIds.push(other);
    }
  }

  const conflicted = new Set(conflicts.map((c) => key(c.identity)));
  const held = await trx
    .selectFrom('customer_identities')
    .select(['type', 'value'])
    .where('customer_id', '=', survivorId)
    .execute();
  const missing = normalized.filter((i) => !known.has(key(i)) && !conflicted.has(key(i)));
  for (const identity of missing) {
    const sameType = held.find((h) => h.type === identity.type);
    if (SINGLE_VALUED.has(identity.type) && sameType && sameType.value !== identity.value) {
      conflicts.push({ identity, reason: `the profile already has ${identity.type} ${sameType.value}` });
      continue;
    }
    const inserted = await trx
      .insertInto('customer_identities')
      .values({
        tenant_id: input.tenantId,
        customer_id: survivorId,
        type: identity.type,
        namespace: identity.namespace,
        value: identity.value,
        source: input.source,
        created_at: input.at,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'type', 'namespace', 'value']).doNothing())
      .returning('id')
      .executeTakeFirst();
    held.push({ type: identity.type, value: identity.value });
    if (!inserted) {
      // Another transaction attached it first (it waited for that one to commit): the
      // profile this call made or found is the same person, so fold it into that one.
      const owner = (await lookup(trx, input.tenantId, [identity])).get(key(identity));
      if (owner !== undefined && owner !== survivorId) {
        const merged = await mergeCustomers(trx, deps, input.tenantId, owner, survivorId, 'identity:race');
        if (!merged.ok) return merged;
        mergedIds.push(survivorId);
        survivorId = owner;
      }
    }
  }

  if (!created && input.updateProfile !== false) {
    if (input.profile) await applyProfile(trx, survivorId, input.profile, input.at);
    if (input.attributes) await applyAttributes(trx, survivorId, input.attributes);
  }
  const row = await trx
    .selectFrom('customers')
    .select('public_id')
    .where('id', '=', survivorId)
    .executeTakeFirstOrThrow();
  return ok({ customerId: survivorId, publicId: row.public_id, created, mergedIds, conflicts });
}

const LOOKUP_CHUNK = 500;

/**
 * The customers holding these identities now, by `identityKey`: one indexed read per 500
 * values, for resolving many messages at once.
 */
export async function identityOwners(
  ex: Executor,
  tenantId: string,
  identities: readonly NormalizedIdentity[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (identities.length === 0) return found;
  const wanted = new Set(identities.map(key));
  const values = [...new Set(identities.map((i) => i.value))];
  for (let i = 0; i < values.length; i += LOOKUP_CHUNK) {
    const rows = await ex
      .selectFrom('customer_identities')
      .select(['type', 'namespace', 'value', 'customer_id'])
      .where('tenant_id', '=', tenantId)
      .where('value', 'in', values.slice(i, i + LOOKUP_CHUNK))
      .execute();
    for (const r of rows) {
      const k = key({ type: r.type as Identity['type'], namespace: r.namespace, value: r.value });
      if (wanted.has(k)) found.set(k, r.customer_id);
    }
  }
  return found;
}

const lookup = identityOwners;

/** The single-valued type two profiles hold different values of, if any. */
async function singleValuedClash(trx: Trx, a: number, b: number): Promise<string | null> {
  const rows = await trx
    .selectFrom('customer_identities')
    .select(['customer_id', 'type', 'value'])
    .where('customer_id', 'in', [a, b])
    .where('type', 'in', [...SINGLE_VALUED])
    .execute();
  for (const ra of rows.filter((r) => r.customer_id === a)) {
    if (rows.some((rb) => rb.customer_id === b && rb.type === ra.type && rb.value !== ra.value))
      return ra.type;
  }
  return null;
}

async function createCustomer(trx: Trx, input: NormalizedResolveInput): Promise<number> {
  const row = await trx
    .insertInto('customers')
    .values({
      tenant_id: input.tenantId,
      public_id: newId('cus', input.at),
      name: null,
      gender: 'unknown',
      birthday: null,
      phone: null,
      email: null,
      region: null,
      city: null,
      membership_level: null,
      lifecycle_stage: null,
      source_channel: null,
      owner_staff_id: null,
      store_id: null,
      attributes: JSON.stringify(withAttributes({}, input.attributes ?? {})),
      first_seen_at: input.at,
      last_active_at: null,
      order_count: 0,
      total_spend: 0,
      last_order_at: null,
      status: 'active',
      merged_into: null,
      created_at: input.at,
      updated_at: input.at,
      ...input.profile,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function applyProfile(trx: Trx, customerId: number, profile: ProfilePatch, at: number) {
  const set = Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) return;
  await trx
    .updateTable('customers')
    .set({ ...set, updated_at: at })
    .where('id', '=', customerId)
    .execute();
}

/** Sets and removes (`null`) custom attribute values on top of the current ones. */
export function withAttributes(
  current: Record<string, unknown>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

async function applyAttributes(trx: Trx, customerId: number, patch: Readonly<Record<string, unknown>>) {
  if (Object.keys(patch).length === 0) return;
  const row = await trx
    .selectFrom('customers')
    .select('attributes')
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('customers')
    .set({ attributes: JSON.stringify(withAttributes(JSON.parse(row.attributes), patch)) })
    .where('id', '=', customerId)
    .execute();
}

/**
 * `touchActivity` for many customers in one statement: each customer's earliest and latest
 * event time of a batch.
 */
export async function touchActivities(
  trx: Trx,
  dialect: DialectInfo,
  spans: ReadonlyMap<number, { readonly first: number; readonly last: number }>,
): Promise<void> {
  if (spans.size === 0) return;
  const v = dialect.rowsTable(
    [
      ['id', 'bigint'],
      ['first_at', 'bigint'],
      ['last_at', 'bigint'],
    ],
    [...spans].map(([id, s]) => [id, s.first, s.last]),
  );
  await sql`update customers set
      last_active_at = case when customers.last_active_at > v.last_at then customers.last_active_at else v.last_at end,
      first_seen_at = case when customers.first_seen_at < v.first_at then customers.first_seen_at else v.first_at end
    from ${v} as v where customers.id = v.id`.execute(trx);
}

/** Keeps last-active current from events; never moves it backwards. */
export async function touchActivity(trx: Trx, customerId: number, at: number): Promise<void> {
  await trx
    .updateTable('customers')
    .set((eb) => ({
      last_active_at: eb.fn.coalesce(
        eb.case().when('last_active_at', '>', at).then(eb.ref('last_active_at')).else(at).end(),
        eb.val(at),
      ),
      first_seen_at: eb.case().when('first_seen_at', '<', at).then(eb.ref('first_seen_at')).else(at).end(),
    }))
    .where('id', '=', customerId)
    .execute();
}
