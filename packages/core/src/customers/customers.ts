import type {
  AttachIdentities,
  CreateCustomer,
  CustomerDetail,
  CustomerFacets,
  Identity,
  ListCustomersQuery,
  MergeRecord,
  ResolveOutcome,
  UpdateCustomer,
} from '@pond/contracts';
import {
  type CustomerTable,
  containsText,
  decodeCursor,
  type Executor,
  type Trx,
  toPage,
} from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Platform } from '../platform/platform.ts';
import { type Ctx, can } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';
import { definitionsOf, validateAttributes } from './attributes.ts';
import { toCustomer, toIdentity } from './customer-view.ts';
import { normalizeIdentity } from './identity-normalize.ts';
import { mergeCustomers, unmergeCustomers } from './merge.ts';
import { type ProfilePatch, resolveCustomer, withAttributes } from './resolve.ts';
import { customerScope } from './scope.ts';

type Row = Selectable<CustomerTable>;

const COLUMN = {
  name: 'name',
  gender: 'gender',
  birthday: 'birthday',
  region: 'region',
  city: 'city',
  membershipLevel: 'membership_level',
  sourceChannel: 'source_channel',
  ownerStaffId: 'owner_staff_id',
  storeId: 'store_id',
} as const;

export type Customers = ReturnType<typeof createCustomers>;

