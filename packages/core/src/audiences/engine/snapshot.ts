/**
 * Snapshots of a tenant's index on disk, so a restart loads the bitmaps instead of reading
 * every customer and tag row again. A snapshot is the index as of an outbox position; once
 * loaded, the engine replays the outbox from there as it always does (`follow.ts`), so what
 * changed while the server was down is applied before the first answer.
 *
 * A snapshot is used only when it can be trusted, and otherwise ignored (the index is then
 * built from SQL and a new snapshot written):
 * - same format and tenant, and every attribute it indexed still defined with the same type
 *   (definitions are only ever added, and their types never change);
 * - the outbox entry at its position is still the one it saw (tenant and time), so a snapshot
 *   taken from another database, or from a newer state than a restored backup, is not applied
 *   (an entry deleted by the outbox's pruning is no mismatch: the catch-up after loading then
 *   tells whether the index missed entries);
 * - every section is where the header says, and the bitmaps deserialize.
 * A snapshot taken before attributes were defined, or by a version indexing other fields, is
 * loaded as it is — like an index built back then, it leaves the fields it lacks to SQL — and
 * said to be `stale`, so the engine builds a complete index in the background.
 *
 * Layout: the magic `PONDAIX1`, the header's length (u32, little-endian), the header (JSON),
 * then the sections the header lists, in order: bitmaps in CRoaring's portable format and typed
 * arrays as bytes. Sections are read one by one, so no buffer holds the whole file.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttributeDefinition } from '@pond/contracts';
import type { Executor } from '@pond/storage';
import { prunedMark } from '../../platform/outbox.ts';
import { type Bitmap, RoaringBitmap32 } from './bitmaps.ts';
import type { FieldState } from './field-index.ts';
import { type Expiry, TenantIndex } from './tenant-index.ts';

const MAGIC = Buffer.from('PONDAIX1');
/** The longest the serialization holds the event loop before letting other work run. */
const SLICE_MS = 8;
const FORMAT = 1;

interface Header {
  readonly format: number;
  readonly tenantId: string;
  readonly position: number;
  /** `created_at` of the outbox entry at `position` (0 when the position is 0). */
  readonly positionAt: number;
  readonly maxId: number;
  readonly savedAt: number;
  /** When the index last read the outbox to its end (`follow.ts`). */
  readonly caughtUpAt?: number;
  readonly definitions: readonly (readonly [string, string])[];
  readonly declared: readonly string[];
  readonly tags: readonly string[];
  readonly fields: readonly {
    readonly name: string;
    readonly kind: string;
    readonly meta: FieldState['meta'];
    readonly bitmaps: number;
    readonly arrays: number;
  }[];
  readonly expiring: readonly (readonly [number, number, string])[];
  /** Byte length of every section, in order: live, tags, then each field's bitmaps and arrays. */
  readonly sections: readonly number[];
}

export interface SnapshotInfo {
  readonly path: string;
  readonly bytes: number;
  readonly position: number;
  /** The longest stretch serializing held the event loop (the write that follows holds none). */
  readonly serializeMs: number;
}

/** The file holding a tenant's snapshot in `dir`. */
export const snapshotPath = (dir: string, tenantId: string) =>
  join(dir, `${tenantId.replace(/[^\w-]/g, '_')}.index`);

