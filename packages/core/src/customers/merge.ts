import type { CustomerTable, Trx } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { Outbox } from '../platform/outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';

type CustomerRow = Selectable<CustomerTable>;

/**
 * Tables whose rows follow a customer through merges. Each keeps `origin_customer_id`, the
 * profile the row first landed on, so an un-merge knows which rows to take back. Modules
 * that add customer-owned tables (tags, relationships, orders…) add them here.
 */
export const TABLES_FOLLOWING_MERGES = [
  'events',
  'customer_changes',
  'customer_notes',
  'customer_tags',
  'wecom_relationships',
  'wecom_loss_alerts',
  'wecom_group_members',
  'wecom_live_code_adds',
  'wecom_transfer_items',
] as const;

/** Standard fields a merge fills on the survivor when the survivor has none. */
const FILLABLE = [
  'name',
  'birthday',
  'phone',
  'email',
  'region',
  'city',
  'membership_level',
  'lifecycle_stage',
  'source_channel',
  'owner_staff_id',
  'store_id',
] as const;

interface MergeSnapshot {
  readonly merged: CustomerRow;
  readonly survivorBefore: CustomerRow;
  readonly identityIds: number[];
  readonly consentIds: number[];
}

export interface MergeDeps {
  readonly clock: Clock;
  readonly outbox: Outbox;
}

