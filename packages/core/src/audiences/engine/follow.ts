import type { CustomerTable, Executor } from '@pond/storage';
import type { Selectable } from 'kysely';
import { EVENTS_TRACKED, trackedEvents } from '../../events/tracked.ts';
import { type OutboxEvent, prunedMark } from '../../platform/outbox.ts';
import { chunked, customersTouched } from '../matching.ts';
import type { Bitmap } from './bitmaps.ts';
import { type LeafTopic, markDirty } from './leaf-cache.ts';
import { isGroupEvent, isOrgEvent, movesMemberships } from './relations.ts';
import { customersAfter, type TenantIndex, tagsOf } from './tenant-index.ts';

const BATCH = 2_000;
/** Longer than any transaction that appends to the outbox stays open. */
const OPEN_TRANSACTION_MS = 60_000;
const PAGE = 20_000;

/** What a batch of domain events asks the index to read again. */
interface Work {
  /** Customers whose row (profile, status, attributes) is read again. */
  readonly rows: Set<number>;
  /** Customers whose every tag is read again (merges, erasure, unknown changes). */
  readonly allTags: Set<number>;
  /** Customers whose membership of one tag is read again. */
  readonly pairs: Map<string, Set<number>>;
  /** Customers whose cached SQL conditions may have changed, by what changed. */
  readonly dirty: { ids: Set<number>; concerns: (t: LeafTopic) => boolean }[];
  /** Entries into and exits from saved audiences, in outbox order. */
  readonly memberships: { audienceId: string; customerId: number; entered: boolean }[];
  /** Whether the org tree or staff changed (resolved subtrees are dropped). */
  org: boolean;
  /** WeCom customer groups whose members may have changed; `all` after merges. */
  readonly groups: Set<string>;
  allGroups: boolean;
}

const everything = () => true;

function plan(events: readonly OutboxEvent[]): Work {
  const work: Work = {
    rows: new Set(),
    allTags: new Set(),
    pairs: new Map(),
    dirty: [],
    memberships: [],
    org: false,
    groups: new Set(),
    allGroups: false,
  };
  const dirty = (ids: number[], concerns: (t: LeafTopic) => boolean) =>
    work.dirty.push({ ids: new Set(ids), concerns });
  for (const e of events) {
    if (isOrgEvent(e.type)) work.org = true;
    if (isGroupEvent(e.type)) work.groups.add(e.aggregateId);
    if (movesMemberships(e.type)) work.allGroups = true;
    if (e.type === 'audience.entered' || e.type === 'audience.exited') {
      work.memberships.push({
        audienceId: String(e.payload.audienceId),
        customerId: Number(e.payload.customerId),
        entered: e.type === 'audience.entered',
      });
      continue;
    }
    const ids = customersTouched(e, { tagsSetByRules: true });
    if (ids.length === 0) continue;
    const p = e.payload;
    switch (e.type) {
      case 'customer.tagged':
      case 'customer.untagged': {
        const tagId = String(p.tagId);
        const set = work.pairs.get(tagId) ?? new Set<number>();
        for (const id of ids) set.add(id);
        work.pairs.set(tagId, set);
        break;
      }
      case EVENTS_TRACKED: {
        // Identify traits and activity times change the profile too.
        for (const id of ids) work.rows.add(id);
        const byName = new Map<string, number[]>();
        for (const t of trackedEvents(e)) {
          const named = byName.get(t.name);
          if (named) named.push(t.customerId);
          else byName.set(t.name, [t.customerId]);
        }
        for (const [name, named] of byName) {
          dirty(named, (t) => t === 'profile' || (typeof t === 'object' && t.event === name));
        }
        break;
      }
      case 'customer.updated':
      case 'customer.lifecycle_changed':
      case 'customer.rfm_changed':
        for (const id of ids) work.rows.add(id);
        dirty(ids, (t) => t === 'profile');
        break;
      case 'consent.changed':
        dirty(ids, (t) => t === 'consent');
        break;
      default:
        // Created, merged, unmerged, erased, and any change the engine does not know yet.
        for (const id of ids) {
          work.rows.add(id);
          work.allTags.add(id);
        }
        dirty(ids, everything);
    }
  }
  return work;
}

/**
 * Brings a tenant's index up to date, or returns false when it cannot be (the outbox was pruned
 * past it). Domain events after its position are replayed by
 * reading the touched customers' rows and tags again (so replaying twice is harmless),
 * customers that appeared without an event (bulk loads) are read by id, and tags whose expiry
 * has passed are checked. Reads happen first and are applied at once only if no other catch-up
 * moved the index meanwhile — callers never wait for each other, so a caller holding a
 * transaction on SQLite's single connection can never deadlock with one outside it.
 */
