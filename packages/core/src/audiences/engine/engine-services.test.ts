import type { Rule } from '@pond/contracts';
import {
  addUser,
  makeTenant,
  must,
  openTestStorage,
  settle,
  simulatedClock,
  testDialects,
} from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../services.ts';
import type { Ctx } from '../../shared/context.ts';

const RULES: Rule[] = [
  { kind: 'attribute', field: 'city', op: 'eq', value: '上海' },
  { kind: 'not', rule: { kind: 'attribute', field: 'city', op: 'eq', value: '上海' } },
  { kind: 'attribute', field: 'name', op: 'contains', value: '客' },
  { kind: 'any', rules: [{ kind: 'attribute', field: 'createdAt', op: 'within_last', value: 3 }] },
];

/**
 * The services answer previews, saved audiences and auto-tags from the engine once a tenant's
 * index is ready; the answers must be those of the same services without it.
 */
describe.each(testDialects())('services on the audience engine on %s', (dialect) => {
  const clock = simulatedClock();
  let withEngine: Services;
  let sqlOnly: Services;
  let close: () => Promise<void>;
  let owner: Ctx;
  let regional: Ctx;
  let tenantId: string;

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    close = opened.close;
    withEngine = createServices({ storage: opened.storage, clock });
    sqlOnly = createServices({ storage: opened.storage, clock, audienceEngine: false });
    const t = await makeTenant(withEngine);
    owner = t.owner;
    tenantId = t.tenantId;
    const east = must(
      await withEngine.orgUnits.create(owner, { parentId: t.rootUnitId, name: 'East', kind: 'region' }),
    );
    const store = must(
      await withEngine.orgUnits.create(owner, { parentId: east.id, name: 'S1', kind: 'store' }),
    );
    regional = (await addUser(withEngine, tenantId, east.id, 'owner')).ctx;
    for (let i = 0; i < 30; i++) {
      must(
        await withEngine.customers.create(owner, {
          name: `客户${i}`,
          city: i % 3 === 0 ? '上海' : '北京',
          ...(i % 2 === 0 ? { storeId: store.id } : {}),
          identities: [{ type: 'user_id', value: `s${i}` }],
        }),
      );
      clock.advance(3_600_000 * (i % 5));
    }
  });
  afterAll(() => close());

  it('previews the same count and newest customers as SQL, within the caller scope', async () => {
    expect(withEngine.audienceEngine.ready(tenantId)).toBe(false);
    await withEngine.audienceEngine.build(tenantId);
    // A change after the build reaches the engine through the outbox.
    const list = must(await withEngine.customers.list(owner, { limit: 1, order: 'desc' })).data;
    must(await withEngine.customers.update(owner, list[0]?.id ?? '', { city: '上海' }));
    for (const ctx of [owner, regional]) {
      for (const rule of RULES) {
        const a = must(await withEngine.audiences.preview(ctx, { rule }));
        const b = must(await sqlOnly.audiences.preview(ctx, { rule }));
        expect([a.answeredBy, b.answeredBy]).toEqual(['index', 'database']);
        expect({ rule, count: a.count, sample: a.sample.map((c) => c.id) }).toEqual({
          rule,
          count: b.count,
          sample: b.sample.map((c) => c.id),
        });
      }
    }
    expect(withEngine.audienceEngine.stats(tenantId)?.live).toBe(30);
  });

  it('saves audiences with the members SQL gives', async () => {
    await withEngine.audienceEngine.build(tenantId);
    const rule = RULES[0] as Rule;
    const a = must(await withEngine.savedAudiences.create(owner, { name: 'engine', rule, kind: 'static' }));
    const b = must(await sqlOnly.savedAudiences.create(owner, { name: 'sql', rule, kind: 'static' }));
    await settle(withEngine);
    expect(a.size).toBe(b.size);
    expect(a.size).toBeGreaterThan(0);
  });
});