export function createCustomers(p: Platform, audit: AuditLog) {
  const { db, clock } = p;
  const deps = { clock, outbox: p.outbox };

  async function findInScope(ex: Executor, ctx: Ctx, publicId: string): Promise<Row | undefined> {
    return ex
      .selectFrom('customers')
      .selectAll()
      .where(customerScope(ctx))
      .where('public_id', '=', publicId)
      .where('status', '!=', 'merged')
      .executeTakeFirst();
  }

  async function detail(ex: Executor, ctx: Ctx, row: Row): Promise<CustomerDetail> {
    const unmasked = can(ctx, 'pii.view');
    const identities = await ex
      .selectFrom('customer_identities')
      .selectAll()
      .where('customer_id', '=', row.id)
      .orderBy('id')
      .execute();
    return { ...toCustomer(row, unmasked), identities: identities.map((i) => toIdentity(i, unmasked)) };
  }

  /** Owner staff and store must be the tenant's (and in the caller's scope). */
  async function checkRefs(
    ex: Executor,
    ctx: Ctx,
    input: { ownerStaffId?: string | null; storeId?: string | null },
  ) {
    if (input.ownerStaffId) {
      const staff = await ex
        .selectFrom('staff')
        .select('id')
        .where('tenant_id', '=', ctx.principal.tenantId)
        .where('id', '=', input.ownerStaffId)
        .executeTakeFirst();
      if (!staff) return notFound('staff member', 'body.ownerStaffId');
    }
    if (input.storeId) {
      const store = await ex
        .selectFrom('org_units')
        .select('kind')
        .where('tenant_id', '=', ctx.principal.tenantId)
        .where('id', '=', input.storeId)
        .executeTakeFirst();
      if (!store) return notFound('store', 'body.storeId');
      if (store.kind !== 'store')
        return fail('invalid_request', 'storeId must be an org unit of kind store', {
          field: 'body.storeId',
        });
    }
    return ok(null);
  }

  async function outcome(
    trx: Trx,
    ctx: Ctx,
    customerId: number,
    mergedIds: number[],
    conflicts: { identity: Identity; reason: string }[],
  ) {
    const row = await trx
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow();
    const merged = mergedIds.length
      ? (await trx.selectFrom('customers').select('public_id').where('id', 'in', mergedIds).execute()).map(
          (r) => r.public_id,
        )
      : [];
    return { customer: await detail(trx, ctx, row), merged, conflicts } satisfies ResolveOutcome;
  }

  return {
    /** Up to 30 most common values per field, counted over the customers the caller sees. */
    async facets(ctx: Ctx): Promise<CustomerFacets> {
      const top = async (col: 'membership_level' | 'lifecycle_stage' | 'source_channel' | 'city') => {
        const rows = await db
          .selectFrom('customers')
          .select((eb) => [eb.ref(col).as('value'), eb.fn.countAll<number | string>().as('count')])
          .where(customerScope(ctx))
          .where('status', '=', 'active')
          .where(col, 'is not', null)
          .groupBy(col)
          .orderBy('count', 'desc')
          .orderBy(col)
          .limit(30)
          .execute();
        return rows.map((r) => ({ value: String(r.value), count: Number(r.count) }));
      };
      return {
        membershipLevel: await top('membership_level'),
        lifecycleStage: await top('lifecycle_stage'),
        sourceChannel: await top('source_channel'),
        city: await top('city'),
      };
    },

    async list(ctx: Ctx, q: ListCustomersQuery) {
      let query = db
        .selectFrom('customers')
        .selectAll()
        .where(customerScope(ctx))
        .where('status', '!=', 'merged');
      if (q.ownerStaffId) query = query.where('owner_staff_id', '=', q.ownerStaffId);
      if (q.storeId) query = query.where('store_id', '=', q.storeId);
      if (q.lifecycleStage) query = query.where('lifecycle_stage', '=', q.lifecycleStage);
      if (q.membershipLevel) query = query.where('membership_level', '=', q.membershipLevel);
      if (q.sourceChannel) query = query.where('source_channel', '=', q.sourceChannel);
      if (q.city) query = query.where('city', '=', q.city);
      if (q.audienceId) {
        const audienceId = q.audienceId;
        query = query.where((eb) =>
          eb(
            'customers.id',
            'in',
            eb
              .selectFrom('audience_members')
              .select('customer_id')
              .where('tenant_id', '=', ctx.principal.tenantId)
              .where('audience_id', '=', audienceId),
          ),
        );
      }
      if (q.tagId) {
        const tagId = q.tagId;
        const now = clock.now();
        query = query.where((eb) =>
          eb(
            'customers.id',
            'in',
            eb
              .selectFrom('customer_tags')
              .select('customer_id')
              .where('tenant_id', '=', ctx.principal.tenantId)
              .where('tag_id', '=', tagId)
              .where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', now)])),
          ),
        );
      }
      if (q.createdFrom !== undefined) query = query.where('created_at', '>=', q.createdFrom);
      if (q.createdTo !== undefined) query = query.where('created_at', '<', q.createdTo);
      if (q.q) {
        const text = q.q;
        const values = [text, text.toLowerCase()];
        const phone = normalizeIdentity({ type: 'phone', value: text }, 'q');
        if (phone.ok) values.push(phone.value.value);
        query = query.where((eb) =>
          eb.or([
            containsText(eb.ref('customers.name'), text, p.dialect.ilike),
            eb(
              'customers.id',
              'in',
              eb
                .selectFrom('customer_identities')
                .select('customer_id')
                .where('tenant_id', '=', ctx.principal.tenantId)
                .where('value', 'in', values),
            ),
          ]),
        );
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        if (!c || typeof c[0] !== 'number' || typeof c[1] !== 'number') {
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        }
        const [at, id] = c;
        const cmp = q.order === 'asc' ? '>' : '<';
        query = query.where((eb) =>
          eb.or([eb('created_at', cmp, at), eb.and([eb('created_at', '=', at), eb('id', cmp, id)])]),
        );
      }
      const rows = await query
        .orderBy('created_at', q.order)
        .orderBy('id', q.order)
        .limit(q.limit + 1)
        .execute();
      const unmasked = can(ctx, 'pii.view');
      const pg = toPage(rows, q.limit, (r) => [r.created_at, r.id]);
      return ok({ data: pg.data.map((r) => toCustomer(r, unmasked)), nextCursor: pg.nextCursor });
    },

    async get(ctx: Ctx, publicId: string): Promise<Result<CustomerDetail>> {
      const row = await findInScope(db, ctx, publicId);
      return row ? ok(await detail(db, ctx, row)) : notFound('customer');
    },

    create(ctx: Ctx, input: CreateCustomer): Promise<Result<ResolveOutcome>> {
      return p.tx(async (trx) => {
        const refs = await checkRefs(trx, ctx, input);
        if (!refs.ok) return refs;
        const attributes = input.attributes
          ? validateAttributes(
              await definitionsOf(trx, ctx.principal.tenantId),
              input.attributes,
              'body.attributes',
            )
          : ok(undefined);
        if (!attributes.ok) return attributes;
        const identities: Identity[] = [...input.identities];
        if (input.phone) identities.push({ type: 'phone', value: input.phone });
        if (input.email) identities.push({ type: 'email', value: input.email });
        const profile: ProfilePatch & { owner_staff_id?: string; store_id?: string } = {};
        for (const [k, col] of Object.entries(COLUMN)) {
          const v = input[k as keyof typeof COLUMN];
          if (v !== undefined) Object.assign(profile, { [col]: v });
        }
        for (const [i, identity] of identities.entries()) {
          const field = i < input.identities.length ? `body.identities.${i}` : `body.${identity.type}`;
          const n = normalizeIdentity(identity, field);
          if (!n.ok) return n;
          if (identity.type === 'phone' && !profile.phone) profile.phone = n.value.value;
          if (identity.type === 'email' && !profile.email) profile.email = n.value.value;
        }
        const now = clock.now();
        const r = await resolveCustomer(trx, deps, {
          tenantId: ctx.principal.tenantId,
          identities,
          source: ctx.principal.kind === 'api_key' ? 'api' : 'console',
          at: now,
          profile,
          ...(attributes.value ? { attributes: attributes.value } : {}),
          field: 'body.identities',
        });
        if (!r.ok) return r;
        const out = await outcome(trx, ctx, r.value.customerId, r.value.mergedIds, r.value.conflicts);
        await audit.record(trx, ctx, {
          action: r.value.created ? 'customer.created' : 'customer.updated',
          targetType: 'customer',
          targetId: r.value.publicId,
          after: out.customer,
        });
        if (r.value.created) {
          await p.outbox.append(trx, {
            tenantId: ctx.principal.tenantId,
            type: 'customer.created',
            aggregateType: 'customer',
            aggregateId: r.value.publicId,
            payload: { customerId: r.value.customerId },
          });
        }
        return ok(out);
      });
    },

    update(ctx: Ctx, publicId: string, input: UpdateCustomer): Promise<Result<CustomerDetail>> {
      return p.tx(async (trx) => {
        const row = await findInScope(trx, ctx, publicId);
        if (!row) return notFound('customer');
        if (row.status === 'erased') return fail('conflict', 'this customer was erased');
        const refs = await checkRefs(trx, ctx, input);
        if (!refs.ok) return refs;
        const set: Record<string, unknown> = {};
        const changes: Record<string, [unknown, unknown]> = {};
        for (const [k, col] of Object.entries(COLUMN)) {
          const v = input[k as keyof typeof COLUMN];
          if (v === undefined || v === row[col]) continue;
          set[col] = v;
          changes[k] = [row[col], v];
        }
        if (input.attributes) {
          const checked = validateAttributes(
            await definitionsOf(trx, ctx.principal.tenantId),
            input.attributes,
            'body.attributes',
          );
          if (!checked.ok) return checked;
          const before = JSON.parse(row.attributes) as Record<string, unknown>;
          const after = withAttributes(before, checked.value);
          for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
            if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
              changes[`attributes.${key}`] = [before[key] ?? null, after[key] ?? null];
          }
          if (Object.keys(changes).some((k) => k.startsWith('attributes.')))
            set.attributes = JSON.stringify(after);
        }
        if (Object.keys(set).length === 0) return ok(await detail(trx, ctx, row));
        const now = clock.now();
        await trx
          .updateTable('customers')
          .set({ ...set, updated_at: now })
          .where('id', '=', row.id)
          .execute();
        await trx
          .insertInto('customer_changes')
          .values({
            tenant_id: row.tenant_id,
            customer_id: row.id,
            origin_customer_id: row.id,
            changes: JSON.stringify(changes),
            source: ctx.principal.kind === 'api_key' ? 'api' : 'console',
            actor: ctx.principal.name,
            created_at: now,
          })
          .execute();
        const next = await trx
          .selectFrom('customers')
          .selectAll()
          .where('id', '=', row.id)
          .executeTakeFirstOrThrow();
        await audit.record(trx, ctx, {
          action: 'customer.updated',
          targetType: 'customer',
          targetId: publicId,
          before: row,
          after: next,
        });
        await p.outbox.append(trx, {
          tenantId: row.tenant_id,
          type: 'customer.updated',
          aggregateType: 'customer',
          aggregateId: publicId,
          payload: { customerId: row.id, changes },
        });
        return ok(await detail(trx, ctx, next));
      });
    },

    attachIdentities(ctx: Ctx, publicId: string, input: AttachIdentities): Promise<Result<ResolveOutcome>> {
      return p.tx(async (trx) => {
        const row = await findInScope(trx, ctx, publicId);
        if (!row) return notFound('customer');
        const existing = await trx
          .selectFrom('customer_identities')
          .select(['type', 'namespace', 'value'])
          .where('customer_id', '=', row.id)
          .limit(1)
          .execute();
        // Resolve with an identity the profile already has, so new ones attach to it.
        const anchor = existing[0];
        const identities: Identity[] = [
          ...(anchor
            ? [
                {
                  type: anchor.type as Identity['type'],
                  value: anchor.value,
                  ...(anchor.namespace ? { namespace: anchor.namespace } : {}),
                },
              ]
            : []),
          ...input.identities,
        ];
        const r = await resolveCustomer(trx, deps, {
          tenantId: row.tenant_id,
          identities,
          source: 'console',
          at: clock.now(),
          field: 'body.identities',
          customerId: row.id,
        });
        if (!r.ok) return r;
        await audit.record(trx, ctx, {
          action: 'customer.identities_attached',
          targetType: 'customer',
          targetId: publicId,
          after: { identities: input.identities.map((i) => i.type), merged: r.value.mergedIds.length },
        });
        return ok(await outcome(trx, ctx, r.value.customerId, r.value.mergedIds, r.value.conflicts));
      });
    },

    merges(ctx: Ctx, publicId: string): Promise<Result<MergeRecord[]>> {
      return listMerges(ctx, publicId);
    },

    manualMerge(ctx: Ctx, survivorPublicId: string, mergedPublicId: string): Promise<Result<MergeRecord>> {
      return p.tx(async (trx) => {
        const survivor = await findInScope(trx, ctx, survivorPublicId);
        if (!survivor) return notFound('customer', 'body.survivorId');
        const merged = await findInScope(trx, ctx, mergedPublicId);
        if (!merged) return notFound('customer', 'body.mergedId');
        const r = await mergeCustomers(
          trx,
          deps,
          survivor.tenant_id,
          survivor.id,
          merged.id,
          `manual:${ctx.principal.name}`,
        );
        if (!r.ok) return r;
        await audit.record(trx, ctx, {
          action: 'customer.merged',
          targetType: 'customer',
          targetId: survivorPublicId,
          after: { merged: mergedPublicId },
        });
        const log = await trx
          .selectFrom('merge_log')
          .selectAll()
          .where('id', '=', r.value)
          .executeTakeFirstOrThrow();
        return ok(toMerge(log, survivorPublicId, mergedPublicId));
      });
    },

    unmerge(ctx: Ctx, mergeId: number): Promise<Result<MergeRecord>> {
      return p.tx(async (trx) => {
        const log = await trx
          .selectFrom('merge_log')
          .selectAll()
          .where('tenant_id', '=', ctx.principal.tenantId)
          .where('id', '=', mergeId)
          .executeTakeFirst();
        if (!log) return notFound('merge');
        const ids = await trx
          .selectFrom('customers')
          .select(['id', 'public_id'])
          .where('id', 'in', [log.survivor_id, log.merged_id])
          .execute();
        const pub = (id: number) => ids.find((r) => r.id === id)?.public_id ?? '';
        if (!(await findInScope(trx, ctx, pub(log.survivor_id)))) return notFound('merge');
        const r = await unmergeCustomers(trx, deps, ctx.principal.tenantId, mergeId);
        if (!r.ok) return r;
        await audit.record(trx, ctx, {
          action: 'customer.unmerged',
          targetType: 'customer',
          targetId: pub(log.survivor_id),
          after: { restored: pub(log.merged_id) },
        });
        const updated = await trx
          .selectFrom('merge_log')
          .selectAll()
          .where('id', '=', mergeId)
          .executeTakeFirstOrThrow();
        return ok(toMerge(updated, pub(log.survivor_id), pub(log.merged_id)));
      });
    },

    addNote(ctx: Ctx, publicId: string, body: string) {
      return p.tx(async (trx) => {
        const row = await findInScope(trx, ctx, publicId);
        if (!row) return notFound('customer');
        const now = clock.now();
        const note = await trx
          .insertInto('customer_notes')
          .values({
            tenant_id: row.tenant_id,
            customer_id: row.id,
            origin_customer_id: row.id,
            body,
            author_id: ctx.principal.id,
            author_name: ctx.principal.name,
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await audit.record(trx, ctx, {
          action: 'customer.note_added',
          targetType: 'customer',
          targetId: publicId,
        });
        return ok({ kind: 'note' as const, id: note.id, at: now, body, author: ctx.principal.name });
      });
    },

    findInScope,
  };

  async function listMerges(ctx: Ctx, publicId: string): Promise<Result<MergeRecord[]>> {
    const row = await findInScope(db, ctx, publicId);
    if (!row) return notFound('customer');
    const logs = await db
      .selectFrom('merge_log')
      .selectAll()
      .where('tenant_id', '=', row.tenant_id)
      .where((eb) => eb.or([eb('survivor_id', '=', row.id), eb('merged_id', '=', row.id)]))
      .orderBy('id', 'desc')
      .execute();
    const ids = [...new Set(logs.flatMap((l) => [l.survivor_id, l.merged_id]))];
    const pubs = ids.length
      ? await db.selectFrom('customers').select(['id', 'public_id']).where('id', 'in', ids).execute()
      : [];
    const pub = (id: number) => pubs.find((r) => r.id === id)?.public_id ?? '';
    return ok(logs.map((l) => toMerge(l, pub(l.survivor_id), pub(l.merged_id))));
  }
}

function toMerge(
  l: {
    id: number;
    reason: string;
    status: 'merged' | 'unmerged';
    created_at: number;
    unmerged_at: number | null;
  },
  survivorId: string,
  mergedId: string,
): MergeRecord {
  return {
    id: l.id,
    survivorId,
    mergedId,
    reason: l.reason,
    status: l.status,
    createdAt: l.created_at,
    unmergedAt: l.unmerged_at,
  };
}