export async function catchUp(ex: Executor, index: TenantIndex, now: number): Promise<boolean> {
  // Entries deleted by the outbox's pruning that this index may not have seen: it must be
  // built again. Pruned entries are older than the mark's cutoff; an index that caught up
  // after that (with a margin for transactions still open then) saw them all.
  const mark = await prunedMark(ex);
  if (mark && index.position < mark.position && index.caughtUpAt - OPEN_TRANSACTION_MS < mark.cutoff) {
    return false;
  }
  for (let round = 0; round < 1_000; round++) {
    const start = index.position;
    const startMax = index.maxId;
    const rows = await ex
      .selectFrom('outbox')
      .selectAll()
      .where('tenant_id', '=', index.tenantId)
      .where('id', '>', start)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    const events: OutboxEvent[] = rows.map((r) => ({
      id: Number(r.id),
      tenantId: r.tenant_id,
      type: r.type,
      aggregateType: r.aggregate_type,
      aggregateId: r.aggregate_id,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      createdAt: r.created_at,
    }));
    const work = plan(events);
    const due = index.expiring.filter((e) => e.at <= now);
    for (const e of due) {
      const set = work.pairs.get(e.tagId) ?? new Set<number>();
      set.add(e.customerId);
      work.pairs.set(e.tagId, set);
    }

    // Read phase.
    const fresh: Selectable<CustomerTable>[] = [];
    for (const chunk of chunked([...work.rows])) {
      fresh.push(
        ...(await ex
          .selectFrom('customers')
          .selectAll()
          .where('tenant_id', '=', index.tenantId)
          .where('id', 'in', chunk)
          .execute()),
      );
    }
    // Customers written without a domain event (bulk loads): only asked for when the highest
    // id of all moved past this tenant's.
    const top = await ex
      .selectFrom('customers')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    const added =
      Number(top?.id ?? 0) > startMax ? await customersAfter(ex, index.tenantId, startMax, PAGE) : [];
    const allTags = await tagsOf(ex, index.tenantId, [...work.allTags], now);
    const pairTags = [];
    for (const [tagId, ids] of work.pairs) {
      pairTags.push({ tagId, ...(await tagsOf(ex, index.tenantId, [...ids], now, [tagId])) });
    }

    // Apply phase: synchronous, and only onto the state the reads started from (never while
    // a snapshot is being taken of it).
    while (index.frozen) await index.frozen;
    if (index.position !== start || index.maxId !== startMax) continue;
    const seen = new Set<number>();
    for (const r of [...fresh, ...added]) {
      index.applyRow(r);
      seen.add(Number(r.id));
    }
    for (const id of work.rows) if (!seen.has(id)) index.live.remove(id);
    const known = new Set([...index.tags.keys()]);
    for (const [id, held] of allTags.held) index.applyTags(id, held, new Set([...known, ...held]));
    for (const { tagId, held } of pairTags) for (const [id, h] of held) index.applyTags(id, h, [tagId]);
    for (const e of due) {
      const i = index.expiring.indexOf(e);
      if (i >= 0) index.expiring.splice(i, 1);
    }
    for (const e of [...allTags.expiring, ...pairTags.flatMap((p) => p.expiring)]) index.addExpiry(e);
    for (const d of work.dirty) markDirty(index, d.ids, d.concerns);
    if (work.org) {
      index.orgSubtrees.clear();
      index.orgGeneration++;
    }
    if (work.allGroups || work.groups.size > 0) {
      if (work.allGroups) index.groups.clear();
      for (const g of work.groups) index.groups.delete(g);
      index.groupGeneration++;
    }
    // Copy on write: a member set handed to an evaluation in progress never changes under it.
    const moved = new Map<string, Bitmap>();
    for (const m of work.memberships) {
      let set = moved.get(m.audienceId);
      if (!set) {
        const kept = index.audiences.get(m.audienceId);
        if (!kept) continue;
        set = kept.clone();
        moved.set(m.audienceId, set);
      }
      if (m.entered) set.add(m.customerId);
      else set.remove(m.customerId);
    }
    for (const [audienceId, set] of moved) index.audiences.set(audienceId, set);
    markDirty(
      index,
      added.map((r) => Number(r.id)),
      everything,
    );
    const last = events[events.length - 1];
    if (last) index.position = last.id;
    if (events.length < BATCH && added.length < PAGE) {
      index.caughtUpAt = now;
      return true;
    }
  }
  return true;
}
