import { randomUUID } from 'node:crypto';
import type { Storage, Trx } from '@pond/storage';
import { openTestStorage, simulatedClock, testDialects } from '@pond/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../platform/platform.ts';
import { createWriteGroup } from './write-group.ts';

describe.each(testDialects())('write group on %s', (dialect) => {
  let storage: Storage;
  let platform: Platform;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await openTestStorage(dialect));
    platform = createPlatform(storage, simulatedClock());
  });
  afterAll(() => close());

  const addTenant = (trx: Trx, slug: string) =>
    trx.insertInto('tenants').values({ id: slug, name: slug, slug, created_at: 0, updated_at: 0 }).execute();

  it('shares transactions among concurrent work and commits before answering', async () => {
    const inGroup = createWriteGroup(platform);
    const prefix = randomUUID();
    const transactions = new Set<Trx>();
    const slugs = Array.from({ length: 12 }, (_, i) => `${prefix}-${i}`);
    const answers = await Promise.all(
      slugs.map((slug) =>
        inGroup(async (trx) => {
          transactions.add(trx);
          await addTenant(trx, slug);
          return slug;
        }),
      ),
    );
    expect(answers).toEqual(slugs);
    // Work handed in together shares one transaction.
    expect(transactions.size).toBe(1);
    const stored = await storage.db
      .selectFrom('tenants')
      .select('slug')
      .where('slug', 'like', `${prefix}%`)
      .execute();
    expect(stored).toHaveLength(12);
  });

  it('fails only the caller whose work fails, keeping the rest of its group', async () => {
    const inGroup = createWriteGroup(platform);
    const prefix = randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        inGroup(async (trx) => {
          await addTenant(trx, `${prefix}-${i}`);
          if (i === 3) throw new Error('unit 3 fails');
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const stored = await storage.db
      .selectFrom('tenants')
      .select('slug')
      .where('slug', 'like', `${prefix}%`)
      .orderBy('slug')
      .execute();
    expect(stored.map((r) => r.slug)).toEqual([0, 1, 2, 4, 5].map((i) => `${prefix}-${i}`));
  });
});
