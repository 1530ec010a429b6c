import { randomBytes } from 'node:crypto';
import { type Ctx, type Services, userPrincipal } from '@pond/core';
import {
  type ActivityHandle,
  type CorpData,
  type EmFollow,
  generateCorp,
  startWeComEmulator,
  type WeComEmulator,
} from '@pond/wecom';
import type { FastifyInstance } from 'fastify';

/**
 * Live WeCom activity for the demo brand. Once the demo is loaded into a brand, this starts
 * the WeCom emulator in this process with a corp made of the brand's own staff (their WeCom
 * userids) and some of its customers, points the brand's WeCom connection at it (callbacks to
 * this server's own address), runs the full sync once, creates demo live codes and then lets
 * the emulated corp act — adds through the live codes, deletions, group joins and quits — so
 * the console shows WeCom events arriving. Everything stops when the server closes.
 */

export const DEMO_WECOM_SEED = 20261123;
/** The demo corp's corpid: a brand connected to it is a demo brand whose activity resumes at start. */
export const DEMO_CORP_ID = 'ww5d3e0b7a2c4f6190';
/** Demo customers the emulated corp already knows (the rest of the brand is not on WeCom). */
const CORP_CUSTOMERS = 120;
const CORP_GROUPS = 4;

export interface DemoWeComOptions {
  /** Milliseconds between two actions of the emulated corp. Default 4000. */
  readonly intervalMs?: number;
  /** How often the full sync's progress is read while waiting for it. Default 500. */
  readonly pollMs?: number;
}

export type DemoWeComState = 'starting' | 'syncing' | 'live' | 'failed' | 'skipped';

export interface DemoWeComRun {
  state: DemoWeComState;
  error: string | null;
  emulator: WeComEmulator | null;
  activity: ActivityHandle | null;
  liveCodeIds: string[];
  /** Actions the corp has performed (each pushed its callback). */
  actions: number;
}

export type DemoWeCom = ReturnType<typeof createDemoWeCom>;

const byServer = new WeakMap<FastifyInstance, DemoWeCom>();

/** The demo WeCom runner of a server, when it has one (for operators' tools and tests). */
export function demoWeComOf(app: FastifyInstance): DemoWeCom | undefined {
  return byServer.get(app);
}

/**
 * Creates the per-server runner. `app` gives the listening address (callbacks come back to
 * it) and its close stops every emulator and activity timer.
 */
