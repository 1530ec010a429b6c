import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Storage } from '@pond/storage';
import { makeTenant, must, type SimulatedClock, simulatedClock, type TestTenant } from '@pond/testing';
import { startWeComEmulator, type WeComEmulator } from '@pond/wecom';
import { createServices, type Services } from '../../services.ts';
import { weComGateways } from '../client.ts';

const TOKEN = 'kz7Yx62CH8SaLN';
const AES_KEY = 'cD0d7jx4tYvVtzqrmh3Dm3QFCXe6f8SlHoMtMh3qQEP';
export const EMULATOR_SECRET = 'emulatorSecret_0123456789';

export interface EmulatedTenant {
  services: Services;
  clock: SimulatedClock;
  emulator: WeComEmulator;
  t: TestTenant;
  /** Pond staff per WeCom userid, made for the corp's active members. */
  staff: Map<string, string>;
  /** Delivers the outbox and runs every due job until nothing is left (callbacks, welcome messages, syncs, polls). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A tenant connected to a running WeCom emulator, whose callbacks reach the tenant's real
 * receiver over HTTP (as WeCom's would), on a simulated clock shared with the emulator.
 */
export async function emulatedTenant(storage: Storage, seed: number): Promise<EmulatedTenant> {
  const clock = simulatedClock(Date.UTC(2026, 10, 23, 2, 0, 0));
  const services = createServices({
    storage,
    clock,
    secretKey: randomBytes(32),
    wecomGateway: weComGateways(),
  });
  let callbackKey = '';
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const q = Object.fromEntries(url.searchParams);
      services.wecom.receiver
        .receive(callbackKey, q, Buffer.concat(chunks).toString('utf8'), '127.0.0.1')
        .then((a) => res.writeHead(a.status).end(a.body))
        .catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  const emulator = await startWeComEmulator({
    seed,
    generate: { departments: 2, staff: 6, customers: 30, groups: 2 },
    secret: EMULATOR_SECRET,
    now: () => clock.now(),
    callback: { url: `http://127.0.0.1:${port}/cb`, token: TOKEN, encodingAesKey: AES_KEY },
    callbackRetryDelayMs: 10,
  });
  const t = await makeTenant(services);
  const saved = must(
    await services.wecom.config.save(t.owner, {
      corpId: emulator.corpId,
      secret: EMULATOR_SECRET,
      token: TOKEN,
      encodingAesKey: AES_KEY,
      apiBaseUrl: emulator.url,
    }),
  );
  callbackKey = saved.callbackPath?.split('/').pop() ?? '';
  const staff = new Map<string, string>();
  for (const u of emulator.corp.users.values()) {
    if (u.status !== 1 || !u.customerContact) continue;
    const s = must(
      await services.staff.create(t.owner, { name: u.name, orgUnitId: t.rootUnitId, wecomUserId: u.userId }),
    );
    staff.set(u.userId, s.id);
  }
  return {
    services,
    clock,
    emulator,
    t,
    staff,
    async drain() {
      for (let i = 0; i < 20; i++) {
        const n = (await services.platform.outbox.drain()) + (await services.platform.jobs.runDue());
        if (n === 0) return;
      }
    },
    async close() {
      await emulator.close();
      await new Promise<void>((r) => receiver.close(() => r()));
    },
  };
}
