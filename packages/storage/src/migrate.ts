import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from './migrations/index.ts';
import type { Storage } from './storage.ts';

/** Applies every pending migration; safe to call from several processes at once. */
export async function migrateToLatest(storage: Storage): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: storage.db as unknown as Kysely<unknown>,
    // Named explicitly: Kysely looks for its bookkeeping tables in every schema, and would
    // take another schema's for this one's.
    ...(storage.schema ? { migrationTableSchema: storage.schema } : {}),
    // Modules land in parallel: a migration merged with an earlier timestamp than one already
    // applied still runs, instead of the database being refused as corrupted.
    allowUnorderedMigrations: true,
    provider: {
      getMigrations: async () => {
        const bound: Record<string, Migration> = {};
        for (const [name, m] of Object.entries(migrations)) {
          bound[name] = { up: (db) => m.up(db, storage.dialect) };
        }
        return bound;
      },
    },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
