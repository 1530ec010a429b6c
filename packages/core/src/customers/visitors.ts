import type { BulkInsert, DialectInfo, Trx } from '@pond/storage';
import { newId } from '../shared/ids.ts';
import { CUSTOMER_COLUMNS, IDENTITY_COLUMNS } from './bulk-columns.ts';
import { type NormalizedIdentity, SINGLE_VALUED } from './identity-normalize.ts';
import { type MergeDeps, mergeCustomers } from './merge.ts';
import { identityKey, identityOwners } from './resolve.ts';

/** Someone seen for the first time: identities no profile holds yet, and when. */
export interface Visitor {
  readonly identities: readonly NormalizedIdentity[];
  readonly at: number;
}

/**
 * Whether OneID would simply make a new profile for these identities: none is held, and
 * no single-valued type comes with two values (which OneID records as a conflict).
 */
export function isNewVisitor(identities: readonly NormalizedIdentity[], held: (key: string) => boolean) {
  if (identities.length === 0 || identities.some((i) => held(identityKey(i)))) return false;
  const single = identities.filter((i) => SINGLE_VALUED.has(i.type));
  return single.every((i) => single.every((j) => j.type !== i.type || j.value === i.value));
}

const CUSTOMERS: BulkInsert = { table: 'customers', columns: CUSTOMER_COLUMNS, returning: ['id'] };

const IDENTITIES: BulkInsert = {
  table: 'customer_identities',
  columns: IDENTITY_COLUMNS,
  onConflictDoNothing: ['tenant_id', 'type', 'namespace', 'value'],
  returning: ['type', 'namespace', 'value'],
};

/**
 * Makes a profile for each new visitor, holding its identities, in one statement per table —
 * what `resolveCustomer` does for them one at a time. An identity another transaction
 * attached meanwhile (PostgreSQL, several processes) folds the profile made here into the one
 * holding it, as `resolveCustomer` does. Returns each visitor's profile, in order.
 */
export async function createVisitors(
  trx: Trx,
  dialect: DialectInfo,
  deps: MergeDeps,
  tenantId: string,
  visitors: readonly Visitor[],
  source: string,
): Promise<number[]> {
  if (visitors.length === 0) return [];
  const rows = await dialect.insertMany(
    trx,
    CUSTOMERS,
    visitors.map((v) => [
      tenantId,
      newId('cus', v.at),
      ...[null, 'unknown', null, null, null, null, null, null, null, null, null, null],
      '{}',
      v.at,
      null,
      0,
      0,
      null,
      'active',
      null,
      v.at,
      v.at,
    ]),
  );
  const ids = rows.map((r) => Number(r.id));
  const wanted = visitors.flatMap((v, i) => {
    const seen = new Set<string>();
    return v.identities.flatMap((identity) => {
      const k = identityKey(identity);
      if (seen.has(k)) return [];
      seen.add(k);
      return [{ identity, customerId: ids[i] as number, at: v.at }];
    });
  });
  const attached = await dialect.insertMany(
    trx,
    IDENTITIES,
    wanted.map((w) => [
      tenantId,
      w.customerId,
      w.identity.type,
      w.identity.namespace,
      w.identity.value,
      source,
      w.at,
    ]),
  );
  if (attached.length === wanted.length) return ids;

  const isAttached = new Set(
    attached.map((r) =>
      identityKey({
        type: r.type as NormalizedIdentity['type'],
        namespace: String(r.namespace),
        value: String(r.value),
      }),
    ),
  );
  const lost = wanted.filter((w) => !isAttached.has(identityKey(w.identity)));
  const holders = await identityOwners(
    trx,
    tenantId,
    lost.map((w) => w.identity),
  );
  const foldedInto = new Map<number, number>();
  for (const w of lost) {
    const made = w.customerId;
    const holder = holders.get(identityKey(w.identity));
    if (holder === undefined || holder === made || foldedInto.has(made)) continue;
    const merged = await mergeCustomers(trx, deps, tenantId, holder, made, 'identity:race');
    if (!merged.ok) throw new Error(merged.error.message);
    foldedInto.set(made, holder);
  }
  return ids.map((id) => foldedInto.get(id) ?? id);
}
