import { join } from 'node:path';
import { type Clock, createServices, randomToken, systemClock } from '@pond/core';
import { migrateToLatest, openStorage } from '@pond/storage';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { loadSecretKey } from './secret-key.ts';

export interface RunningPond {
  readonly url: string;
  /** A link that opens first-time setup, while no brand exists. */
  readonly setupUrl: string | null;
  stop(): Promise<void>;
}

/**
 * The composition root: configuration → storage (migrated) → services → HTTP → workers.
 * `npm start` and `pond start` both come here.
 */
export async function startPond(config: Config, clock: Clock = systemClock): Promise<RunningPond> {
  const storage = await openStorage(config.storage.url);
  await migrateToLatest(storage);
  const hasTenant =
    (await storage.db.selectFrom('tenants').select('id').limit(1).executeTakeFirst()) !== undefined;
  const setupToken = hasTenant ? null : randomToken(18);
  const services = createServices({
    storage,
    clock,
    setupToken,
    dedupeWindowMs: config.ingest.dedupeWindowMs,
    secretKey: await loadSecretKey(config.secretKey, config.dataDir),
    publicUrl: config.http.publicUrl,
    audienceSnapshotDir: join(config.dataDir, 'audience-index'),
    ingestThread: clock === systemClock,
  });

  // Every role answers rules: each keeps its audience indexes and their snapshots.
  const stops: Array<() => Promise<void>> = [services.audienceEngine.start(), services.ingest.stop];
  if (config.role !== 'api') {
    await services.scheduleMaintenance();
    stops.push(services.platform.outbox.start());
    stops.push(services.platform.jobs.start());
  }
  // The ingest thread keeps starting in the background (about a second): requests that come
  // before it is ready wait for it rather than the server waiting to listen.
  const app = await createApp({ config, services });
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  const shown = address.replace('://127.0.0.1', '://localhost').replace('://[::1]', '://localhost');
  const url = config.http.publicUrl ?? shown;
  app.log.info({ storage: storage.description, role: config.role }, `Pond is listening at ${url}`);
  return {
    url,
    setupUrl: setupToken ? `${url.replace(/\/$/, '')}/setup?token=${setupToken}` : null,
    async stop() {
      await app.close();
      await services.imports.drain();
      for (const stop of stops) await stop();
      await storage.close();
    },
  };
}
