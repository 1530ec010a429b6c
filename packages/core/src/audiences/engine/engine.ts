/**
 * The audience engine: rules answered from roaring bitmaps held in memory per tenant, keyed by
 * the customer's dense id. The SQL reference evaluator (`rule-sql.ts`) defines what a rule
 * means; this engine must give the same members (differential tests hold it to that).
 *
 * What is in memory, per tenant (`tenant-index.ts`):
 * - the live set (active profiles), the universe every `not` and negation is taken within;
 * - one bitmap per tag (unexpired rows), with the coming expiries so a tag drops at its moment;
 * - every profile field of the rule language — the standard fields of `RULE_FIELDS`, found on
 *   `customers` through the same field map the reference uses, and the tenant's custom
 *   attributes — by type: a bitmap per distinct value for text, ids, dates and yes/no (up to
 *   4,096 values; beyond, such as names, the field is answered in SQL), a float per customer
 *   for numbers and times (a scan answers a range, kept until a value changes; relative times
 *   are kept and moved with the clock through a sorted snapshot, `relative-times.ts`), and a
 *   bitmap per option for several-of lists;
 * - relationships (`relations.ts`): owner staff, store and source channel are answered from
 *   those fields' value bitmaps; an org subtree is resolved in SQL to its units and their staff
 *   (kept until an `org_unit.*` or `staff.*` event, or 30 s for writers that tell nobody) and
 *   answered as the union of their owner and store bitmaps;
 * - saved audiences' members, for `audience` conditions: read from `audience_members` on first
 *   use, then kept from `audience.entered` / `audience.exited` on the outbox;
 * - WeCom customer groups' current customers, read per group on first use and kept until a
 *   `wecom.group_*` event for the group or a merge (or 30 s).
 *
 * Everything else — behaviour (events in a window, not since, aggregates), consent,
 * `contains` on text (whose case rules are each database's own), fields
 * without an index, and condition kinds added to the language after this engine — is answered by evaluating that one condition
 * in SQL into a bitmap (`leaf-cache.ts`). Known kinds are cached and brought forward, never
 * recomputed, as things change: customers the outbox says changed are re-checked through the
 * reference evaluator, and for windows ("in the last 30 days") so are the customers whose
 * events left the window since the cached moment — a query over the `(tenant, name, timestamp)`
 * index covering only the elapsed time. Unknown kinds are evaluated afresh each time, because
 * nothing tells the engine what changes their answer. Behaviour is computed on first use by one
 * grouped scan of that event's rows in the window, not one correlated count per customer.
 *
 * Why cached behaviour conditions rather than per-event-name, per-day customer bitmaps: day
 * bitmaps answer "did X in the last N days" only to the day (a window starts mid-day), cannot
 * count (at least 3 times), filter on properties or aggregate, and cost a bitmap per event name
 * per day for every tenant whether or not a rule asks. Operators re-evaluate the same few
 * conditions while they edit a rule and saved audiences repeat theirs, so keeping each
 * condition's answer and maintaining it incrementally is exact for every form and costs memory
 * only for conditions in use (at most 512 per tenant, least recently used dropped).
 *
 * Keeping current: each tenant's index remembers the last outbox id it reflects; before every
 * evaluation it replays later domain events by reading again the rows and tags of the customers
 * they touched (`follow.ts`), so the answer reflects every committed change. An index is built
 * from SQL on first use, in the background: until it is ready, callers get null and use the SQL
 * reference, which stays the baseline.
 */
import { existsSync } from 'node:fs';
import type { AttributeDefinition, Rule } from '@pond/contracts';
import type { Db, Executor } from '@pond/storage';
import { sql } from 'kysely';
import roaring from 'roaring';
import { definitionsOf } from '../../customers/attributes.ts';
import { customerScope } from '../../customers/scope.ts';
import type { Ctx } from '../../shared/context.ts';
import type { RuleEnv } from '../rule-sql.ts';
import { type Bitmap, bitmapOfCsv, intersectAll, RoaringBitmap32, unionAll } from './bitmaps.ts';
import { NumberField } from './field-index.ts';
import { catchUp } from './follow.ts';
import { leafBitmap } from './leaf-cache.ts';
import { isRelation, type RelationRule, relationBitmap } from './relations.ts';
import { readSnapshot, type SnapshotInfo, snapshotPath, writeSnapshot } from './snapshot.ts';
import { buildIndex, type TenantIndex } from './tenant-index.ts';

