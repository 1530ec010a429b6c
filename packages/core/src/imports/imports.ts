import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImportError, ImportJob, StartImport, UploadImportQuery } from '@pond/contracts';
import type { Trx } from '@pond/storage';
import { decodeCursor, type ImportJobTable, toPage } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { definitionsOf } from '../customers/attributes.ts';
import { normalizeIdentity } from '../customers/identity-normalize.ts';
import { identityOwners, resolveCustomer } from '../customers/resolve.ts';
import type { DomainEvent } from '../platform/outbox.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { newId } from '../shared/ids.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { detectEncoding, type FileFormat, readRows } from './file-reader.ts';
import { IDENTITY_TARGETS, suggestMapping } from './mapping.ts';
import { rowToCustomer } from './row-to-customer.ts';

type Row = Selectable<ImportJobTable>;
interface Options {
  readonly path: string;
  readonly columns: string[];
  readonly sample: string[][];
  readonly suggested: Record<string, string>;
  readonly mapping?: Record<string, string>;
  readonly updateExisting?: boolean;
}

const CHUNK = 500;
const MAX_ERRORS = 10_000;
/** Thrown to roll back a dry run's chunk after it has been fully checked. */
class DryRun extends Error {}

/** Profile columns an import may write, with the names their changes are recorded under. */
const FIELDS = {
  name: 'name',
  gender: 'gender',
  birthday: 'birthday',
  phone: 'phone',
  email: 'email',
  region: 'region',
  city: 'city',
  membership_level: 'membershipLevel',
  lifecycle_stage: 'lifecycleStage',
  source_channel: 'sourceChannel',
} as const;
type Snapshot = { public_id: string; attributes: string } & Record<keyof typeof FIELDS, unknown>;

async function snapshots(trx: Trx, tenantId: string, ids: readonly number[]) {
  const out = new Map<number, Snapshot>();
  if (ids.length === 0) return out;
  const rows = await trx
    .selectFrom('customers')
    .select(['id', 'public_id', 'attributes', ...(Object.keys(FIELDS) as (keyof typeof FIELDS)[])])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids])
    .execute();
  for (const r of rows) out.set(Number(r.id), r);
  return out;
}

/** What changed between two snapshots, named as the customer service names its changes. */
function diff(before: Snapshot, after: Snapshot): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const [col, name] of Object.entries(FIELDS) as [keyof typeof FIELDS, string][]) {
    if (before[col] !== after[col]) changes[name] = [before[col], after[col]];
  }
  if (before.attributes !== after.attributes) {
    const a = JSON.parse(before.attributes) as Record<string, unknown>;
    const b = JSON.parse(after.attributes) as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key]))
        changes[`attributes.${key}`] = [a[key] ?? null, b[key] ?? null];
    }
  }
  return changes;
}

