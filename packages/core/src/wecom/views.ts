import type {
  CustomerGroup,
  CustomerGroupDetail,
  CustomerWeCom,
  ListCustomerGroupsQuery,
} from '@pond/contracts';
import {
  containsText,
  type Database,
  decodeCursor,
  encodeCursor,
  startsWith,
  type WeComGroupTable,
} from '@pond/storage';
import type { ExpressionBuilder, Selectable } from 'kysely';
import type { Customers } from '../customers/customers.ts';
import type { Platform } from '../platform/platform.ts';
import type { Ctx } from '../shared/context.ts';
import { fail, notFound, ok, type Result } from '../shared/result.ts';

type GroupRow = Selectable<WeComGroupTable>;

/**
 * Which groups a principal sees: HQ-scoped principals all of them, others the groups owned
 * by staff in their subtree, frontline staff the groups they own.
 */
function groupScope(ctx: Ctx) {
  const pr = ctx.principal;
  return (eb: ExpressionBuilder<Database, 'wecom_groups'>) => {
    const tenant = eb('wecom_groups.tenant_id', '=', pr.tenantId);
    if (pr.role === 'staff')
      return eb.and([tenant, eb('wecom_groups.owner_staff_id', '=', pr.staffId ?? '')]);
    if (pr.scope.path.split('/').filter(Boolean).length <= 1) return tenant;
    const staff = eb
      .selectFrom('staff')
      .innerJoin('org_units as su', 'su.id', 'staff.org_unit_id')
      .select('staff.id')
      .where('staff.tenant_id', '=', pr.tenantId)
      .where(({ ref }) => startsWith(ref('su.path'), pr.scope.path));
    return eb.and([tenant, eb('wecom_groups.owner_staff_id', 'in', staff)]);
  };
}

/** Reads for the console: customer groups with their members, a customer's WeCom ties. */
export function createWeComViews(p: Platform, customers: Customers) {
  const { db } = p;

  async function toGroups(rows: GroupRow[]): Promise<CustomerGroup[]> {
    const ids = [...new Set(rows.map((r) => r.owner_staff_id).filter((s): s is string => !!s))];
    const staff = ids.length
      ? await db.selectFrom('staff').select(['id', 'name']).where('id', 'in', ids).execute()
      : [];
    return rows.map((r) => ({
      id: r.id,
      chatId: r.chat_id,
      name: r.name,
      owner: r.owner_userid
        ? {
            userId: r.owner_userid,
            staffId: r.owner_staff_id,
            name: staff.find((s) => s.id === r.owner_staff_id)?.name ?? null,
          }
        : null,
      notice: r.notice,
      status: r.status,
      memberCount: r.member_count,
      externalCount: r.external_count,
      createdAt: r.wecom_created_at,
      dismissedAt: r.dismissed_at,
      updatedAt: r.updated_at,
    }));
  }

  return {
    async groups(
      ctx: Ctx,
      q: ListCustomerGroupsQuery,
    ): Promise<Result<{ data: CustomerGroup[]; nextCursor: string | null }>> {
      let query = db.selectFrom('wecom_groups').selectAll().where(groupScope(ctx));
      if (q.status) query = query.where('status', '=', q.status);
      if (q.q) {
        const text = q.q;
        query = query.where((eb) =>
          eb.or([containsText(eb.ref('name'), text, p.dialect.ilike), eb('chat_id', '=', text)]),
        );
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        if (!c || c[0] !== null || typeof c[1] !== 'string')
          return fail('invalid_request', 'cursor is not valid', { field: 'query.cursor' });
        query = query.where('id', q.order === 'asc' ? '>' : '<', c[1]);
      }
      const rows = await query
        .orderBy('id', q.order)
        .limit(q.limit + 1)
        .execute();
      const data = rows.slice(0, q.limit);
      const last = data[data.length - 1];
      return ok({
        data: await toGroups(data),
        nextCursor: rows.length > q.limit && last ? encodeCursor(null, last.id) : null,
      });
    },

    async group(ctx: Ctx, id: string): Promise<Result<CustomerGroupDetail>> {
      const row = await db
        .selectFrom('wecom_groups')
        .selectAll()
        .where(groupScope(ctx))
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return notFound('customer group');
      const members = await db
        .selectFrom('wecom_group_members')
        .leftJoin('customers', 'customers.id', 'wecom_group_members.customer_id')
        .selectAll('wecom_group_members')
        .select('customers.public_id')
        .where('wecom_group_members.group_id', '=', id)
        .orderBy('wecom_group_members.status', 'desc')
        .orderBy('wecom_group_members.joined_at')
        .execute();
      const [group] = await toGroups([row]);
      if (!group) return notFound('customer group');
      return ok({
        ...group,
        members: members.map((m) => ({
          memberId: m.member_id,
          kind: m.kind,
          name: m.name,
          customerId: m.public_id ?? null,
          staffId: m.staff_id,
          status: m.status,
          joinedAt: m.joined_at,
          joinScene: m.join_scene,
          quitScene: m.quit_scene,
          leftAt: m.left_at,
        })),
      });
    },

    async ofCustomer(ctx: Ctx, publicId: string): Promise<Result<CustomerWeCom>> {
      const customer = await customers.findInScope(db, ctx, publicId);
      if (!customer) return notFound('customer');
      const [relationships, groups] = await Promise.all([
        db
          .selectFrom('wecom_relationships')
          .leftJoin('staff', 'staff.id', 'wecom_relationships.staff_id')
          .selectAll('wecom_relationships')
          .select('staff.name as staff_name')
          .where('wecom_relationships.tenant_id', '=', customer.tenant_id)
          .where('wecom_relationships.customer_id', '=', customer.id)
          .orderBy('wecom_relationships.added_at', 'desc')
          .execute(),
        db
          .selectFrom('wecom_group_members')
          .innerJoin('wecom_groups', 'wecom_groups.id', 'wecom_group_members.group_id')
          .select([
            'wecom_groups.id',
            'wecom_groups.chat_id',
            'wecom_groups.name',
            'wecom_group_members.status',
            'wecom_group_members.joined_at',
            'wecom_group_members.left_at',
          ])
          .where('wecom_group_members.tenant_id', '=', customer.tenant_id)
          .where('wecom_group_members.customer_id', '=', customer.id)
          .orderBy('wecom_group_members.joined_at', 'desc')
          .execute(),
      ]);
      return ok({
        relationships: relationships.map((r) => ({
          id: r.id,
          customerId: publicId,
          externalUserId: r.external_userid,
          staffUserId: r.staff_userid,
          staffId: r.staff_id,
          staffName: r.staff_name ?? null,
          remark: r.remark,
          description: r.description,
          state: r.state,
          addWay: r.add_way,
          status: r.status,
          addedAt: r.added_at,
          statusChangedAt: r.status_changed_at,
          transferFailure: r.transfer_failure,
        })),
        groups: groups.map((g) => ({
          id: g.id,
          chatId: g.chat_id,
          name: g.name,
          status: g.status,
          joinedAt: g.joined_at,
          leftAt: g.left_at,
        })),
      });
    },
  };
}