const signature = (definitions: ReadonlyMap<string, AttributeDefinition>) =>
  [...definitions.values()]
    .map((d) => [d.key, d.type] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The outbox entry at `position`: which tenant wrote it, and when. */
async function outboxEntry(ex: Executor, position: number) {
  if (position === 0) return { tenantId: null, at: 0 };
  const row = await ex
    .selectFrom('outbox')
    .select(['tenant_id', 'created_at'])
    .where('id', '=', position)
    .executeTakeFirst();
  return row ? { tenantId: row.tenant_id, at: Number(row.created_at) } : null;
}

/**
 * Writes the index as it is now. Everything is serialized in one synchronous step, so the
 * snapshot is the index at one position even while the engine keeps catching up; the file is
 * written beside its final name, synced, then renamed over it.
 */
export async function writeSnapshot(
  ex: Executor,
  dir: string,
  index: TenantIndex,
  now: number,
): Promise<SnapshotInfo> {
  // The entry at the position is read first; if the index moved on meanwhile, read again.
  let position = index.position;
  let entry = await outboxEntry(ex, position);
  while (index.position !== position) {
    position = index.position;
    entry = await outboxEntry(ex, position);
  }
  if (!entry) throw new Error(`outbox entry ${position} is missing`);

  // The index is frozen while it is serialized (a catch-up waits before applying changes), in
  // slices of a few milliseconds so the event loop keeps serving requests meanwhile. Bitmaps
  // serialize into new buffers and typed arrays are copied: the file is written after the thaw.
  const sections: Uint8Array[] = [];
  const tags: string[] = [];
  const fields: Header['fields'][number][] = [];
  let thaw = () => {};
  index.frozen = new Promise<void>((resolve) => {
    thaw = resolve;
  });
  let serializeMs = 0;
  let header: Header;
  try {
    const steps: (() => void)[] = [() => sections.push(index.live.serialize('portable'))];
    for (const [id, b] of index.tags) {
      steps.push(() => {
        tags.push(id);
        sections.push(b.serialize('portable'));
      });
    }
    for (const [name, f] of index.fields) {
      steps.push(() => {
        const state = f.index.save();
        for (const b of state.bitmaps) sections.push(b.serialize('portable'));
        for (const a of state.arrays) sections.push(a.slice());
        fields.push({
          name,
          kind: state.kind,
          meta: state.meta,
          bitmaps: state.bitmaps.length,
          arrays: state.arrays.length,
        });
      });
    }
    let slice = performance.now();
    for (const step of steps) {
      step();
      const now = performance.now();
      if (now - slice >= SLICE_MS) {
        serializeMs = Math.max(serializeMs, now - slice);
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    serializeMs = Math.max(serializeMs, performance.now() - slice);
    header = {
      format: FORMAT,
      tenantId: index.tenantId,
      position,
      positionAt: entry.at,
      maxId: index.maxId,
      savedAt: now,
      caughtUpAt: index.caughtUpAt,
      definitions: signature(index.definitions),
      declared: index.declared,
      tags,
      fields,
      expiring: index.expiring.map((e) => [e.at, e.customerId, e.tagId] as const),
      sections: sections.map((s) => s.byteLength),
    };
  } finally {
    index.frozen = null;
    thaw();
  }
  const head = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.byteLength);

  await mkdir(dir, { recursive: true });
  const path = snapshotPath(dir, index.tenantId);
  const partial = `${path}.${randomBytes(4).toString('hex')}.partial`;
  const file = await open(partial, 'w');
  let bytes = 0;
  try {
    for (const chunk of [MAGIC, length, head, ...sections]) {
      await file.write(chunk);
      bytes += chunk.byteLength;
    }
    await file.sync();
  } catch (e) {
    await file.close();
    await rm(partial, { force: true });
    throw e;
  }
  await file.close();
  await rename(partial, path);
  return { path, bytes, position, serializeMs };
}

export type SnapshotRead =
  | { readonly index: TenantIndex; readonly bytes: number; readonly stale: boolean }
  | { readonly index: null; readonly reason: string };

/**
 * Reads a tenant's snapshot into a new index, or says why it cannot be used: missing, another
 * format, fields or definitions changed since, the outbox no longer matching, or damaged.
 */
export async function readSnapshot(
  ex: Executor,
  dir: string,
  tenantId: string,
  definitions: ReadonlyMap<string, AttributeDefinition>,
): Promise<SnapshotRead> {
  const refuse = (reason: string) => ({ index: null, reason }) as const;
  const path = snapshotPath(dir, tenantId);
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch {
    return refuse('no snapshot');
  }
  try {
    const size = (await file.stat()).size;
    let offset = 0;
    const read = async (n: number) => {
      if (offset + n > size) throw new Error('truncated');
      const out = new Uint8Array(n);
      const { bytesRead } = await file.read(out, 0, n, offset);
      if (bytesRead !== n) throw new Error('truncated');
      offset += n;
      return out;
    };
    const magic = await read(MAGIC.byteLength);
    if (!MAGIC.equals(magic)) return refuse('not a snapshot');
    const headLength = Buffer.from(await read(4)).readUInt32LE(0);
    const header = JSON.parse(Buffer.from(await read(headLength)).toString('utf8')) as Header;
    if (header.format !== FORMAT) return refuse(`format ${header.format}, expected ${FORMAT}`);
    if (header.tenantId !== tenantId) return refuse('another tenant');
    const indexed = new Map(header.definitions);
    for (const [key, type] of indexed) {
      if (definitions.get(key)?.type !== type) return refuse('attribute definitions changed');
    }
    const index = new TenantIndex(tenantId, new Map([...definitions].filter(([key]) => indexed.has(key))));
    let stale = indexed.size !== definitions.size;
    // The entry may be gone because the outbox was pruned past it: the catch-up after loading
    // then tells whether the index missed anything.
    const entry = await outboxEntry(ex, header.position);
    const pruned = entry === null && ((await prunedMark(ex))?.position ?? 0) >= header.position;
    const mismatch =
      !entry || (header.position > 0 && (entry.tenantId !== tenantId || entry.at !== header.positionAt));
    if (mismatch && !pruned) return refuse('the outbox does not match (another or restored database)');
    const total = offset + header.sections.reduce((a, b) => a + b, 0);
    if (total !== size) return refuse(`size ${size}, expected ${total}`);

    let next = 0;
    const section = () => read(header.sections[next++] ?? 0);
    const bitmap = async (): Promise<Bitmap> => RoaringBitmap32.deserialize(await section(), 'portable');

    index.live.orInPlace(await bitmap());
    for (const id of header.tags) index.tags.set(id, await bitmap());
    const kept = new Set<string>();
    for (const f of header.fields) {
      const bitmaps: Bitmap[] = [];
      for (let i = 0; i < f.bitmaps; i++) bitmaps.push(await bitmap());
      const arrays: Uint8Array[] = [];
      for (let i = 0; i < f.arrays; i++) arrays.push(await section());
      const field = index.fields.get(f.name);
      // A field this version no longer indexes, or indexes another way: left to SQL.
      if (!field || field.index.save().kind !== f.kind) {
        stale = true;
        continue;
      }
      field.index.restore({ kind: f.kind, meta: f.meta, bitmaps, arrays });
      kept.add(f.name);
    }
    // Fields absent from the snapshot had overflowed to SQL before it was taken, or are new
    // to this version: SQL answers them.
    const declared = new Set(header.declared);
    for (const name of index.fields.keys()) {
      if (kept.has(name)) continue;
      if (!declared.has(name)) stale = true;
      index.fields.delete(name);
    }
    index.expiring = header.expiring.map(([at, customerId, tagId]): Expiry => ({ at, customerId, tagId }));
    index.position = header.position;
    index.maxId = header.maxId;
    index.builtAt = header.savedAt;
    index.caughtUpAt = header.caughtUpAt ?? 0;
    index.origin = 'snapshot';
    return { index, bytes: size, stale };
  } catch (e) {
    return refuse(`damaged: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await file.close();
  }
}
