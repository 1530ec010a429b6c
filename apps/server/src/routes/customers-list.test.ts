import { addUser, makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

describe.each(testDialects())('customer list filters and facets on %s', (dialect) => {
  let f: HttpFixture;
  let owner: SessionCaller;
  let manager: SessionCaller;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const t = await makeTenant(f.services);
    owner = await f.signIn(t.ownerEmail);
    const store = await owner.call('POST', '/api/v1/org-units', {
      parentId: t.rootUnitId,
      name: '南京店',
      kind: 'store',
    });
    const rows: [string, string, string, string | null][] = [
      ['A', '金卡', '上海', null],
      ['B', '金卡', '上海', null],
      ['C', '银卡', '南京', store.json.id],
      ['D', '金卡', '南京', store.json.id],
      ['E', '银卡', '上海', null],
    ];
    for (const [name, membershipLevel, city, storeId] of rows) {
      const res = await owner.call('POST', '/api/v1/customers', {
        name,
        membershipLevel,
        city,
        ...(storeId ? { storeId } : {}),
      });
      expect(res.status).toBe(201);
    }
    manager = await f.signIn((await addUser(f.services, t.tenantId, store.json.id, 'store_manager')).email);
  });
  afterAll(() => f.close());

  it('counts the commonest values within the caller’s scope', async () => {
    const all = await owner.call('GET', '/api/v1/customers/facets');
    expect(all.json.membershipLevel).toEqual([
      { value: '金卡', count: 3 },
      { value: '银卡', count: 2 },
    ]);
    expect(all.json.city).toEqual([
      { value: '上海', count: 3 },
      { value: '南京', count: 2 },
    ]);
    expect(all.json.lifecycleStage).toEqual([]);
    const scoped = await manager.call('GET', '/api/v1/customers/facets');
    expect(scoped.json.city).toEqual([{ value: '南京', count: 2 }]);
  });

  it('combines filters', async () => {
    const names = async (query: string) =>
      (await owner.call('GET', `/api/v1/customers?order=asc&${query}`)).json.data.map(
        (c: { name: string }) => c.name,
      );
    expect(await names(`city=${encodeURIComponent('上海')}`)).toEqual(['A', 'B', 'E']);
    expect(
      await names(`city=${encodeURIComponent('上海')}&membershipLevel=${encodeURIComponent('金卡')}`),
    ).toEqual(['A', 'B']);
    expect(await names(`city=${encodeURIComponent('广州')}`)).toEqual([]);
  });
});
