import { makeTenant, openTestServices, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import type { NormalizedIdentity } from './identity-normalize.ts';
import { resolveCustomer } from './resolve.ts';
import { createVisitors } from './visitors.ts';

describe.each(testDialects())('new visitors made together on %s', (dialect) => {
  let services: Services;
  let close: () => Promise<void>;
  const clock = simulatedClock();

  beforeAll(async () => {
    ({ services, close } = await openTestServices(dialect, clock));
  });
  afterAll(() => close());

  const id = (type: NormalizedIdentity['type'], value: string): NormalizedIdentity => ({
    type,
    namespace: '',
    value,
  });

  it('folds a visitor into the profile that took one of its identities meanwhile', async () => {
    const { tenantId } = await makeTenant(services, 'Visitors');
    const deps = { clock, outbox: services.platform.outbox };
    const { db, dialect: info } = services.platform;
    // Another process attached user u1 first.
    const resolved = await services.platform.tx((trx) =>
      resolveCustomer(trx, deps, {
        tenantId,
        identities: [{ type: 'user_id', value: 'u1' }],
        source: 'test',
        at: clock.now(),
      }),
    );
    if (!resolved.ok) throw new Error(resolved.error.message);
    const holder = resolved.value.customerId;

    const made = await db.transaction().execute((trx) =>
      createVisitors(
        trx,
        info,
        deps,
        tenantId,
        [
          { identities: [id('anonymous_id', 'a1'), id('user_id', 'u1')], at: clock.now() },
          { identities: [id('anonymous_id', 'a2')], at: clock.now() },
        ],
        'segment',
      ),
    );

    expect(made[0]).toBe(holder);
    expect(made[1]).not.toBe(holder);
    const held = await db
      .selectFrom('customer_identities')
      .select(['type', 'value', 'customer_id'])
      .where('tenant_id', '=', tenantId)
      .orderBy('value')
      .execute();
    expect(held.map((r) => [r.type, r.value, Number(r.customer_id)])).toEqual([
      ['anonymous_id', 'a1', holder],
      ['anonymous_id', 'a2', made[1]],
      ['user_id', 'u1', holder],
    ]);
    const merges = await db
      .selectFrom('merge_log')
      .select(['survivor_id', 'reason'])
      .where('tenant_id', '=', tenantId)
      .execute();
    expect(merges.map((m) => [Number(m.survivor_id), m.reason])).toEqual([[holder, 'identity:race']]);
  });
});
