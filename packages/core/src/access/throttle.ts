import type { Db } from '@pond/storage';
import type { Clock } from '../shared/clock.ts';

/**
 * Brute-force protection for sign-in. Failures are counted per identifier and per client
 * address within a window; past the limit the key is locked for a while. The counts live
 * in SQL so they hold across restarts and across processes.
 */
export const THROTTLE = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxPerIdentifier: 5,
  maxPerIp: 50,
} as const;

export function createSignInThrottle(db: Db, clock: Clock) {
  return {
    /** Seconds until the first locked key opens, or 0 when sign-in may be tried. */
    async lockedFor(keys: readonly string[]): Promise<number> {
      const now = clock.now();
      const rows = await db.selectFrom('sign_in_throttle').selectAll().where('key', 'in', keys).execute();
      const until = Math.max(0, ...rows.map((r) => r.locked_until ?? 0));
      return until > now ? Math.ceil((until - now) / 1000) : 0;
    },

    async failure(key: string, limit: number): Promise<void> {
      const now = clock.now();
      const row = await db
        .selectFrom('sign_in_throttle')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirst();
      const fresh = !row || now - row.window_started_at > THROTTLE.windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const values = {
        failures,
        window_started_at: fresh ? now : row.window_started_at,
        locked_until: failures >= limit ? now + THROTTLE.lockMs : null,
      };
      await db
        .insertInto('sign_in_throttle')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute();
    },

    async reset(key: string): Promise<void> {
      await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
    },
  };
}
