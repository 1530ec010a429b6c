import type { Identity } from '@pond/contracts';
import { makeTenant, openTestStorage, simulatedClock, testDialects } from '@pond/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services.ts';
import { unmergeCustomers } from './merge.ts';
import { type Resolved, type ResolveInput, resolveCustomer } from './resolve.ts';

describe.each(testDialects())('OneID resolution on %s', (dialect) => {
  let services: Services;
  let close: () => Promise<void>;
  const clock = simulatedClock();

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    close = opened.close;
    services = createServices({ storage: opened.storage, clock });
  });
  afterAll(() => close());

  const deps = () => ({ clock, outbox: services.platform.outbox });
  async function resolve(
    tenantId: string,
    identities: Identity[],
    extra: Partial<ResolveInput> = {},
  ): Promise<Resolved> {
    const r = await services.platform.tx((trx) =>
      resolveCustomer(trx, deps(), { tenantId, identities, source: 'test', at: clock.now(), ...extra }),
    );
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  }
  const identitiesOf = async (customerId: number) =>
    (
      await services.platform.db
        .selectFrom('customer_identities')
        .select(['type', 'value'])
        .where('customer_id', '=', customerId)
        .orderBy('type')
        .orderBy('value')
        .execute()
    ).map((r) => `${r.type}:${r.value}`);

  it('creates, matches by any identity, and normalizes phones and emails', async () => {
    const t = await makeTenant(services);
    const a = await resolve(t.tenantId, [{ type: 'phone', value: '138 0013 8000' }]);
    expect(a.created).toBe(true);
    const b = await resolve(t.tenantId, [
      { type: 'phone', value: '+8613800138000' },
      { type: 'email', value: 'Li@Example.com' },
    ]);
    expect([b.customerId, b.created]).toEqual([a.customerId, false]);
    const c = await resolve(t.tenantId, [{ type: 'email', value: 'li@example.com' }]);
    expect(c.customerId).toBe(a.customerId);
    expect(await identitiesOf(a.customerId)).toEqual(['email:li@example.com', 'phone:+8613800138000']);
  });

  it('rejects bad identities with the field at fault', async () => {
    const t = await makeTenant(services);
    const r = await services.platform.tx((trx) =>
      resolveCustomer(trx, deps(), {
        tenantId: t.tenantId,
        identities: [
          { type: 'user_id', value: 'u1' },
          { type: 'wechat_openid', value: 'o1' },
        ],
        source: 'test',
        at: clock.now(),
        field: 'body.identities',
      }),
    );
    expect(!r.ok && [r.error.code, r.error.field]).toEqual([
      'invalid_request',
      'body.identities.1.namespace',
    ]);
  });

  it('merges profiles linked by new data into the highest-priority match, and un-merges them', async () => {
    const t = await makeTenant(services);
    const anon = await resolve(t.tenantId, [{ type: 'anonymous_id', value: 'anon-1' }], {
      profile: { city: '杭州' },
    });
    const user = await resolve(t.tenantId, [{ type: 'user_id', value: 'u-1' }]);
    const linked = await resolve(t.tenantId, [
      { type: 'anonymous_id', value: 'anon-1' },
      { type: 'user_id', value: 'u-1' },
    ]);
    expect(linked.customerId).toBe(user.customerId);
    expect(linked.mergedIds).toEqual([anon.customerId]);
    const survivor = await services.platform.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', user.customerId)
      .executeTakeFirstOrThrow();
    expect(survivor.city).toBe('杭州');
    expect(await identitiesOf(user.customerId)).toEqual(['anonymous_id:anon-1', 'user_id:u-1']);

    const log = await services.platform.db
      .selectFrom('merge_log')
      .selectAll()
      .where('survivor_id', '=', user.customerId)
      .executeTakeFirstOrThrow();
    const undone = await services.platform.tx((trx) => unmergeCustomers(trx, deps(), t.tenantId, log.id));
    expect(undone.ok).toBe(true);
    expect(await identitiesOf(anon.customerId)).toEqual(['anonymous_id:anon-1']);
    expect(await identitiesOf(user.customerId)).toEqual(['user_id:u-1']);
    const restored = await services.platform.db
      .selectFrom('customers')
      .selectAll()
      .where('id', 'in', [anon.customerId, user.customerId])
      .orderBy('id')
      .execute();
    expect(restored.map((r) => [r.status, r.city])).toEqual([
      ['active', '杭州'],
      ['active', null],
    ]);
    const again = await services.platform.tx((trx) => unmergeCustomers(trx, deps(), t.tenantId, log.id));
    expect(!again.ok && again.error.code).toBe('conflict');
  });

  it('never merges two people with different user ids, and reports the conflict', async () => {
    const t = await makeTenant(services);
    const one = await resolve(t.tenantId, [
      { type: 'user_id', value: 'u-1' },
      { type: 'phone', value: '13800000001' },
    ]);
    const two = await resolve(t.tenantId, [
      { type: 'user_id', value: 'u-2' },
      { type: 'email', value: 'shared@example.com' },
    ]);
    const r = await resolve(t.tenantId, [
      { type: 'phone', value: '13800000001' },
      { type: 'email', value: 'shared@example.com' },
    ]);
    expect(r.customerId).toBe(one.customerId);
    expect(r.mergedIds).toEqual([]);
    expect(r.conflicts.map((c) => c.identity.value)).toEqual(['shared@example.com']);
    expect(await identitiesOf(two.customerId)).toEqual(['email:shared@example.com', 'user_id:u-2']);
    const second = await resolve(t.tenantId, [
      { type: 'user_id', value: 'u-1' },
      { type: 'user_id', value: 'u-3' },
    ]);
    expect(second.conflicts.map((c) => c.identity.value)).toEqual(['u-3']);
  });

  it('keeps every identity on exactly one active profile, and un-merging everything restores the start', async () => {
    const pool: Identity[] = [
      ...['a1', 'a2', 'a3', 'a4'].map((value) => ({ type: 'anonymous_id' as const, value })),
      ...['13800000011', '13800000012'].map((value) => ({ type: 'phone' as const, value })),
      { type: 'email', value: 'p@example.com' },
      { type: 'member_id', value: 'm1' },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.subarray(pool, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        async (calls) => {
          const tenant = await makeTenant(services, 'prop');
          const identityRows = () =>
            services.platform.db
              .selectFrom('customer_identities')
              .select(['id', 'customer_id'])
              .where('tenant_id', '=', tenant.tenantId)
              .execute();
          // Where each identity first landed: un-merging every merge must bring it back there.
          const firstOwner = new Map<number, number>();
          for (const call of calls) {
            await resolve(tenant.tenantId, call);
            for (const r of await identityRows())
              if (!firstOwner.has(r.id)) firstOwner.set(r.id, r.customer_id);
          }
          const rows = await services.platform.db
            .selectFrom('customer_identities')
            .innerJoin('customers', 'customers.id', 'customer_identities.customer_id')
            .select(['customer_identities.value', 'customers.status'])
            .where('customer_identities.tenant_id', '=', tenant.tenantId)
            .execute();
          expect(new Set(rows.map((r) => r.value)).size).toBe(rows.length);
          expect(rows.every((r) => r.status === 'active')).toBe(true);
          const logs = await services.platform.db
            .selectFrom('merge_log')
            .select('id')
            .where('tenant_id', '=', tenant.tenantId)
            .orderBy('id', 'desc')
            .execute();
          for (const log of logs) {
            const r = await services.platform.tx((trx) =>
              unmergeCustomers(trx, deps(), tenant.tenantId, log.id),
            );
            expect(r.ok).toBe(true);
          }
          for (const r of await identityRows()) expect(r.customer_id).toBe(firstOwner.get(r.id));
          const merged = await services.platform.db
            .selectFrom('customers')
            .select('id')
            .where('tenant_id', '=', tenant.tenantId)
            .where('status', '!=', 'active')
            .execute();
          expect(merged).toEqual([]);
          return true;
        },
      ),
      { numRuns: dialect === 'sqlite' ? 40 : 10 },
    );
  });
});