class Unresolved extends Error {}

export interface EngineStats {
  readonly live: number;
  readonly tags: number;
  readonly fields: number;
  readonly cachedConditions: number;
  readonly buildMs: number;
  /** Whether the index was read from SQL or loaded from a snapshot (and caught up). */
  readonly origin: 'sql' | 'snapshot';
  /** Why the last snapshot found for this tenant was not used, if one was refused. */
  readonly snapshotRefused: string | null;
  /** The last snapshot this process wrote for the tenant. */
  readonly snapshot: SnapshotInfo | null;
  /** Bytes in typed arrays of this tenant's fields. */
  readonly arrayBytes: number;
}

export interface AudienceEngine {
  /**
   * The tenant's active customers a checked rule matches at `env.now`, or null while the
   * tenant's index is being built (the caller then uses the SQL reference). `ex` is the caller's
   * executor; the index catches up through it before answering.
   */
  evaluate(ex: Executor, env: RuleEnv, rule: Rule): Promise<Bitmap | null>;
  /** The customers a principal may see, or null when that is the whole tenant. */
  scope(ex: Executor, ctx: Ctx): Promise<Bitmap | null>;
  /** The newest `k` customers of a set (created, then id, descending), or null when not indexed. */
  newest(tenantId: string, members: Bitmap, k: number): number[] | null;
  /**
   * Builds (or rebuilds) a tenant's index now and waits for it: from its snapshot when there is
   * a usable one (then caught up with the outbox), else from SQL (then a snapshot is written).
   */
  build(tenantId: string): Promise<void>;
  /** Writes a snapshot of every index that changed since its last one; none without a directory. */
  saveSnapshots(): Promise<SnapshotInfo[]>;
  /**
   * Loads, in the background, the indexes of tenants that have a snapshot, and writes
   * snapshots every `everyMs`; the returned function stops that after a last save.
   */
  start(options?: { everyMs?: number }): () => Promise<void>;
  /** Whether a tenant's index is ready. */
  ready(tenantId: string): boolean;
  stats(tenantId: string): EngineStats | null;
  /** Bytes held by every bitmap of the process (CRoaring's own count). */
  bitmapBytes(): number;
}

export interface EngineDeps {
  readonly db: Db;
  readonly clock: { now(): number };
  /** Off: every caller uses the SQL reference. */
  readonly enabled?: boolean;
  /** Where indexes are kept between runs (`snapshot.ts`); none: always built from SQL. */
  readonly snapshotDir?: string | null;
}

