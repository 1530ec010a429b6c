import { type Ctx, createServices, type Services, systemClock } from '@pond/core';
import {
  DEMO_SMALL,
  makeTenant,
  openTestStorage,
  TEST_PASSWORD,
  type TestTenant,
  testDialects,
} from '@pond/testing';
import type { EmulatedCorp } from '@pond/wecom';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { testConfig } from '../config.ts';
import { createDemoRunner } from './demo-runner.ts';
import { demoWeComOf } from './demo-wecom.ts';
import { loadDemo } from './load-demo.ts';

/** Polls `probe` until it answers something truthy, or fails after `ms`. */
async function eventually<T>(probe: () => Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A listening server with live demo WeCom turned on: loading the small demo brand starts the
 * emulated corp, whose callbacks come back over HTTP and are processed by the job worker.
 */
describe.each(testDialects())('demo WeCom activity on %s', (dialect) => {
  let services: Services;
  let app: FastifyInstance;
  let closeStorage: () => Promise<void>;
  const stops: Array<() => Promise<void>> = [];
  let tenant: TestTenant;

  beforeAll(async () => {
    const opened = await openTestStorage(dialect, { isolated: true });
    closeStorage = opened.close;
    services = createServices({ storage: opened.storage, clock: systemClock });
    const base = testConfig();
    app = await createApp({
      config: { ...base, demo: { wecom: true, wecomIntervalMs: 100 } },
      services,
      demo: createDemoRunner(services, DEMO_SMALL),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    stops.push(services.platform.jobs.start({ pollMs: 50 }));
    stops.push(services.platform.outbox.start({ pollMs: 50 }));
    tenant = await makeTenant(services, 'Demo WeCom');
  });
  afterAll(async () => {
    await app?.close();
    for (const stop of stops) await stop();
    await closeStorage?.();
  });

  it('turns live-code adds into customers with relationships, and stops when the server closes', async () => {
    const signedIn = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { identifier: tenant.ownerEmail, password: TEST_PASSWORD },
    });
    expect(signedIn.statusCode).toBe(200);
    const session = signedIn.cookies.find((c) => c.name === 'pond_session')?.value;
    const csrf = signedIn.json().csrfToken as string;
    // The console's "load the demo" button.
    const load = await app.inject({
      method: 'POST',
      url: '/api/v1/demo',
      headers: { cookie: `pond_session=${session}`, 'x-csrf-token': csrf },
    });
    expect(load.statusCode).toBeLessThan(300);

    const run = await eventually(
      async () => {
        const r = demoWeComOf(app)?.get(tenant.tenantId);
        if (r?.state === 'failed') throw new Error(r.error ?? 'failed');
        return r?.state === 'live' ? r : null;
      },
      60_000,
      'the demo WeCom to go live',
    );
    expect(run.liveCodeIds.length).toBeGreaterThanOrEqual(2);
    const db = services.platform.db;
    const config = await db
      .selectFrom('wecom_configs')
      .selectAll()
      .where('tenant_id', '=', tenant.tenantId)
      .executeTakeFirstOrThrow();
    expect(config.api_base_url).toBe(run.emulator?.url);
    // The full sync linked the corp's relationships to the demo brand's own staff and customers.
    const sync = await services.wecom.fullSync.latest(tenant.owner);
    expect(sync.sync?.status).toBe('done');
    expect(sync.sync?.staffCreated).toBe(0);
    expect(sync.sync?.customersCreated).toBe(0);
    expect(sync.sync?.relationships).toBeGreaterThan(0);

    const customersBefore = await countCustomers(services, tenant.tenantId);
    const before = new Map<string, number>();
    for (const id of run.liveCodeIds) {
      const code = await services.wecomLiveCodes.get(tenant.owner, id);
      before.set(id, code.ok ? code.value.adds : -1);
    }
    // A live-code add: a new customer with an active relationship carrying the code's state.
    const added = await eventually(
      async () =>
        db
          .selectFrom('wecom_relationships as r')
          .innerJoin('wecom_live_codes as c', (j) =>
            j.onRef('c.state', '=', 'r.state').onRef('c.tenant_id', '=', 'r.tenant_id'),
          )
          .select(['r.customer_id', 'r.status', 'c.id as liveCodeId'])
          .where('r.tenant_id', '=', tenant.tenantId)
          .executeTakeFirst(),
      15_000,
      'a customer added through a live code',
    );
    expect(added.status).toBe('active');
    expect(await countCustomers(services, tenant.tenantId)).toBeGreaterThan(customersBefore);
    const rose = await eventually(
      async () => {
        for (const id of run.liveCodeIds) {
          const code = await services.wecomLiveCodes.get(tenant.owner, id);
          if (code.ok && code.value.adds > (before.get(id) ?? 0)) return true;
        }
        return false;
      },
      10_000,
      'a live code’s add count to rise',
    );
    expect(rose).toBe(true);
    const timeline = await db
      .selectFrom('events')
      .select('name')
      .where('tenant_id', '=', tenant.tenantId)
      .where('name', '=', 'WeCom Contact Added')
      .executeTakeFirst();
    expect(timeline?.name).toBe('WeCom Contact Added');

    // Closing the server stops the corp: no more actions, the emulator no longer answers.
    const corp = run.emulator?.corp as EmulatedCorp;
    const url = run.emulator?.url ?? '';
    await app.close();
    expect(run.activity).toBeNull();
    expect(run.emulator).toBeNull();
    const actions = run.actions;
    const follows = corp.follows.size;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(run.actions).toBe(actions);
    expect(corp.follows.size).toBe(follows);
    await expect(fetch(`${url}/cgi-bin/gettoken`)).rejects.toThrow();
  }, 120_000);

  it('resumes at start: a restarted server and a brand loaded by `pond demo` go live', async () => {
    // `pond demo` writes the brand straight into the database, with no server running.
    const cli = await makeTenant(services, 'Demo WeCom CLI');
    expect((await loadDemo(services, cli.owner, { scale: DEMO_SMALL })).ok).toBe(true);
    const codesBefore = await liveCodes(services, tenant.tenantId);
    app = await createApp({
      config: { ...testConfig(), demo: { wecom: true, wecomIntervalMs: 100 } },
      services,
      demo: createDemoRunner(services, DEMO_SMALL),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const live = (tenantId: string) =>
      eventually(
        async () => {
          const r = demoWeComOf(app)?.get(tenantId);
          if (r?.state === 'failed') throw new Error(r.error ?? 'failed');
          return r?.state === 'live' ? r : null;
        },
        60_000,
        `the demo WeCom of ${tenantId} to go live`,
      );
    const resumed = await live(tenant.tenantId);
    const fresh = await live(cli.tenantId);
    // The restarted brand keeps its codes and its synced data (no second sync).
    expect(await liveCodes(services, tenant.tenantId)).toEqual(codesBefore);
    const syncs = await services.platform.db
      .selectFrom('wecom_syncs')
      .select('id')
      .where('tenant_id', '=', tenant.tenantId)
      .execute();
    expect(syncs).toHaveLength(1);
    expect(fresh.liveCodeIds.length).toBeGreaterThanOrEqual(2);
    // The new emulator knows the old contact ways: adds through them keep counting.
    for (const [tenantId, run] of [
      [tenant.tenantId, resumed],
      [cli.tenantId, fresh],
    ] as const) {
      const ctx = tenantId === tenant.tenantId ? tenant.owner : cli.owner;
      const before = await addsOf(services, ctx, run.liveCodeIds);
      await eventually(
        async () => (await addsOf(services, ctx, run.liveCodeIds)) > before,
        15_000,
        'a live code’s add count to rise after the start',
      );
    }
  }, 120_000);
});

async function liveCodes(services: Services, tenantId: string) {
  return services.platform.db
    .selectFrom('wecom_live_codes')
    .select(['id', 'config_id'])
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();
}

async function addsOf(services: Services, ctx: Ctx, ids: readonly string[]): Promise<number> {
  let sum = 0;
  for (const id of ids) {
    const code = await services.wecomLiveCodes.get(ctx, id);
    if (code.ok) sum += code.value.adds;
  }
  return sum;
}

async function countCustomers(services: Services, tenantId: string): Promise<number> {
  const row = await services.platform.db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
