import { createServices, type Services } from '@pond/core';
import type { SimulatedClock } from './clock.ts';
import { type DialectName, openTestStorage } from './dialects.ts';

/** The value of a result that must have succeeded; a failure fails the test with its message. */
export function must<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Every domain service over a fresh test database on `dialect`, on a simulated clock. */
export async function openTestServices(
  dialect: DialectName,
  clock: SimulatedClock,
  options: { ingestThread?: boolean } = {},
): Promise<{ services: Services; close: () => Promise<void> }> {
  const ingestThread = options.ingestThread ?? false;
  const { storage, close } = await openTestStorage(dialect, { file: ingestThread });
  const services = createServices({ storage, clock, ingestThread });
  await services.ingest.ready();
  return {
    services,
    close: async () => {
      await services.ingest.stop();
      await close();
    },
  };
}

/** Lets queued jobs and outbox consumers run, as the worker would in the background. */
export async function settle(services: Services): Promise<void> {
  await services.platform.jobs.runDue();
  await services.platform.outbox.drain();
}
