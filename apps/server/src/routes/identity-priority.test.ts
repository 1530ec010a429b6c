import { IdentityType } from '@pond/contracts';
import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

describe.each(testDialects())('identity priority on %s', (dialect) => {
  let f: HttpFixture;
  let tenant: Awaited<ReturnType<typeof makeTenant>>;
  let owner: SessionCaller;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    tenant = await makeTenant(f.services);
    owner = await f.signIn(tenant.ownerEmail);
  });
  afterAll(() => f.close());

  /** Two profiles, one by user id (older) and one by phone, then data linking both. */
  async function linkPair(n: string) {
    const byUser = await owner.call('POST', '/api/v1/customers', {
      name: `user ${n}`,
      identities: [{ type: 'user_id', value: `u-${n}` }],
    });
    const byPhone = await owner.call('POST', '/api/v1/customers', {
      name: `phone ${n}`,
      phone: `1380000${n}`,
    });
    const linked = await owner.call('POST', '/api/v1/customers', {
      identities: [
        { type: 'user_id', value: `u-${n}` },
        { type: 'phone', value: `1380000${n}` },
      ],
    });
    expect(linked.json.merged).toHaveLength(1);
    return {
      survivor: linked.json.customer.id as string,
      byUser: byUser.json.customer.id as string,
      byPhone: byPhone.json.customer.id as string,
    };
  }

  it('picks the merge survivor by the tenant’s own order, and returns to the default', async () => {
    const initial = await owner.call('GET', '/api/v1/settings/identity-priority');
    expect(initial.json).toEqual({ priority: expect.any(Array), isDefault: true });
    expect(initial.json.priority[0]).toBe('user_id');

    const byDefault = await linkPair('0001');
    expect(byDefault.survivor).toBe(byDefault.byUser);

    const phoneFirst = ['phone', ...IdentityType.options.filter((t) => t !== 'phone')];
    const set = await owner.call('PUT', '/api/v1/settings/identity-priority', { priority: phoneFirst });
    expect(set.json).toEqual({ priority: phoneFirst, isDefault: false });
    const byTenant = await linkPair('0002');
    expect(byTenant.survivor).toBe(byTenant.byPhone);

    const reset = await owner.call('PUT', '/api/v1/settings/identity-priority', { priority: null });
    expect(reset.json.isDefault).toBe(true);
    const again = await linkPair('0003');
    expect(again.survivor).toBe(again.byUser);
  });

  it('refuses an order that leaves out or repeats a type, and a role without the permission', async () => {
    for (const priority of [['phone'], [...IdentityType.options.slice(1), 'phone'], ['nope']]) {
      const res = await owner.call('PUT', '/api/v1/settings/identity-priority', { priority });
      expect([res.status, res.json.error.code, res.json.error.field?.startsWith('body.priority')]).toEqual([
        400,
        'invalid_request',
        true,
      ]);
    }
    const operator = await f.signIn(
      (await addUser(f.services, tenant.tenantId, tenant.rootUnitId, 'analyst')).email,
    );
    expect((await operator.call('GET', '/api/v1/settings/identity-priority')).status).toBe(200);
    const denied = await operator.call('PUT', '/api/v1/settings/identity-priority', { priority: null });
    expect(denied.status).toBe(403);
  });
});
