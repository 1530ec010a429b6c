import {
  makeTenant,
  must,
  openTestStorage,
  type SimulatedClock,
  simulatedClock,
  type TestTenant,
  testDialects,
} from '@pond/testing';
import { sealCallback, toXml } from '@pond/wecom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services.ts';
import { PRUNE_QUEUE } from './receiver.ts';

const CORP = 'ww6a112864f8022910';
const keys = {
  token: 'kz7Yx62CH8SaLN',
  encodingAesKey: 'cD0d7jx4tYvVtzqrmh3Dm3QFCXe6f8SlHoMtMh3qQEP',
  receiveId: CORP,
};
const MINUTE = 60_000;
const DAY = 86_400_000;
/** 08:03: the first pruning is due at 08:10, then every 10 minutes. */
const START = Date.UTC(2026, 10, 20, 8, 3);

describe.each(testDialects())('pruning the WeCom receiver’s replay guard on %s', (dialect) => {
  let services: Services;
  let close: () => Promise<void>;
  let clock: SimulatedClock;
  let t: TestTenant;
  let key: string;

  beforeAll(async () => {
    // A private schema: the pruning job deletes across brands, and its runs follow this clock.
    const opened = await openTestStorage(dialect, { isolated: true });
    close = opened.close;
    clock = simulatedClock(START);
    services = createServices({ storage: opened.storage, clock });
    t = await makeTenant(services);
    const saved = must(
      await services.wecom.config.save(t.owner, {
        corpId: CORP,
        token: keys.token,
        encodingAesKey: keys.encodingAesKey,
        apiBaseUrl: 'https://qyapi.weixin.qq.com',
      }),
    );
    key = saved.callbackPath?.split('/').pop() ?? '';
  });
  afterAll(() => close());

  /** A message Pond keeps as ignored (no processing job), sealed at the clock's time. */
  const request = (nonce: string) => {
    const xml = toXml('xml', {
      ToUserName: CORP,
      FromUserName: 'zhangsan',
      CreateTime: Math.floor(clock.now() / 1000),
      MsgType: 'text',
      Content: nonce,
    });
    const sealed = sealCallback(keys, xml, { now: () => clock.now(), nonce });
    const query = { msg_signature: sealed.msgSignature, timestamp: sealed.timestamp, nonce };
    return {
      send: () => services.wecom.receiver.receive(key, query, sealed.xml, '203.0.113.9'),
      forge: () =>
        services.wecom.receiver.receive(key, { ...query, msg_signature: 'f'.repeat(40) }, sealed.xml, null),
    };
  };

  const guard = async () =>
    (
      await services.platform.db
        .selectFrom('wecom_replay_guard')
        .select('nonce')
        .where('tenant_id', '=', t.tenantId)
        .orderBy('seen_at')
        .execute()
    ).map((r) => r.nonce);
  const rejections = async () =>
    (
      await services.platform.db
        .selectFrom('wecom_callback_rejections')
        .select(['reason', 'received_at'])
        .where('tenant_id', '=', t.tenantId)
        .orderBy('id')
        .execute()
    ).map((r) => [r.reason, Number(r.received_at)]);
  const pruneJobs = async () =>
    (
      await services.platform.db
        .selectFrom('jobs')
        .select(['status', 'run_at'])
        .where('queue', '=', PRUNE_QUEUE)
        .orderBy('run_at')
        .execute()
    ).map((j) => [j.status, Number(j.run_at)]);
  const at = async (ms: number) => {
    clock.set(ms);
    await services.platform.jobs.runDue();
  };

  it('forgets expired pairs and old refusals every 10 minutes without traffic, keeping fresh ones', async () => {
    // A refusal from 31 days ago and one from now.
    clock.set(START - 31 * DAY);
    expect(await request('old-forgery').forge()).toMatchObject({ reason: 'bad_signature' });
    clock.set(START);
    expect(await request('new-forgery').forge()).toMatchObject({ reason: 'bad_signature' });

    // Arming is idempotent: every worker start arms it, and one run is queued.
    await services.scheduleMaintenance();
    await services.scheduleMaintenance();
    expect(await pruneJobs()).toEqual([['queued', START + 7 * MINUTE]]);

    expect(await request('nonce-a').send()).toMatchObject({ status: 200, body: '' });
    await at(START + 6.5 * MINUTE);
    const b = request('nonce-b');
    expect(await b.send()).toMatchObject({ status: 200, body: '' });
    // Not due yet: nothing is pruned, however old.
    expect(await rejections()).toEqual([
      ['bad_signature', START - 31 * DAY],
      ['bad_signature', START],
    ]);

    // 08:10: the old refusal goes; both pairs are younger than the replay memory and stay,
    // so a retry of b is still known.
    await at(START + 7 * MINUTE);
    expect(await guard()).toEqual(['nonce-a', 'nonce-b']);
    expect(await rejections()).toEqual([['bad_signature', START]]);
    expect(await b.send()).toMatchObject({ status: 200, reason: 'replayed' });

    // 08:20, no traffic since: a (from 08:03) is past the 11-minute memory, b (08:09:30) is not.
    await at(START + 17 * MINUTE);
    expect(await guard()).toEqual(['nonce-b']);
    // 08:30: b is past it too.
    await at(START + 27 * MINUTE);
    expect(await guard()).toEqual([]);
    expect(await rejections()).toEqual([
      ['bad_signature', START],
      ['replayed', START + 7 * MINUTE],
    ]);

    // Each run queued the next one.
    expect(await pruneJobs()).toEqual([
      ['done', START + 7 * MINUTE],
      ['done', START + 17 * MINUTE],
      ['done', START + 27 * MINUTE],
      ['queued', START + 37 * MINUTE],
    ]);
  });
});
