import { migrateToLatest, openStorage } from '@pond/storage';
import { TEST_DATABASE_URL } from './dialects.ts';

/**
 * Migrates the shared PostgreSQL test schema once, before test files start opening pools
 * against it, and says which dialects this run covers.
 */
export default async function setup(): Promise<void> {
  if (!TEST_DATABASE_URL) {
    console.log('[pond] dialects: sqlite (set POND_TEST_DATABASE_URL to also run on PostgreSQL)');
    return;
  }
  const storage = await openStorage(TEST_DATABASE_URL, { schema: 'pond_test', poolSize: 1 });
  try {
    await migrateToLatest(storage);
  } finally {
    await storage.close();
  }
  console.log(`[pond] dialects: sqlite, postgres (${storage.description})`);
}