export function createDemoWeCom(app: FastifyInstance, services: Services, options: DemoWeComOptions = {}) {
  const runs = new Map<string, DemoWeComRun>();
  const pending = new Set<Promise<void>>();
  let closing = false;

  async function stopAll() {
    closing = true;
    await Promise.allSettled([...pending]);
    for (const run of runs.values()) {
      const activity = run.activity;
      run.activity = null;
      await activity?.stop();
      const emulator = run.emulator;
      run.emulator = null;
      await emulator?.close().catch(() => undefined);
    }
  }
  // Before the HTTP server stops: no action may push a callback into a closing server.
  app.addHook('preClose', stopAll);
  // Once listening: demo brands loaded earlier (`pond demo`, or before a restart) go live.
  app.addHook('onListen', async () => {
    const work = resumeAll().catch((error: unknown) =>
      app.log.warn({ err: error }, 'demo WeCom could not resume'),
    );
    pending.add(work);
    void work.finally(() => pending.delete(work));
  });

  /** Every brand the demo was loaded into, unless it has its own WeCom connection. */
  async function resumeAll() {
    const { db } = services.platform;
    const demos = await db
      .selectFrom('audit_log')
      .select('tenant_id')
      .distinct()
      .where('action', '=', 'demo.loaded')
      .execute();
    for (const { tenant_id: tenantId } of demos) {
      if (closing) return;
      const config = await db
        .selectFrom('wecom_configs')
        .select('corp_id')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (config && config.corp_id !== DEMO_CORP_ID) continue;
      const owner = await db
        .selectFrom('users')
        .innerJoin('org_units', 'org_units.id', 'users.scope_unit_id')
        .selectAll('users')
        .select('org_units.path')
        .where('users.tenant_id', '=', tenantId)
        .where('users.role', '=', 'owner')
        .where('users.status', '=', 'active')
        .orderBy('users.created_at')
        .executeTakeFirst();
      if (!owner) continue;
      runner.start({ principal: userPrincipal(owner, owner.path), requestId: null, ip: null });
    }
  }

  async function run(ctx: Ctx, state: DemoWeComRun) {
    const tenantId = ctx.principal.tenantId;
    const { db, clock } = services.platform;
    const existing = await services.wecom.config.get(ctx);
    if (existing.configured && existing.corpId !== DEMO_CORP_ID) {
      Object.assign(state, { state: 'skipped', error: 'the brand has its own WeCom connection' });
      return;
    }
    // Connected to the demo corp before (this server restarted): the synced data and live
    // codes are kept, and the new emulator knows the live codes' contact ways.
    const resuming = existing.configured;
    const liveCodes = await db
      .selectFrom('wecom_live_codes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .orderBy('created_at')
      .execute();
    const base = callbackBase(app);
    if (!base) throw new Error('the server is not listening, so WeCom callbacks cannot reach it');

    const staff = await db
      .selectFrom('staff')
      .select(['id', 'name', 'wecom_userid', 'org_unit_id'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .where('wecom_userid', 'is not', null)
      .orderBy('id')
      .execute();
    if (staff.length === 0) throw new Error('the demo brand has no staff with a WeCom userid');
    const customers = await db
      .selectFrom('customers')
      .innerJoin('customer_identities as x', (j) =>
        j
          .onRef('x.customer_id', '=', 'customers.id')
          .on('x.type', '=', 'wecom_external_userid')
          .onRef('x.tenant_id', '=', 'customers.tenant_id'),
      )
      .leftJoin('staff as owner', 'owner.id', 'customers.owner_staff_id')
      .select([
        'customers.id',
        'customers.name',
        'x.value as externalUserId',
        'owner.wecom_userid as ownerUserId',
      ])
      .where('customers.tenant_id', '=', tenantId)
      .where('customers.status', '=', 'active')
      .orderBy('customers.id')
      .limit(CORP_CUSTOMERS)
      .execute();
    const unionIds = new Map(
      customers.length === 0
        ? []
        : (
            await db
              .selectFrom('customer_identities')
              .select(['customer_id', 'value'])
              .where('tenant_id', '=', tenantId)
              .where('type', '=', 'wechat_unionid')
              .where(
                'customer_id',
                'in',
                customers.map((c) => c.id),
              )
              .execute()
          ).map((r) => [Number(r.customer_id), r.value]),
    );
    const corp = demoCorp(
      staff.map((s) => ({ userId: s.wecom_userid ?? '', name: s.name })),
      customers.map((c) => ({
        externalUserId: c.externalUserId,
        name: c.name ?? '',
        unionId: unionIds.get(Number(c.id)) ?? null,
        ownerUserId: c.ownerUserId,
      })),
      clock.now(),
    );
    corp.contactWays = liveCodes.map((c) => {
      const users = JSON.parse(c.active_users) as string[];
      return {
        configId: c.config_id,
        type: users.length > 1 ? 2 : 1,
        scene: 2,
        remark: c.name,
        skipVerify: c.skip_verify === 1,
        state: c.state,
        users,
        parties: [],
        isTemp: false,
        ...(c.qr_code !== null && { qrCode: c.qr_code }),
        createTime: Math.floor(c.created_at / 1000),
        cursor: 0,
      };
    });

    const secret = alnum(32);
    const token = alnum(32);
    const encodingAesKey = alnum(43);
    const emulator = await startWeComEmulator({
      seed: DEMO_WECOM_SEED,
      corp,
      secret,
      now: () => clock.now(),
    });
    state.emulator = emulator;
    if (closing) return;
    const saved = await services.wecom.config.save(ctx, {
      corpId: emulator.corpId,
      agentId: emulator.agentId,
      secret,
      token,
      encodingAesKey,
      apiBaseUrl: emulator.url,
    });
    if (!saved.ok) throw new Error(saved.error.message);
    emulator.setCallback({ url: `${base}${saved.value.callbackPath ?? ''}`, token, encodingAesKey });

    state.state = 'syncing';
    const synced = (await services.wecom.fullSync.latest(ctx)).sync;
    if (!resuming || synced?.status !== 'done') {
      const sync = await services.wecom.fullSync.start(ctx);
      if (!sync.ok && sync.error.code !== 'conflict') throw new Error(sync.error.message);
    }
    for (;;) {
      if (closing) return;
      const { sync: latest } = await services.wecom.fullSync.latest(ctx);
      if (latest?.status === 'done') break;
      if (latest?.status === 'failed') throw new Error(`the full sync failed: ${latest.error ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }

    // Live codes: one per store for the first stores, handing customers to that store's staff.
    const byUnit = new Map<string, typeof staff>();
    for (const s of staff) byUnit.set(s.org_unit_id, [...(byUnit.get(s.org_unit_id) ?? []), s]);
    const units = await db
      .selectFrom('org_units')
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...byUnit.keys()])
      .orderBy('id')
      .execute();
    const channels = [
      { name: '门店扫码', state: 'demo_store_qr', welcome: '欢迎光临！到店出示本消息可领取会员小样一份。' },
      { name: '直播间引流', state: 'demo_live_room', welcome: '感谢关注直播间，专属优惠券已为您预留。' },
      { name: '公众号菜单', state: 'demo_mp_menu', welcome: '您好，我是您的专属顾问，有任何问题随时找我。' },
    ];
    state.liveCodeIds.push(...liveCodes.map((c) => c.id));
    for (const [i, channel] of channels.entries()) {
      if (closing) return;
      if (liveCodes.some((c) => c.state === channel.state)) continue;
      const unit = units[i % Math.max(units.length, 1)];
      const pool = (unit ? (byUnit.get(unit.id) ?? []) : staff).slice(0, 5);
      const created = await services.wecomLiveCodes.create(ctx, {
        name: unit ? `${channel.name} · ${unit.name}` : channel.name,
        state: channel.state,
        pool: pool.map((s) => ({ staffId: s.id })),
        welcome: { text: channel.welcome },
        autoRemark: `{name}（${channel.name}）`,
      });
      if (!created.ok) throw new Error(created.error.message);
      state.liveCodeIds.push(created.value.id);
    }
    if (closing) return;
    state.activity = emulator.startActivity({
      intervalMs: options.intervalMs ?? 4000,
      onAction: () => {
        state.actions += 1;
      },
      onError: (error) => app.log.warn({ err: error, tenantId }, 'demo WeCom activity failed'),
    });
    state.state = 'live';
    app.log.info({ tenantId, emulator: emulator.url }, 'demo WeCom activity is live');
  }

  const runner = {
    /**
     * Starts live WeCom activity for the demo brand of `ctx`'s tenant, in the background.
     * A brand that already has a WeCom connection is left alone.
     */
    start(ctx: Ctx): DemoWeComRun {
      const tenantId = ctx.principal.tenantId;
      const known = runs.get(tenantId);
      if (known && known.state !== 'failed') return known;
      const state: DemoWeComRun = {
        state: 'starting',
        error: null,
        emulator: null,
        activity: null,
        liveCodeIds: [],
        actions: 0,
      };
      runs.set(tenantId, state);
      if (closing) return Object.assign(state, { state: 'failed', error: 'the server is closing' });
      const work = run(ctx, state).catch((e: unknown) => {
        state.state = 'failed';
        state.error = e instanceof Error ? e.message : String(e);
        app.log.warn({ tenantId, error: state.error }, 'demo WeCom could not start');
      });
      pending.add(work);
      void work.finally(() => pending.delete(work));
      return state;
    },
    /** The run of a tenant, if one was started. */
    get(tenantId: string): DemoWeComRun | undefined {
      return runs.get(tenantId);
    },
    stop: stopAll,
  };
  byServer.set(app, runner);
  return runner;
}

/** This server's own address as WeCom (the in-process emulator) calls it. */
function callbackBase(app: FastifyInstance): string | null {
  const address = app.server.address();
  if (!address || typeof address === 'string') return null;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function alnum(length: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((b) => letters[b % letters.length]).join('');
}

/**
 * The emulated corp of the demo brand: a seeded corp (tag library, groups, relationship
 * details) whose members are the brand's staff and whose customers are the brand's own
 * customers, each followed by their owner.
 */
export function demoCorp(
  staff: readonly { userId: string; name: string }[],
  customers: readonly {
    externalUserId: string;
    name: string;
    unionId: string | null;
    ownerUserId: string | null;
  }[],
  now: number,
): CorpData {
  const base = generateCorp({
    seed: DEMO_WECOM_SEED,
    corpId: DEMO_CORP_ID,
    corpName: '池塘美妆',
    departments: 0,
    staff: staff.length,
    customers: customers.length,
    groups: Math.min(CORP_GROUPS, staff.length),
    now,
  });
  const userIds = new Map(base.users.map((u, i) => [u.userId, staff[i]?.userId ?? u.userId]));
  const externalIds = new Map(
    base.customers.map((c, i) => [c.externalUserId, customers[i]?.externalUserId ?? c.externalUserId]),
  );
  const owners = new Map(customers.map((c) => [c.externalUserId, c.ownerUserId]));
  const known = new Set(staff.map((s) => s.userId));
  const users = base.users.map((u, i) => ({
    ...u,
    userId: staff[i]?.userId ?? u.userId,
    name: staff[i]?.name ?? u.name,
  }));
  const corpCustomers = base.customers.map((c, i) => {
    const own = customers[i];
    if (!own) return c;
    const { unionId: _u, ...rest } = c;
    return {
      ...rest,
      externalUserId: own.externalUserId,
      name: own.name || c.name,
      type: 1 as const,
      ...(own.unionId ? { unionId: own.unionId } : {}),
    };
  });
  // Each customer's first follower is their owner in the demo brand, when the owner has a userid.
  const follows: EmFollow[] = [];
  const seen = new Set<string>();
  const firstOf = new Set<string>();
  for (const f of base.follows) {
    const externalUserId = externalIds.get(f.externalUserId) ?? f.externalUserId;
    let userId = userIds.get(f.userId) ?? f.userId;
    const owner = owners.get(externalUserId);
    if (!firstOf.has(externalUserId) && owner && known.has(owner)) userId = owner;
    firstOf.add(externalUserId);
    const key = `${userId}|${externalUserId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    follows.push({ ...f, userId, externalUserId, operUserId: externalUserId });
  }
  const groups = base.groups.map((g) => ({
    ...g,
    owner: userIds.get(g.owner) ?? g.owner,
    members: g.members.map(({ unionId: _u, ...m }) => {
      if (m.type === 1) return { ...m, userId: userIds.get(m.userId) ?? m.userId };
      const userId = externalIds.get(m.userId) ?? m.userId;
      const customer = corpCustomers.find((c) => c.externalUserId === userId);
      return {
        ...m,
        userId,
        name: customer?.name ?? m.name,
        ...(m.invitor !== undefined && { invitor: userIds.get(m.invitor) ?? m.invitor }),
        ...(customer?.unionId !== undefined && { unionId: customer.unionId }),
      };
    }),
  }));
  return { ...base, users, customers: corpCustomers, follows, groups };
}