export function createAudienceEngine({
  db,
  clock,
  enabled = true,
  snapshotDir = null,
}: EngineDeps): AudienceEngine {
  const tenants = new Map<string, TenantIndex>();
  const building = new Map<string, Promise<void>>();
  /**
   * Each tenant's last snapshot: the index and position it holds (loaded or written), and what
   * this process wrote; and why a tenant's snapshot was refused.
   */
  const saved = new Map<string, { index: TenantIndex; position: number; info?: SnapshotInfo }>();
  const refused = new Map<string, string>();
  let saving: Promise<SnapshotInfo[]> = Promise.resolve([]);

  const build = (tenantId: string): Promise<void> => {
    const running = building.get(tenantId);
    if (running) return running;
    const p = (async () => {
      const started = performance.now();
      const definitions = await definitionsOf(db, tenantId);
      if (snapshotDir) {
        const read = await readSnapshot(db, snapshotDir, tenantId, definitions);
        if (read.index) {
          const loadedAt = read.index.position;
          if (!(await catchUp(db, read.index, clock.now()))) {
            refused.set(tenantId, 'the outbox was pruned past it');
            return fromSql(tenantId, definitions);
          }
          refused.delete(tenantId);
          saved.set(tenantId, { index: read.index, position: loadedAt });
          read.index.buildMs = performance.now() - started;
          tenants.set(tenantId, read.index);
          // Right now, but without the fields defined since: a complete one follows.
          if (read.stale) void rebuild(tenantId).catch(() => undefined);
          return;
        }
        refused.set(tenantId, read.reason);
      }
      await fromSql(tenantId, definitions);
    })().finally(() => building.delete(tenantId));
    building.set(tenantId, p);
    return p;
  };

  const fromSql = async (tenantId: string, definitions: ReadonlyMap<string, AttributeDefinition>) => {
    const index = await buildIndex(db, tenantId, definitions, clock.now());
    tenants.set(tenantId, index);
    // The next start loads this instead of reading SQL again.
    if (snapshotDir) void saveSnapshots().catch(() => undefined);
  };

  /** Replaces a tenant's index by one built from SQL, while the current one keeps answering. */
  const rebuild = async (tenantId: string) => fromSql(tenantId, await definitionsOf(db, tenantId));

  /** One save at a time; each writes the tenants whose index moved since their last snapshot. */
  const saveSnapshots = (): Promise<SnapshotInfo[]> => {
    const dir = snapshotDir;
    if (!dir) return Promise.resolve([]);
    saving = saving
      .catch(() => [])
      .then(async () => {
        const infos: SnapshotInfo[] = [];
        for (const [tenantId, index] of tenants) {
          const last = saved.get(tenantId);
          if (last?.index === index && last.position === index.position) continue;
          const info = await writeSnapshot(db, dir, index, clock.now());
          saved.set(tenantId, { index, position: info.position, info });
          infos.push(info);
        }
        return infos;
      });
    return saving;
  };

  const combine = (index: TenantIndex, env: RuleEnv, rule: Rule, sqlLeaves: Map<Rule, Bitmap>): Bitmap => {
    const live = index.live;
    const walk = (r: Rule): Bitmap => {
      switch (r.kind) {
        case 'all': {
          // all(a, not b) is a less b: no complement is ever built for a negated child.
          const positive = r.rules.filter((c) => c.kind !== 'not');
          const negative = r.rules.flatMap((c) => (c.kind === 'not' ? [c.rule] : []));
          let out = positive.length > 0 ? intersectAll(positive.map(walk)) : live.clone();
          for (const n of negative) {
            if (out.size === 0) break;
            out = RoaringBitmap32.andNot(out, walk(n));
          }
          return out;
        }
        case 'any':
          return unionAll(r.rules.map(walk));
        case 'not':
          return RoaringBitmap32.andNot(live, walk(r.rule));
        case 'tags': {
          const of = (id: string) => index.tags.get(id) ?? new RoaringBitmap32();
          if (r.match === 'all') return intersectAll(r.tagIds.map(of));
          const any = unionAll(r.tagIds.map(of));
          return r.match === 'any' ? any : RoaringBitmap32.andNot(live, any);
        }
        case 'attribute': {
          const native = index.fields.get(r.field)?.index.match(r.op, r.value, env.now, live);
          if (native) return native;
          break;
        }
      }
      const leaf = sqlLeaves.get(r);
      // A field dropped from the index meanwhile (too many values): the caller falls back to SQL.
      if (!leaf) throw new Unresolved();
      return leaf;
    };
    return RoaringBitmap32.and(walk(rule), live);
  };

  /** The relationship and `audience` conditions of a rule. */
  const relationConditions = (rule: Rule) => {
    const out: RelationRule[] = [];
    const walk = (r: Rule) => {
      if (r.kind === 'all' || r.kind === 'any') r.rules.forEach(walk);
      else if (r.kind === 'not') walk(r.rule);
      else if (isRelation(r)) out.push(r);
    };
    walk(rule);
    return out;
  };

  /** The conditions of a rule the engine answers in SQL. */
  const sqlConditions = (index: TenantIndex, rule: Rule, native: ReadonlyMap<Rule, Bitmap>): Rule[] => {
    const out: Rule[] = [];
    const walk = (r: Rule) => {
      if (native.has(r)) return;
      if (r.kind === 'all' || r.kind === 'any') r.rules.forEach(walk);
      else if (r.kind === 'not') walk(r.rule);
      else if (r.kind === 'tags') return;
      else if (r.kind === 'attribute' && index.fields.get(r.field)?.index.supports(r.op)) return;
      else out.push(r);
    };
    walk(rule);
    return out;
  };

  return {
    async evaluate(ex, env, rule) {
      if (!enabled) return null;
      const index = tenants.get(env.tenantId);
      if (!index) {
        // In the background, outside the caller's transaction; failures leave SQL in charge.
        build(env.tenantId).catch(() => undefined);
        return null;
      }
      if (!(await catchUp(ex, index, env.now))) {
        // It missed pruned changes: SQL answers until it is built again.
        if (tenants.get(env.tenantId) === index) tenants.delete(env.tenantId);
        build(env.tenantId).catch(() => undefined);
        return null;
      }
      // Relationship and audience conditions from memory first; those it cannot answer, in SQL.
      const sqlLeaves = new Map<Rule, Bitmap>();
      for (const r of relationConditions(rule)) {
        const b = await relationBitmap(ex, index, r, env.now);
        if (b) sqlLeaves.set(r, b);
      }
      for (const r of sqlConditions(index, rule, sqlLeaves))
        sqlLeaves.set(r, await leafBitmap(ex, env, index, r));
      try {
        return combine(index, env, rule, sqlLeaves);
      } catch (e) {
        if (e instanceof Unresolved) return null;
        throw e;
      }
    },

    async scope(ex, ctx) {
      const p = ctx.principal;
      // Head-office principals see the tenant (the first rule of `customerScope`).
      if (p.role !== 'staff' && p.scope.path.split('/').filter(Boolean).length <= 1) return null;
      const row = await ex
        .selectFrom('customers')
        .select(sql<string | null>`string_agg(cast(customers.id as text), ',')`.as('ids'))
        .where(customerScope(ctx))
        .executeTakeFirst();
      return bitmapOfCsv(row?.ids);
    },

    newest(tenantId, members, k) {
      const created = tenants.get(tenantId)?.fields.get('createdAt')?.index;
      if (!(created instanceof NumberField)) return null;
      const top: { id: number; at: number }[] = [];
      const later = (a: { id: number; at: number }, b: { id: number; at: number }) =>
        a.at > b.at || (a.at === b.at && a.id > b.id);
      for (const id of members.toUint32Array()) {
        const c = { id, at: created.valueOf(id) };
        if (top.length === k && !later(c, top[k - 1] as { id: number; at: number })) continue;
        let i = top.length;
        while (i > 0 && later(c, top[i - 1] as { id: number; at: number })) i--;
        top.splice(i, 0, c);
        if (top.length > k) top.pop();
      }
      return top.map((t) => t.id);
    },

    build,
    saveSnapshots,

    start({ everyMs = 5 * 60_000 } = {}) {
      const dir = snapshotDir;
      if (!enabled || !dir) return async () => undefined;
      let stopped = false;
      const warm = (async () => {
        const ids = await db.selectFrom('tenants').select('id').execute();
        for (const { id } of ids) {
          if (stopped) return;
          if (existsSync(snapshotPath(dir, id))) await build(id).catch(() => undefined);
        }
      })().catch(() => undefined);
      const timer = setInterval(() => void saveSnapshots().catch(() => undefined), everyMs);
      timer.unref();
      return async () => {
        stopped = true;
        clearInterval(timer);
        await warm;
        await saveSnapshots().catch(() => undefined);
      };
    },

    ready: (tenantId) => tenants.has(tenantId),

    stats(tenantId) {
      const index = tenants.get(tenantId);
      if (!index) return null;
      return {
        live: index.live.size,
        tags: index.tags.size,
        fields: index.fields.size,
        cachedConditions: index.leaves.size,
        buildMs: index.buildMs,
        origin: index.origin,
        snapshotRefused: refused.get(tenantId) ?? null,
        snapshot: saved.get(tenantId)?.info ?? null,
        arrayBytes: index.arrayBytes,
      };
    },

    bitmapBytes: () => roaring.getRoaringUsedMemory(),
  };
}