/** Folds `mergedId` into `survivorId` inside the caller's transaction; returns the merge log id. */
export async function mergeCustomers(
  trx: Trx,
  deps: MergeDeps,
  tenantId: string,
  survivorId: number,
  mergedId: number,
  reason: string,
): Promise<Result<number>> {
  if (survivorId === mergedId) return fail('invalid_request', 'a customer cannot be merged into itself');
  const rows = await trx
    .selectFrom('customers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [survivorId, mergedId])
    .where('status', '=', 'active')
    .execute();
  const survivor = rows.find((r) => r.id === survivorId);
  const merged = rows.find((r) => r.id === mergedId);
  if (!survivor || !merged) return notFound('customer');
  const now = deps.clock.now();

  const identityIds = (
    await trx.selectFrom('customer_identities').select('id').where('customer_id', '=', mergedId).execute()
  ).map((r) => r.id);
  const consentIds = (
    await trx.selectFrom('consents').select('id').where('customer_id', '=', mergedId).execute()
  ).map((r) => r.id);
  await trx
    .updateTable('customer_identities')
    .set({ customer_id: survivorId })
    .where('customer_id', '=', mergedId)
    .execute();
  await trx
    .updateTable('consents')
    .set({ customer_id: survivorId })
    .where('customer_id', '=', mergedId)
    .execute();
  for (const table of TABLES_FOLLOWING_MERGES) {
    await trx
      .updateTable(table)
      .set({ customer_id: survivorId })
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', mergedId)
      .execute();
  }

  const patch: Partial<CustomerRow> = {};
  for (const key of FILLABLE) {
    if (survivor[key] === null && merged[key] !== null) Object.assign(patch, { [key]: merged[key] });
  }
  if (survivor.gender === 'unknown' && merged.gender !== 'unknown') patch.gender = merged.gender;
  const attributes = { ...JSON.parse(merged.attributes), ...JSON.parse(survivor.attributes) };
  const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
  const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  await trx
    .updateTable('customers')
    .set({
      ...patch,
      attributes: JSON.stringify(attributes),
      first_seen_at: minOf(survivor.first_seen_at, merged.first_seen_at),
      last_active_at: maxOf(survivor.last_active_at, merged.last_active_at),
      order_count: survivor.order_count + merged.order_count,
      total_spend: survivor.total_spend + merged.total_spend,
      last_order_at: maxOf(survivor.last_order_at, merged.last_order_at),
      updated_at: now,
    })
    .where('id', '=', survivorId)
    .execute();
  await trx
    .updateTable('customers')
    .set({ status: 'merged', merged_into: survivorId, updated_at: now })
    .where('id', '=', mergedId)
    .execute();

  const snapshot: MergeSnapshot = { merged, survivorBefore: survivor, identityIds, consentIds };
  const log = await trx
    .insertInto('merge_log')
    .values({
      tenant_id: tenantId,
      survivor_id: survivorId,
      merged_id: mergedId,
      reason,
      snapshot: JSON.stringify(snapshot),
      status: 'merged',
      created_at: now,
      unmerged_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.outbox.append(trx, {
    tenantId,
    type: 'customer.merged',
    aggregateType: 'customer',
    aggregateId: survivor.public_id,
    payload: {
      survivorId,
      mergedId,
      survivor: survivor.public_id,
      merged: merged.public_id,
      mergeId: log.id,
      reason,
    },
  });
  return ok(log.id);
}

/** Every profile folded, directly or through others, into `customerId` and still merged. */
async function absorbedInto(trx: Trx, customerId: number): Promise<number[]> {
  const all: number[] = [];
  let frontier = [customerId];
  while (frontier.length > 0) {
    const next = (
      await trx
        .selectFrom('customers')
        .select('id')
        .where('merged_into', 'in', frontier)
        .where('status', '=', 'merged')
        .execute()
    ).map((r) => r.id);
    all.push(...next);
    frontier = next;
  }
  return all;
}

/**
 * Undoes one merge: the merged profile comes back with its fields, its identities and
 * consents, and every row that first landed on it (or on profiles merged into it). Survivor
 * fields the merge filled are emptied again. Merges are undone newest first: a survivor
 * that has itself been merged away since must be brought back first.
 */
export async function unmergeCustomers(
  trx: Trx,
  deps: MergeDeps,
  tenantId: string,
  mergeLogId: number,
): Promise<Result<{ survivorId: number; restoredId: number }>> {
  const log = await trx
    .selectFrom('merge_log')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', mergeLogId)
    .executeTakeFirst();
  if (!log) return notFound('merge');
  if (log.status === 'unmerged') return fail('conflict', 'this merge has already been undone');
  const survivor = await trx
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', log.survivor_id)
    .executeTakeFirstOrThrow();
  if (survivor.status !== 'active') {
    return fail('conflict', 'the surviving profile was merged again since; undo that later merge first');
  }
  const snapshot = JSON.parse(log.snapshot) as MergeSnapshot;
  const now = deps.clock.now();
  const { id: _id, ...restored } = snapshot.merged;
  await trx
    .updateTable('customers')
    .set({ ...restored, status: 'active', merged_into: null, updated_at: now })
    .where('id', '=', log.merged_id)
    .execute();

  const owned = [log.merged_id, ...(await absorbedInto(trx, log.merged_id))];
  for (const table of TABLES_FOLLOWING_MERGES) {
    await trx
      .updateTable(table)
      .set({ customer_id: log.merged_id })
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', log.survivor_id)
      .where('origin_customer_id', 'in', owned)
      .execute();
  }
  if (snapshot.identityIds.length > 0) {
    await trx
      .updateTable('customer_identities')
      .set({ customer_id: log.merged_id })
      .where('id', 'in', snapshot.identityIds)
      .where('customer_id', '=', log.survivor_id)
      .execute();
  }
  if (snapshot.consentIds.length > 0) {
    await trx
      .updateTable('consents')
      .set({ customer_id: log.merged_id })
      .where('id', 'in', snapshot.consentIds)
      .where('customer_id', '=', log.survivor_id)
      .execute();
  }
  // Fields the merge filled in go back to empty; fields changed after the merge stay.
  const before = snapshot.survivorBefore;
  const refill: Partial<CustomerRow> = {};
  for (const key of FILLABLE) {
    if (before[key] === null && survivor[key] !== null && survivor[key] === snapshot.merged[key]) {
      Object.assign(refill, { [key]: null });
    }
  }
  await trx
    .updateTable('customers')
    .set({
      ...refill,
      order_count: Math.max(0, survivor.order_count - snapshot.merged.order_count),
      total_spend: Math.max(0, survivor.total_spend - snapshot.merged.total_spend),
      updated_at: now,
    })
    .where('id', '=', log.survivor_id)
    .execute();
  await trx
    .updateTable('merge_log')
    .set({ status: 'unmerged', unmerged_at: now })
    .where('id', '=', log.id)
    .execute();
  await deps.outbox.append(trx, {
    tenantId,
    type: 'customer.unmerged',
    aggregateType: 'customer',
    aggregateId: survivor.public_id,
    payload: { survivorId: log.survivor_id, restoredId: log.merged_id, mergeId: log.id },
  });
  return ok({ survivorId: log.survivor_id, restoredId: log.merged_id });
}
