import { makeTenant, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture, type SessionCaller } from '../testing/http-fixture.ts';

describe.each(testDialects())('reading the audit log on %s', (dialect) => {
  let f: HttpFixture;
  let owner: SessionCaller;
  let root: string;

  beforeAll(async () => {
    f = await httpFixture(dialect);
    const t = await makeTenant(f.services);
    root = t.rootUnitId;
    owner = await f.signIn(t.ownerEmail);
  });
  afterAll(() => f.close());

  it('masks personal data in diffs', async () => {
    const res = await owner.call('POST', '/api/v1/staff', {
      name: 'Mask',
      orgUnitId: root,
      mobile: '13912345678',
    });
    const [entry] = (await owner.call('GET', `/api/v1/audit-log?targetId=${res.json.id}`)).json.data;
    expect(entry.diff.mobile).toEqual([null, '+86****78']);
    expect(JSON.stringify(entry)).not.toContain('13912345678');
  });

  it('pages by cursor without gaps or repeats, and filters by action and target', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await owner.call('POST', '/api/v1/org-units', {
        parentId: root,
        name: `P${i}`,
        kind: 'region',
      });
      made.push(r.json.id);
    }
    const all = (
      await owner.call('GET', '/api/v1/audit-log?action=org_unit.created&limit=200')
    ).json.data.map((e: { id: number }) => e.id);
    const seen: number[] = [];
    let cursor = '';
    for (let page = 0; page < 100; page++) {
      const res = await owner.call('GET', `/api/v1/audit-log?action=org_unit.created&limit=2${cursor}`);
      expect(res.json.data.length).toBeLessThanOrEqual(2);
      for (const e of res.json.data) expect(e.action).toBe('org_unit.created');
      seen.push(...res.json.data.map((e: { id: number }) => e.id));
      if (!res.json.nextCursor) break;
      cursor = `&cursor=${res.json.nextCursor}`;
    }
    expect(seen).toEqual(all);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));

    const ascending = await owner.call(
      'GET',
      '/api/v1/audit-log?action=org_unit.created&order=asc&limit=200',
    );
    expect(ascending.json.data.map((e: { id: number }) => e.id)).toEqual([...all].reverse());
    const one = await owner.call('GET', `/api/v1/audit-log?targetId=${made[2]}`);
    expect(one.json.data.map((e: { target: { id: string } }) => e.target.id)).toEqual([made[2]]);
    const byActor = await owner.call('GET', `/api/v1/audit-log?actorId=nobody&limit=5`);
    expect(byActor.json.data).toEqual([]);
  });
});
