import type { Database } from '@pond/storage';
import { startsWith } from '@pond/storage';
import type { ExpressionBuilder, ExpressionWrapper, SqlBool } from 'kysely';
import type { Ctx } from '../shared/context.ts';

type CustomersEb = ExpressionBuilder<Database, 'customers'>;

/**
 * Which customers a principal may see and change, as a condition on `customers`. HQ-scoped
 * principals see the whole tenant; a principal scoped to a unit sees customers of stores in
 * that subtree or owned by its staff; frontline staff see only the customers they own.
 * Every customer query goes through this one rule.
 */
export function customerScope(ctx: Ctx) {
  const p = ctx.principal;
  return (eb: CustomersEb): ExpressionWrapper<Database, 'customers', SqlBool> => {
    const tenant = eb('customers.tenant_id', '=', p.tenantId);
    if (p.role === 'staff') {
      // Staff not linked to a staff member own nobody (ids are positive, so this matches none).
      if (!p.staffId) return eb.and([tenant, eb('customers.id', '<', 0)]);
      return eb.and([tenant, eb('customers.owner_staff_id', '=', p.staffId)]);
    }
    if (p.scope.path.split('/').filter(Boolean).length <= 1) return eb.and([tenant]);
    const units = eb
      .selectFrom('org_units')
      .select('org_units.id')
      .where('org_units.tenant_id', '=', p.tenantId)
      .where(({ ref }) => startsWith(ref('org_units.path'), p.scope.path));
    const staff = eb
      .selectFrom('staff')
      .innerJoin('org_units as su', 'su.id', 'staff.org_unit_id')
      .select('staff.id')
      .where('staff.tenant_id', '=', p.tenantId)
      .where(({ ref }) => startsWith(ref('su.path'), p.scope.path));
    return eb.and([
      tenant,
      eb.or([eb('customers.store_id', 'in', units), eb('customers.owner_staff_id', 'in', staff)]),
    ]);
  };
}
