import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rule } from '@pond/contracts';
import { makeTenant, must, openTestStorage, settle, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { definitionsOf } from '../../customers/attributes.ts';
import { createServices, type Services } from '../../services.ts';
import type { Ctx } from '../../shared/context.ts';
import type { RuleEnv } from '../rule-sql.ts';
import { createAudienceEngine } from './engine.ts';
import { referenceBitmap } from './leaf-sql.ts';
import { snapshotPath } from './snapshot.ts';

const DAY = 86_400_000;

const RULES: Rule[] = [
  { kind: 'attribute', field: 'city', op: 'eq', value: '上海' },
  { kind: 'attribute', field: 'attributes.shoe', op: 'gte', value: 40 },
  { kind: 'attribute', field: 'attributes.hobbies', op: 'contains', value: '跑步' },
  { kind: 'attribute', field: 'lastActiveAt', op: 'within_last', value: 3 },
  { kind: 'not', rule: { kind: 'attribute', field: 'membershipLevel', op: 'in', value: ['gold'] } },
];

/**
 * Snapshots of the audience engine's indexes: a restart loads them and catches up with the
 * outbox, giving the answers SQL gives; a snapshot that cannot be trusted is refused with its
 * reason and the index is built from SQL instead.
 */
describe.each(testDialects())('audience index snapshots on %s', (dialect) => {
  const clock = simulatedClock();
  let services: Services;
  let close: () => Promise<void>;
  let owner: Ctx;
  let tenantId: string;
  let tagId: string;
  let dir: string;

  const engine = () => createAudienceEngine({ db: services.platform.db, clock, snapshotDir: dir });
  const rules = (): Rule[] => [...RULES, { kind: 'tags', match: 'any', tagIds: [tagId] }];

  const envNow = async (): Promise<RuleEnv> => ({
    tenantId,
    now: clock.now(),
    dialect: services.platform.dialect,
    definitions: await definitionsOf(services.platform.db, tenantId),
  });

  async function sameAsSql(e: ReturnType<typeof engine>) {
    const env = await envNow();
    for (const rule of rules()) {
      const got = await e.evaluate(services.platform.db, env, rule);
      const want = await referenceBitmap(services.platform.db, env, rule);
      expect({ rule, members: got?.toArray() }).toEqual({ rule, members: want.toArray() });
    }
  }

  beforeAll(async () => {
    const opened = await openTestStorage(dialect);
    close = opened.close;
    services = createServices({ storage: opened.storage, clock });
    const t = await makeTenant(services);
    owner = t.owner;
    tenantId = t.tenantId;
    must(await services.attributes.create(owner, { key: 'shoe', label: 'shoe', type: 'number' }));
    must(
      await services.attributes.create(owner, {
        key: 'hobbies',
        label: 'hobbies',
        type: 'list',
        options: ['跑步', '读书'],
      }),
    );
    const group = must(await services.tags.createGroup(owner, { name: 'g' }));
    tagId = must(await services.tags.create(owner, { groupId: group.id, name: 'VIP', color: 'gold' })).id;
    for (let i = 0; i < 24; i++) {
      const c = must(
        await services.customers.create(owner, {
          name: `客户${i}`,
          city: i % 3 === 0 ? '上海' : '杭州',
          ...(i % 4 === 0 ? { membershipLevel: 'gold' } : {}),
          attributes: { shoe: 36 + (i % 8), hobbies: i % 2 === 0 ? ['跑步'] : ['读书'] },
          identities: [{ type: 'user_id', value: `snap${i}` }],
        }),
      );
      if (i % 5 === 0)
        must(await services.tags.tagCustomer(owner, c.customer.id, [tagId], clock.now() + 2 * DAY));
      clock.advance(3_600_000);
    }
  });
  afterAll(() => close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pond-snapshots-'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('loads the snapshot at the next start and applies what changed meanwhile', async () => {
    const first = engine();
    await first.build(tenantId);
    expect(first.stats(tenantId)?.origin).toBe('sql');
    // A build from SQL writes its snapshot by itself.
    await first.saveSnapshots();
    expect(statSync(snapshotPath(dir, tenantId)).size).toBeGreaterThan(1_000);
    expect(await first.saveSnapshots(), 'nothing changed since').toEqual([]);

    // While "the server is down": profile, attribute and tag changes, and time passing (the
    // tag's expiry and the relative window move).
    const list = must(await services.customers.list(owner, { limit: 5, order: 'asc' })).data;
    must(await services.customers.update(owner, list[0]?.id ?? '', { city: '上海' }));
    must(
      await services.customers.update(owner, list[1]?.id ?? '', { attributes: { shoe: 45, hobbies: [] } }),
    );
    must(await services.tags.tagCustomer(owner, list[2]?.id ?? '', [tagId]));
    must(await services.tags.untagCustomer(owner, list[3]?.id ?? '', [tagId]));
    clock.advance(3 * DAY);

    const second = engine();
    await second.build(tenantId);
    expect(second.stats(tenantId)).toMatchObject({ origin: 'snapshot', snapshotRefused: null, live: 24 });
    await sameAsSql(second);
  });

  it('starts from the snapshots it finds and writes one when it stops', async () => {
    const first = engine();
    const stop = first.start({ everyMs: 3_600_000 });
    await first.build(tenantId);
    must(
      await services.customers.update(
        owner,
        must(await services.customers.list(owner, { limit: 1, order: 'asc' })).data[0]?.id ?? '',
        { city: '北京' },
      ),
    );
    await first.evaluate(services.platform.db, await envNow(), RULES[0] as Rule);
    await stop();

    const second = engine();
    const stopSecond = second.start();
    await expect.poll(() => second.ready(tenantId)).toBe(true);
    expect(second.stats(tenantId)?.origin).toBe('snapshot');
    await sameAsSql(second);
    await stopSecond();
  });

  it('refuses a snapshot it cannot trust and builds from SQL instead', async () => {
    const writer = engine();
    await writer.build(tenantId);
    await writer.saveSnapshots();
    const file = snapshotPath(dir, tenantId);
    const good = readFileSync(file);
    /** The reason the file now in place is refused; the engine then writes a good one. */
    const refusal = async () => {
      const e = engine();
      await e.build(tenantId);
      expect(e.stats(tenantId)?.origin).toBe('sql');
      await sameAsSql(e);
      await e.saveSnapshots();
      return e.stats(tenantId)?.snapshotRefused;
    };

    writeFileSync(file, good.subarray(0, good.byteLength - 7));
    expect(await refusal()).toMatch(/^size \d+, expected \d+$/);
    writeFileSync(file, Buffer.concat([Buffer.from('NOTPOND!'), good.subarray(8)]));
    expect(await refusal()).toBe('not a snapshot');

    // The outbox entry it was taken at is not the database's (another or restored database).
    writeFileSync(file, good);
    const { db } = services.platform;
    const top = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    const entry = await db
      .selectFrom('outbox')
      .select('created_at')
      .where('id', '=', Number(top.id))
      .executeTakeFirstOrThrow();
    await db
      .updateTable('outbox')
      .set({ created_at: Number(entry.created_at) + 1 })
      .where('id', '=', Number(top.id))
      .execute();
    expect(await refusal()).toBe('the outbox does not match (another or restored database)');
    await db
      .updateTable('outbox')
      .set({ created_at: Number(entry.created_at) })
      .where('id', '=', Number(top.id))
      .execute();
    writeFileSync(file, good);
    const e0 = engine();
    await e0.build(tenantId);
    expect(e0.stats(tenantId)?.origin, 'the same file, the outbox restored').toBe('snapshot');
  });

  it('loads a snapshot older than an attribute, answers that attribute in SQL, and rebuilds', async () => {
    const writer = engine();
    await writer.build(tenantId);
    await writer.saveSnapshots();
    must(await services.attributes.create(owner, { key: 'age', label: 'age', type: 'number' }));
    const [someone] = must(await services.customers.list(owner, { limit: 1, order: 'asc' })).data;
    must(await services.customers.update(owner, someone?.id ?? '', { attributes: { age: 30 } }));
    const byAge: Rule = { kind: 'attribute', field: 'attributes.age', op: 'gte', value: 18 };

    const e = engine();
    await e.build(tenantId);
    expect(e.stats(tenantId)).toMatchObject({ origin: 'snapshot', snapshotRefused: null });
    const answer = await e.evaluate(services.platform.db, await envNow(), byAge);
    expect(answer?.toArray()).toHaveLength(1);
    // A complete index, built from SQL in the background, takes over.
    await expect.poll(() => e.stats(tenantId)?.origin).toBe('sql');
    expect((await e.evaluate(services.platform.db, await envNow(), byAge))?.toArray()).toEqual(
      answer?.toArray(),
    );
    await sameAsSql(e);
    // The complete index replaces the old snapshot: the next start needs no rebuild.
    await e.saveSnapshots();
    const next = engine();
    await next.build(tenantId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(next.stats(tenantId)?.origin).toBe('snapshot');
  });

  it('rebuilds an index, running or snapshotted, that the outbox pruning went past', async () => {
    const running = engine();
    await running.build(tenantId);
    await running.saveSnapshots();
    // A change, handled by every consumer, then pruned a week later before this index saw it.
    const [someone] = must(await services.customers.list(owner, { limit: 1, order: 'asc' })).data;
    must(await services.customers.update(owner, someone?.id ?? '', { city: '成都' }));
    await settle(services);
    clock.advance(8 * DAY);
    expect(await services.platform.outbox.prune(7 * DAY)).toBeGreaterThan(0);

    const restarted = engine();
    await restarted.build(tenantId);
    expect(restarted.stats(tenantId)).toMatchObject({
      origin: 'sql',
      snapshotRefused: 'the outbox was pruned past it',
    });
    await sameAsSql(restarted);

    const inChengdu: Rule = { kind: 'attribute', field: 'city', op: 'eq', value: '成都' };
    expect(await running.evaluate(services.platform.db, await envNow(), inChengdu), 'SQL answers').toBeNull();
    await expect.poll(() => running.ready(tenantId)).toBe(true);
    await sameAsSql(running);
    expect((await running.evaluate(services.platform.db, await envNow(), inChengdu))?.size).toBe(1);
  });

  it('writes nothing without a directory', async () => {
    const e = createAudienceEngine({ db: services.platform.db, clock });
    await e.build(tenantId);
    expect(await e.saveSnapshots()).toEqual([]);
    const stop = e.start();
    await stop();
  });
});
