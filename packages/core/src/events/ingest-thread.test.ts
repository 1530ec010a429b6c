import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSource, makeTenant, must, openTestServices, simulatedClock } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import { startIngestThread } from './ingest-thread-client.ts';

// SQLite only: the ingest thread exists where the server's one process is the database.
describe('the ingest thread', () => {
  let services: Services;
  let close: () => Promise<void>;
  const clock = simulatedClock(Date.now());

  beforeAll(async () => {
    ({ services, close } = await openTestServices('sqlite', clock, { ingestThread: true }));
  });
  afterAll(() => close());

  const uid = () => Math.random().toString(36).slice(2, 10);
  const sourceOf = (tenant: Awaited<ReturnType<typeof makeTenant>>) => makeSource(services, tenant);
  const batchOf = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      type: 'track',
      userId: `${prefix}-v${i % 7}`,
      event: 'Viewed',
      properties: { i },
      messageId: `${prefix}-${i}`,
    }));
  const storedOf = async (tenantId: string) =>
    Number(
      (
        await services.platform.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('leaves nothing of its warm-up behind', async () => {
    const warmUp = await services.platform.db
      .selectFrom('tenants')
      .select('id')
      .where('name', '=', 'warm-up')
      .execute();
    expect(warmUp).toEqual([]);
    const ids = await services.platform.db
      .selectFrom('message_ids')
      .select('message_id')
      .where('message_id', 'like', 'w%')
      .execute();
    expect(ids).toEqual([]);
  });

  it('lets the main thread write while it stores, neither failing for the other', async () => {
    const t = await makeTenant(services);
    const source = await sourceOf(t);
    const u = uid();
    const ingests = Array.from({ length: 30 }, (_, r) =>
      services.ingest.ingest(source, batchOf(`${u}-${r}`, 200), undefined),
    );
    const customers = Array.from({ length: 30 }, (_, i) =>
      services.customers.create(t.owner, { name: `并发 ${i}`, identities: [] }),
    );
    const answers = await Promise.all(ingests);
    expect(answers.map((a) => must(a).accepted)).toEqual(Array(30).fill(200));
    expect((await Promise.all(customers)).every((c) => c.ok)).toBe(true);
    expect(await storedOf(t.tenantId)).toBe(6000);
  });

  it('stores what it was given before it stops', async () => {
    const { services: own, close: closeOwn } = await openTestServices('sqlite', clock, {
      ingestThread: true,
    });
    const t = await makeTenant(own);
    const created = must(await own.sources.create(t.owner, { name: 'App' }));
    const source = await own.sources.byWriteKey(created.writeKey);
    if (!source) throw new Error('no source');
    const pending = own.ingest.ingest(source, batchOf(uid(), 500), undefined);
    await own.ingest.stop();
    expect(must(await pending).accepted).toBe(500);
    const stored = await own.platform.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('tenant_id', '=', t.tenantId)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(500);
    await closeOwn();
  });

  it('fails the requests of a thread that cannot open its database, instead of leaving them waiting', async () => {
    const notADatabase = join(tmpdir(), `pond-not-a-db-${uid()}`);
    writeFileSync(notADatabase, 'this is not a SQLite database, whatever its name says');
    const thread = startIngestThread({ path: notADatabase, writeTurns: new SharedArrayBuffer(4) }, () => {});
    const pending = {
      source: { id: 'src', tenantId: 'tenant' },
      messages: [],
      rejected: [],
      receivedAt: clock.now(),
    };
    await expect(thread.write(pending)).rejects.toThrow(
      /ingest thread stopped .*(SQLITE_NOTADB|not a database)/,
    );
    // The next request starts a new thread, which fails the same way.
    await expect(thread.write(pending)).rejects.toThrow(/ingest thread stopped/);
    await thread.stop();
    rmSync(notADatabase, { force: true });
  });
});