function toJob(r: Row): ImportJob {
  const o = JSON.parse(r.options) as Options;
  return {
    id: r.id,
    fileName: r.file_name,
    format: r.format,
    encoding: r.encoding,
    columns: o.columns,
    sample: o.sample,
    suggestedMapping: o.suggested as ImportJob['suggestedMapping'],
    dryRun: r.dry_run === 1,
    status: r.status,
    totalRows: r.total_rows,
    processedRows: r.processed_rows,
    createdRows: r.created_rows,
    updatedRows: r.updated_rows,
    failedRows: r.failed_rows,
    error: r.error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

/**
 * Customer import from CSV (UTF-8 or GBK) and XLSX: upload, map columns, then a background
 * run that streams the file in chunks, resolves each row through OneID (so importing the same
 * file twice creates nobody new) and records every refused row with its line and column.
 */
export function createImports(p: Platform, audit: AuditLog, options: { dir: string }) {
  const { db, clock } = p;
  const running = new Map<string, Promise<void>>();

  async function find(ctx: Ctx, id: string) {
    return db
      .selectFrom('import_jobs')
      .selectAll()
      .where('tenant_id', '=', ctx.principal.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /**
   * The outbox events (and timeline entries) of one chunk, written in its transaction in one
   * statement each: `customer.created` for new profiles and `customer.updated` with the
   * changed fields for existing ones whose profile the file changed, as the customer service
   * writes them.
   */
  async function tellChanges(
    trx: Trx,
    tenantId: string,
    created: ReadonlyMap<number, string>,
    before: ReadonlyMap<number, Snapshot>,
    touched: ReadonlySet<number>,
    actor: string,
  ) {
    const events: DomainEvent[] = [...created].map(([customerId, publicId]) => ({
      tenantId,
      type: 'customer.created',
      aggregateType: 'customer',
      aggregateId: publicId,
      payload: { customerId },
    }));
    const now = clock.now();
    const timeline = [];
    const after = await snapshots(
      trx,
      tenantId,
      [...touched].filter((id) => before.has(id)),
    );
    for (const [id, next] of after) {
      const prev = before.get(id);
      if (!prev) continue;
      const changes = diff(prev, next);
      if (Object.keys(changes).length === 0) continue;
      events.push({
        tenantId,
        type: 'customer.updated',
        aggregateType: 'customer',
        aggregateId: next.public_id,
        payload: { customerId: id, changes },
      });
      timeline.push({
        tenant_id: tenantId,
        customer_id: id,
        origin_customer_id: id,
        changes: JSON.stringify(changes),
        source: 'import',
        actor,
        created_at: now,
      });
    }
    if (timeline.length) await trx.insertInto('customer_changes').values(timeline).execute();
    await p.outbox.append(trx, events);
  }

  async function run(
    ctx: Ctx,
    job: Row,
    mapping: Record<string, string>,
    dryRun: boolean,
    updateExisting: boolean,
  ) {
    const o = JSON.parse(job.options) as Options;
    const definitions = await definitionsOf(db, job.tenant_id);
    const deps = { clock, outbox: p.outbox };
    const counts = { processed: 0, created: 0, updated: 0, failed: 0, errors: 0 };
    const progress = () =>
      db
        .updateTable('import_jobs')
        .set({
          processed_rows: counts.processed,
          created_rows: counts.created,
          updated_rows: counts.updated,
          failed_rows: counts.failed,
        })
        .where('id', '=', job.id)
        .execute();
    const processChunk = async (rows: { line: number; values: string[] }[]) => {
      const chunkCounts = { created: 0, updated: 0, failed: 0 };
      const errors: { line: number; column: string | null; reason: string }[] = [];
      try {
        await db.transaction().execute(async (trx) => {
          const parsedRows = rows.map((row) => ({
            row,
            parsed: rowToCustomer(o.columns, row.values, mapping, definitions),
          }));
          // The customers this chunk may update, as they are before it: one lookup of every
          // identity and one read of their rows, so the chunk's changes are told in bulk.
          const before = new Map<number, Snapshot>();
          if (updateExisting) {
            const identities = parsedRows.flatMap(({ parsed }) =>
              parsed.problems.length > 0
                ? []
                : parsed.identities.flatMap((i) => {
                    const n = normalizeIdentity(i, 'identity');
                    return n.ok ? [n.value] : [];
                  }),
            );
            const owners = await identityOwners(trx, job.tenant_id, identities);
            for (const [id, s] of await snapshots(trx, job.tenant_id, [...new Set(owners.values())]))
              before.set(id, s);
          }
          const created = new Map<number, string>();
          const touched = new Set<number>();
          for (const { row, parsed } of parsedRows) {
            if (parsed.problems.length > 0) {
              chunkCounts.failed++;
              for (const pr of parsed.problems)
                errors.push({ line: row.line, column: pr.column || null, reason: pr.reason });
              continue;
            }
            const r = await resolveCustomer(trx, deps, {
              tenantId: job.tenant_id,
              identities: parsed.identities,
              source: 'import',
              at: clock.now(),
              profile: parsed.profile,
              attributes: parsed.attributes,
              updateProfile: updateExisting,
            });
            if (!r.ok) {
              chunkCounts.failed++;
              errors.push({ line: row.line, column: null, reason: r.error.message });
              continue;
            }
            if (r.value.created) {
              chunkCounts.created++;
              created.set(r.value.customerId, r.value.publicId);
            } else {
              chunkCounts.updated++;
              if (!created.has(r.value.customerId)) touched.add(r.value.customerId);
            }
          }
          await tellChanges(trx, job.tenant_id, created, before, touched, ctx.principal.name);
          if (dryRun) throw new DryRun();
        });
      } catch (e) {
        if (!(e instanceof DryRun)) throw e;
      }
      counts.processed += rows.length;
      counts.created += chunkCounts.created;
      counts.updated += chunkCounts.updated;
      counts.failed += chunkCounts.failed;
      const room = Math.max(0, MAX_ERRORS - counts.errors);
      if (errors.length && room) {
        await db
          .insertInto('import_errors')
          .values(errors.slice(0, room).map((e) => ({ job_id: job.id, ...e })))
          .execute();
        counts.errors += Math.min(room, errors.length);
      }
      await progress();
    };

    try {
      let chunk: { line: number; values: string[] }[] = [];
      let header = true;
      for await (const row of readRows(o.path, job.format, job.encoding ?? 'utf-8')) {
        if (header) {
          header = false;
          continue;
        }
        chunk.push(row);
        if (chunk.length >= CHUNK) {
          await processChunk(chunk);
          chunk = [];
        }
      }
      if (chunk.length) await processChunk(chunk);
      await db
        .updateTable('import_jobs')
        .set({ status: 'done', total_rows: counts.processed, finished_at: clock.now() })
        .where('id', '=', job.id)
        .execute();
      await p.tx(async (trx) => {
        await audit.record(trx, ctx, {
          action: dryRun ? 'import.dry_run' : 'import.completed',
          targetType: 'import',
          targetId: job.id,
          after: { created: counts.created, updated: counts.updated, failed: counts.failed },
        });
        return ok(null);
      });
    } catch (e) {
      await db
        .updateTable('import_jobs')
        .set({
          status: 'failed',
          error: e instanceof Error ? e.message : String(e),
          finished_at: clock.now(),
        })
        .where('id', '=', job.id)
        .execute();
    } finally {
      if (!dryRun) await rm(o.path, { force: true }).catch(() => undefined);
    }
  }

  return {
    /** Stores an uploaded file and reads its header, encoding and first rows. */
    async upload(ctx: Ctx, query: UploadImportQuery, body: Readable): Promise<Result<ImportJob>> {
      const now = clock.now();
      const id = newId('imp', now);
      const format: FileFormat = query.fileName.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
      await mkdir(options.dir, { recursive: true });
      const path = join(options.dir, `${id}.${format}`);
      await pipeline(body, createWriteStream(path));
      if ((await stat(path)).size === 0) {
        await rm(path, { force: true });
        return fail('invalid_request', 'the file is empty', { field: 'body' });
      }
      const encoding = format === 'csv' ? await detectEncoding(path) : null;
      const head: string[][] = [];
      try {
        for await (const row of readRows(path, format, encoding ?? 'utf-8')) {
          head.push(row.values);
          if (head.length > 5) break;
        }
      } catch (e) {
        await rm(path, { force: true });
        return fail(
          'invalid_request',
          `the file cannot be read as ${format.toUpperCase()}: ${e instanceof Error ? e.message : e}`,
          { field: 'body' },
        );
      }
      const [columns = [], ...sample] = head;
      if (columns.length === 0 || columns.every((c) => c === '')) {
        await rm(path, { force: true });
        return fail('invalid_request', 'the first row must name the columns', { field: 'body' });
      }
      const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
      if (duplicate !== undefined) {
        await rm(path, { force: true });
        return fail('invalid_request', `the column "${duplicate}" appears twice`, { field: 'body' });
      }
      const opts: Options = {
        path,
        columns,
        sample,
        suggested: suggestMapping(columns, await definitionsOf(db, ctx.principal.tenantId)),
      };
      await p.tx(async (trx) => {
        await trx
          .insertInto('import_jobs')
          .values({
            id,
            tenant_id: ctx.principal.tenantId,
            file_name: query.fileName,
            format,
            encoding,
            options: JSON.stringify(opts),
            dry_run: 0,
            status: 'uploaded',
            total_rows: 0,
            processed_rows: 0,
            created_rows: 0,
            updated_rows: 0,
            failed_rows: 0,
            error: null,
            created_by: ctx.principal.name,
            created_at: now,
            finished_at: null,
          })
          .execute();
        await audit.record(trx, ctx, {
          action: 'import.uploaded',
          targetType: 'import',
          targetId: id,
          after: { fileName: query.fileName, encoding },
        });
        return ok(null);
      });
      const row = await find(ctx, id);
      return row ? ok(toJob(row)) : notFound('import');
    },

    async start(ctx: Ctx, id: string, input: StartImport): Promise<Result<ImportJob>> {
      const job = await find(ctx, id);
      if (!job) return notFound('import');
      if (job.status !== 'uploaded' && !(job.status === 'done' && job.dry_run === 1)) {
        return fail('conflict', 'this import has already run; upload the file again to run it again');
      }
      const o = JSON.parse(job.options) as Options;
      for (const column of Object.keys(input.mapping)) {
        if (!o.columns.includes(column)) {
          return fail('invalid_request', `the file has no column "${column}"`, {
            field: `body.mapping.${column}`,
          });
        }
      }
      const definitions = await definitionsOf(db, ctx.principal.tenantId);
      for (const [column, target] of Object.entries(input.mapping)) {
        const key = target.startsWith('attribute:') ? target.slice('attribute:'.length) : null;
        if (key !== null && !definitions.has(key)) {
          return fail('invalid_request', `no custom attribute "${key}" is defined; define it first`, {
            field: `body.mapping.${column}`,
          });
        }
      }
      if (!Object.values(input.mapping).some((t) => IDENTITY_TARGETS.has(t))) {
        return fail(
          'invalid_request',
          'map at least one column to an identity (phone, email or an id) to match customers by',
          { field: 'body.mapping' },
        );
      }
      await db
        .updateTable('import_jobs')
        .set({
          status: 'running',
          dry_run: input.dryRun ? 1 : 0,
          options: JSON.stringify({ ...o, mapping: input.mapping, updateExisting: input.updateExisting }),
          processed_rows: 0,
          created_rows: 0,
          updated_rows: 0,
          failed_rows: 0,
          error: null,
          finished_at: null,
        })
        .where('id', '=', id)
        .execute();
      await db.deleteFrom('import_errors').where('job_id', '=', id).execute();
      await p.tx(async (trx) => {
        await audit.record(trx, ctx, {
          action: 'import.started',
          targetType: 'import',
          targetId: id,
          after: { mapping: input.mapping, dryRun: input.dryRun, updateExisting: input.updateExisting },
        });
        return ok(null);
      });
      const started = await find(ctx, id);
      if (!started) return notFound('import');
      running.set(
        id,
        run(ctx, started, input.mapping, input.dryRun, input.updateExisting).finally(() =>
          running.delete(id),
        ),
      );
      return ok(toJob(started));
    },

    async get(ctx: Ctx, id: string): Promise<Result<ImportJob>> {
      const job = await find(ctx, id);
      return job ? ok(toJob(job)) : notFound('import');
    },

    async list(ctx: Ctx): Promise<ImportJob[]> {
      const rows = await db
        .selectFrom('import_jobs')
        .selectAll()
        .where('tenant_id', '=', ctx.principal.tenantId)
        .orderBy('created_at', 'desc')
        .limit(50)
        .execute();
      return rows.map(toJob);
    },

    async errors(
      ctx: Ctx,
      id: string,
      q: { limit: number; cursor?: string | undefined },
    ): Promise<Result<{ data: ImportError[]; nextCursor: string | null }>> {
      // The cursor is checked before the import is looked up: bad input is a 400 either way.
      let after = 0;
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        if (!c || c[0] !== null || typeof c[1] !== 'number') {
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        }
        after = c[1];
      }
      if (!(await find(ctx, id))) return notFound('import');
      const query = db
        .selectFrom('import_errors')
        .selectAll()
        .where('job_id', '=', id)
        .where('id', '>', after);
      const rows = await query
        .orderBy('id')
        .limit(q.limit + 1)
        .execute();
      const pg = toPage(rows, q.limit, (r) => [null, r.id]);
      return ok({
        data: pg.data.map((r) => ({ line: r.line, column: r.column, reason: r.reason })),
        nextCursor: pg.nextCursor,
      });
    },

    /** Resolves when the import's background run has finished (for tests and the CLI). */
    settled: (id: string) => running.get(id) ?? Promise.resolve(),

    /** Waits for every import in flight, so storage can close under none. */
    drain: async () => {
      await Promise.all(running.values());
    },
  };
}

export type Imports = ReturnType<typeof createImports>;
