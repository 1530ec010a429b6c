import type { Customer, PreviewAudience } from '@pond/contracts';
import { definitionsOf } from '../customers/attributes.ts';
import { toCustomer } from '../customers/customer-view.ts';
import { customerScope } from '../customers/scope.ts';
import type { Platform } from '../platform/platform.ts';
import { type Ctx, can } from '../shared/context.ts';
import { ok, type Result } from '../shared/result.ts';
import { checkRule, ruleContextOf } from './rule-check.ts';
import { ruleToSql } from './rule-sql.ts';

export interface AudiencePreview {
  readonly count: number;
  readonly sample: Customer[];
}

export function createAudiences(p: Platform) {
  const { db, clock } = p;
  return {
    /** How many of the customers the caller sees match a rule now, and the newest few of them. */
    async preview(ctx: Ctx, input: PreviewAudience): Promise<Result<AudiencePreview>> {
      const tenantId = ctx.principal.tenantId;
      const definitions = await definitionsOf(db, tenantId);
      const checked = checkRule(input.rule, await ruleContextOf(db, tenantId, definitions));
      if (!checked.ok) return checked;
      const matches = ruleToSql(checked.value, {
        tenantId,
        now: clock.now(),
        dialect: p.dialect,
        definitions,
      });
      const base = db
        .selectFrom('customers')
        .where(customerScope(ctx))
        .where('status', '=', 'active')
        .where(matches);
      const [total, rows] = await Promise.all([
        base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
        base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(10).execute(),
      ]);
      const unmasked = can(ctx, 'pii.view');
      return ok({ count: Number(total.n), sample: rows.map((r) => toCustomer(r, unmasked)) });
    },
  };
}
