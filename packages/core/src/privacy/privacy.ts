import type {
  Consent,
  ConsentOverview,
  CustomerDataExport,
  EraseCustomer,
  RecordConsent,
  TimelineItem,
} from '@pond/contracts';
import type { ConsentTable, Executor } from '@pond/storage';
import type { Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Customers } from '../customers/customers.ts';
import type { createTimeline } from '../customers/timeline.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';

const toConsent = (r: Selectable<ConsentTable>): Consent => ({
  id: r.id,
  purpose: r.purpose,
  channel: r.channel as Consent['channel'],
  status: r.status,
  source: r.source,
  at: r.created_at,
});

async function consentsOf(ex: Executor, tenantId: string, customerId: number): Promise<Consent[]> {
  const rows = await ex
    .selectFrom('consents')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toConsent);
}

/**
 * PIPL duties: consent per purpose and channel, access (export everything held about a
 * customer) and erasure (personal data removed, aggregates kept).
 */
export function createPrivacy(
  p: Platform,
  audit: AuditLog,
  customers: Customers,
  timeline: ReturnType<typeof createTimeline>,
) {
  const { db, clock } = p;
  return {
    async consents(ctx: Ctx, publicId: string): Promise<Result<ConsentOverview>> {
      const row = await customers.findInScope(db, ctx, publicId);
      if (!row) return notFound('customer');
      const history = await consentsOf(db, row.tenant_id, row.id);
      // `history` is newest first, so the first answer seen for a pair is the current one.
      const latest = new Map<string, Consent>();
      for (const c of history) {
        const key = `${c.purpose}\u0000${c.channel}`;
        if (!latest.has(key)) latest.set(key, c);
      }
      return ok({ current: [...latest.values()], history });
    },

    recordConsent(ctx: Ctx, publicId: string, input: RecordConsent): Promise<Result<Consent>> {
      return p.tx(async (trx) => {
        const row = await customers.findInScope(trx, ctx, publicId);
        if (!row) return notFound('customer');
        if (row.status === 'erased') return fail('conflict', 'this customer was erased');
        const now = clock.now();
        const inserted = await trx
          .insertInto('consents')
          .values({
            tenant_id: row.tenant_id,
            customer_id: row.id,
            purpose: input.purpose,
            channel: input.channel,
            status: input.status,
            source: input.source,
            created_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await audit.record(trx, ctx, {
          action: `consent.${input.status}`,
          targetType: 'customer',
          targetId: publicId,
          after: input,
        });
        await p.outbox.append(trx, {
          tenantId: row.tenant_id,
          type: 'consent.changed',
          aggregateType: 'customer',
          aggregateId: publicId,
          payload: {
            customerId: row.id,
            purpose: input.purpose,
            channel: input.channel,
            status: input.status,
          },
        });
        return ok(toConsent(inserted));
      });
    },

    async exportData(ctx: Ctx, publicId: string): Promise<Result<CustomerDataExport>> {
      const detail = await customers.get(ctx, publicId);
      if (!detail.ok) return detail;
      const row = await customers.findInScope(db, ctx, publicId);
      if (!row) return notFound('customer');
      const items: TimelineItem[] = [];
      let cursor: string | undefined;
      do {
        const page = await timeline.list(ctx, publicId, { limit: 200, cursor });
        if (!page.ok) return page;
        items.push(...page.value.data);
        cursor = page.value.nextCursor ?? undefined;
      } while (cursor);
      const merges = await customers.merges(ctx, publicId);
      if (!merges.ok) return merges;
      await p.tx(async (trx) => {
        await audit.record(trx, ctx, {
          action: 'customer.data_exported',
          targetType: 'customer',
          targetId: publicId,
        });
        return ok(null);
      });
      return ok({
        exportedAt: clock.now(),
        customer: detail.value,
        consents: await consentsOf(db, row.tenant_id, row.id),
        merges: merges.value,
        timeline: items,
      });
    },

    erase(
      ctx: Ctx,
      publicId: string,
      input: EraseCustomer,
    ): Promise<Result<{ id: string; erasedAt: number }>> {
      return p.tx(async (trx) => {
        const row = await customers.findInScope(trx, ctx, publicId);
        if (!row) return notFound('customer');
        if (input.confirm !== publicId) {
          return fail('invalid_request', 'repeat the customer id to confirm the erasure', {
            field: 'body.confirm',
          });
        }
        if (row.status === 'erased') return fail('conflict', 'this customer was already erased');
        const now = clock.now();
        // Identifying data goes; what aggregates need (counts, times, store, stage) stays.
        await trx
          .updateTable('customers')
          .set({
            name: null,
            birthday: null,
            phone: null,
            email: null,
            city: null,
            attributes: '{}',
            status: 'erased',
            updated_at: now,
          })
          .where('id', '=', row.id)
          .execute();
        await trx.deleteFrom('customer_identities').where('customer_id', '=', row.id).execute();
        await trx
          .deleteFrom('customer_notes')
          .where('tenant_id', '=', row.tenant_id)
          .where('customer_id', '=', row.id)
          .execute();
        await trx
          .deleteFrom('customer_changes')
          .where('tenant_id', '=', row.tenant_id)
          .where('customer_id', '=', row.id)
          .execute();
        await trx
          .updateTable('events')
          .set({ properties: '{}', context: '{}' })
          .where('tenant_id', '=', row.tenant_id)
          .where('customer_id', '=', row.id)
          .execute();
        await audit.record(trx, ctx, {
          action: 'customer.erased',
          targetType: 'customer',
          targetId: publicId,
          after: { reason: input.reason },
        });
        await p.outbox.append(trx, {
          tenantId: row.tenant_id,
          type: 'customer.erased',
          aggregateType: 'customer',
          aggregateId: publicId,
          payload: { customerId: row.id },
        });
        return ok({ id: publicId, erasedAt: now });
      });
    },
  };
}
