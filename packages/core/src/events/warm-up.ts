import type { Trx } from '@pond/storage';
import { createTenant } from '../org/tenants.ts';
import type { Clock } from '../shared/clock.ts';
import { type Pending, type StorePlatform, toStoreMessage } from './event-store.ts';
import { isRejection, parseSegmentMessage } from './segment-message.ts';

const REQUESTS = 10;
const PER_REQUEST = 100;
const VISITORS = 50;

/** Thrown to roll the warm-up back. */
class WarmedUp extends Error {}

/**
 * Runs the store once over synthetic requests — a scratch brand's visitors, their identifies
 * and tracks, a repeated messageId — in a transaction it then rolls back, so nothing of it
 * remains. A fresh thread runs its code unoptimized and prepares each statement on first use:
 * without this, the first requests after a start wait several times longer than the rest.
 */
export async function warmUp(
  p: StorePlatform,
  clock: Clock,
  store: (trx: Trx, requests: readonly Pending[]) => Promise<unknown>,
): Promise<void> {
  const now = clock.now();
  try {
    await p.db.transaction().execute(async (trx) => {
      const tenant = await createTenant(trx, clock, { name: 'warm-up' });
      const source = { id: 'warm-up', tenantId: tenant.id };
      const requests: Pending[] = Array.from({ length: REQUESTS }, (_, r) => ({
        source,
        receivedAt: now,
        rejected: [],
        messages: Array.from({ length: PER_REQUEST }, (_, i) => {
          const n = r * PER_REQUEST + i;
          const visitor = `warm-up-${n % VISITORS}`;
          const raw =
            n % 25 === 0
              ? { type: 'identify', userId: visitor, traits: { name: visitor }, messageId: `w${n}` }
              : {
                  type: 'track',
                  userId: visitor,
                  event: `e${n % 5}`,
                  properties: { n },
                  messageId: `w${n - (n % 40 === 1 ? 1 : 0)}`,
                };
          const m = parseSegmentMessage(raw, undefined, now, undefined, false);
          if (isRejection(m)) throw new Error(`warm-up message refused: ${m.reason}`);
          return toStoreMessage(m);
        }),
      }));
      await store(trx, requests);
      throw new WarmedUp();
    });
  } catch (e) {
    if (!(e instanceof WarmedUp)) throw e;
  }
}
