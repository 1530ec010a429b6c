import type { Rule } from '@pond/contracts';
import type { Executor } from '@pond/storage';
import type { RuleEnv } from '../rule-sql.ts';
import type { Bitmap } from './bitmaps.ts';
import {
  type BehaviourRule,
  behaviourBitmap,
  earliestSince,
  leftWindow,
  referenceBitmap,
  windowDays,
} from './leaf-sql.ts';
import type { TenantIndex } from './tenant-index.ts';

/** At most this many cached conditions per tenant; the least recently used go first. */
const MAX_LEAVES = 512;

/**
 * What invalidates a cached condition: events of one name (behaviour), consent changes, or
 * profile changes. Every condition also follows changes to the whole customer (merges,
 * erasure, creation).
 */
export type LeafTopic = { readonly event: string } | 'consent' | 'profile';

/** A condition answered in SQL and kept, with the customers whose answer may have changed since. */
export interface LeafEntry {
  bitmap: Bitmap;
  /** The moment the bitmap is true for. */
  now: number;
  readonly topic: LeafTopic;
  readonly dirty: Set<number>;
  /**
   * For windows: the earliest event time inside the window at `now` (null: unknown). Until the
   * window start passes it, no event has left the window and nothing needs asking.
   */
  nextLeaving: number | null;
  /** Bumped on every replacement of the bitmap, so a slower refresh never overwrites a newer one. */
  version: number;
}

const isBehaviour = (r: Rule): r is BehaviourRule =>
  r.kind === 'event' || r.kind === 'aggregate' || r.kind === 'not_since';

/**
 * Whether a condition can be kept between evaluations. Conditions of kinds the engine does not
 * know (added to the rule language later) are evaluated afresh each time: nothing tells the
 * engine which changes or which passing of time would change their answer.
 */
function topicOf(r: Rule): LeafTopic | null {
  if (isBehaviour(r)) return { event: r.name };
  if (r.kind === 'consent') return 'consent';
  if (r.kind === 'attribute') {
    // Relative times move with the clock; a non-indexed field's values cannot be followed.
    return r.op === 'within_last' || r.op === 'before_last' ? null : 'profile';
  }
  return null;
}

/** Marks customers as possibly changed for the cached conditions a change concerns. */
export function markDirty(index: TenantIndex, ids: Iterable<number>, concerns: (t: LeafTopic) => boolean) {
  const list = [...ids];
  if (list.length === 0) return;
  for (const entry of index.leaves.values()) {
    if (!concerns(entry.topic)) continue;
    for (const id of list) entry.dirty.add(id);
    // An event may have arrived with a time inside the window: the earliest is unknown again.
    entry.nextLeaving = null;
  }
}

async function compute(ex: Executor, env: RuleEnv, r: Rule, live: Bitmap): Promise<Bitmap> {
  return isBehaviour(r) ? behaviourBitmap(ex, env, r, live) : referenceBitmap(ex, env, r);
}

/**
 * The customers a condition the engine does not index holds for, at `env.now`. A cached answer
 * is brought forward instead of recomputed: customers changed since (from the outbox) and, for
 * windows, customers whose events left the window since, are re-checked through the reference
 * evaluator; when too many changed, the condition is computed again in full.
 */
export async function leafBitmap(ex: Executor, env: RuleEnv, index: TenantIndex, r: Rule): Promise<Bitmap> {
  const topic = topicOf(r);
  if (!topic) return referenceBitmap(ex, env, r);
  const key = JSON.stringify(r);
  const entry = index.leaves.get(key);
  if (entry) {
    // Most recently used last, so eviction takes the oldest.
    index.leaves.delete(key);
    index.leaves.set(key, entry);
  }
  const full = async () => {
    const bitmap = await compute(ex, env, r, index.live);
    const fresh: LeafEntry = { bitmap, now: env.now, topic, dirty: new Set(), version: 0, nextLeaving: null };
    const current = index.leaves.get(key);
    if (current) {
      current.bitmap = bitmap;
      current.now = env.now;
      current.version++;
      current.dirty.clear();
      current.nextLeaving = null;
    } else {
      index.leaves.set(key, fresh);
      if (index.leaves.size > MAX_LEAVES) {
        const oldest = index.leaves.keys().next().value;
        if (oldest !== undefined) index.leaves.delete(oldest);
      }
    }
    return bitmap;
  };
  if (!entry || env.now < entry.now) return full();
  if (entry.dirty.size === 0 && entry.now === env.now) return entry.bitmap;

  // Taken now: customers marked while this refresh runs stay marked for the next one.
  const recheck = new Set(entry.dirty);
  entry.dirty.clear();
  try {
    const days = isBehaviour(r) ? windowDays(r) : undefined;
    if (isBehaviour(r) && days !== undefined && env.now > entry.now) {
      const window = days * 86_400_000;
      const from = entry.now - window;
      const to = env.now - window;
      if (entry.nextLeaving === null || entry.nextLeaving < to) {
        for (const id of await leftWindow(ex, env.tenantId, r.name, from, to)) recheck.add(id);
        entry.nextLeaving = await earliestSince(ex, env.tenantId, r.name, to);
      }
    }
    if (recheck.size > Math.max(10_000, index.live.size / 20)) return full();
    const version = entry.version;
    const ids = [...recheck];
    const holds = await referenceBitmap(ex, env, r, ids);
    if (entry.version !== version || env.now < entry.now) return full();
    // Copy on write: a bitmap handed to an evaluation in progress never changes under it.
    const next = entry.bitmap.clone();
    next.removeMany(ids);
    next.orInPlace(holds);
    entry.bitmap = next;
    entry.now = env.now;
    entry.version++;
    return next;
  } catch (e) {
    for (const id of recheck) entry.dirty.add(id);
    throw e;
  }
}
