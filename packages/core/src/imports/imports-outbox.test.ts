import { Readable } from 'node:stream';
import type { Rule } from '@pond/contracts';
import { makeTenant, must, openTestStorage, settle, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services.ts';
import type { Ctx } from '../shared/context.ts';

const SHANGHAI: Rule = { kind: 'attribute', field: 'city', op: 'eq', value: '上海' };

/**
 * An import tells the outbox about the customers it creates and changes, so every consumer —
 * saved audiences, the audience engine, auto-tags — follows it as it follows the console.
 */
describe.each(testDialects())('imports on the outbox on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let sqlOnly: Services;
  let close: () => Promise<void>;
  let owner: Ctx;
  let tenantId: string;

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    close = opened.close;
    services = createServices({ storage: opened.storage, clock });
    sqlOnly = createServices({ storage: opened.storage, clock, audienceEngine: false });
    const t = await makeTenant(services);
    owner = t.owner;
    tenantId = t.tenantId;
  });
  afterAll(async () => {
    await services.imports.drain();
    await close();
  });

  async function runImport(csv: string, dryRun = false) {
    const job = must(
      await services.imports.upload(owner, { fileName: 'members.csv' }, Readable.from([Buffer.from(csv)])),
    );
    must(
      await services.imports.start(owner, job.id, {
        mapping: { name: 'name', phone: 'phone', city: 'city' },
        dryRun,
        updateExisting: true,
      }),
    );
    await services.imports.settled(job.id);
    return must(await services.imports.get(owner, job.id));
  }
  const events = async () =>
    (
      await services.platform.db
        .selectFrom('outbox')
        .select(['type', 'aggregate_id', 'payload'])
        .where('tenant_id', '=', tenantId)
        .where('type', 'in', ['customer.created', 'customer.updated'])
        .orderBy('id')
        .execute()
    ).map((e) => ({ type: e.type, id: e.aggregate_id, payload: JSON.parse(e.payload) }));
  const members = async (audienceId: string) =>
    must(await services.customers.list(owner, { audienceId, limit: 50, order: 'asc' }))
      .data.map((c) => c.name)
      .sort();

  it('moves customers whose city an import changed into and out of a dynamic audience on the next relay pass', async () => {
    const first = await runImport(
      'name,phone,city\nA,13800000001,北京\nB,13800000002,上海\nC,13800000003,上海\n',
    );
    expect([first.status, first.createdRows]).toEqual(['done', 3]);
    const created = await events();
    expect(created.map((e) => e.type)).toEqual(['customer.created', 'customer.created', 'customer.created']);
    await settle(services);
    await services.audienceEngine.build(tenantId);
    const audience = must(
      await services.savedAudiences.create(owner, { name: '上海', rule: SHANGHAI, kind: 'dynamic' }),
    );
    expect(await members(audience.id)).toEqual(['B', 'C']);

    // A dry run changes nothing and tells nothing.
    const dry = await runImport('name,phone,city\nA,13800000001,上海\n', true);
    expect([dry.status, dry.updatedRows]).toEqual(['done', 1]);
    expect(await events()).toHaveLength(3);

    // A moves to Shanghai, B leaves, C is unchanged, D is new.
    const second = await runImport(
      'name,phone,city\nA,13800000001,上海\nB,13800000002,杭州\nC,13800000003,上海\nD,13800000004,上海\n',
    );
    expect([second.status, second.createdRows, second.updatedRows]).toEqual(['done', 1, 3]);
    const told = (await events()).slice(3);
    const a = must(await services.customers.list(owner, { q: '13800000001', limit: 1, order: 'asc' }))
      .data[0];
    expect(told.map((e) => [e.type, e.payload.changes ?? null])).toEqual([
      ['customer.created', null],
      ['customer.updated', { city: ['北京', '上海'] }],
      ['customer.updated', { city: ['上海', '杭州'] }],
    ]);
    expect(told[1]?.id).toBe(a?.id);
    const timeline = await services.platform.db
      .selectFrom('customer_changes')
      .select(['changes', 'source'])
      .where('tenant_id', '=', tenantId)
      .where('source', '=', 'import')
      .orderBy('id')
      .execute();
    expect(timeline.map((c) => [c.source, JSON.parse(c.changes)])).toEqual([
      ['import', { city: ['北京', '上海'] }],
      ['import', { city: ['上海', '杭州'] }],
    ]);

    await settle(services);
    expect(await members(audience.id)).toEqual(['A', 'C', 'D']);
    expect(must(await services.savedAudiences.get(owner, audience.id)).size).toBe(3);
    // The engine (already built before the import) agrees with the SQL reference.
    expect(services.audienceEngine.ready(tenantId)).toBe(true);
    const fast = must(await services.audiences.preview(owner, { rule: SHANGHAI }));
    const reference = must(await sqlOnly.audiences.preview(owner, { rule: SHANGHAI }));
    expect(fast.count).toBe(3);
    expect(fast.sample.map((c) => c.name).sort()).toEqual(reference.sample.map((c) => c.name).sort());
  });
});
