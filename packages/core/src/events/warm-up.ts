import type { Trx } from '@pond/storage';
import { createTenant } from '../org/tenants.ts';
import type { Clock } from '../shared/clock.ts';
import { type Pending, type StorePlatform, toStoreMessage } from './event-store.ts';
import { isRejection, parseSegmentMessage } from './segment-message.ts';

const PER_REQUEST = 100;
const VISITORS = 200;

/** Thrown to roll the warm-up back. */
class WarmedUp extends Error {}

/**
 * Synthetic requests of one source: a few hundred visitors' tracks, with an identify now and
 * then and a repeated messageId, parsed and prepared for storage as real ones are.
 */
function syntheticRequests(source: Pending['source'], now: number, requests: number): Pending[] {
  return Array.from({ length: requests }, (_, r) => ({
    source,
    receivedAt: now,
    rejected: [],
    messages: Array.from({ length: PER_REQUEST }, (_, i) => {
      const n = r * PER_REQUEST + i;
      const visitor = `warm-up-${(n * 7) % VISITORS}`;
      const raw =
        n % 25 === 0
          ? { type: 'identify', userId: visitor, traits: { name: visitor }, messageId: `w${n}` }
          : {
              type: 'track',
              userId: visitor,
              event: `e${n % 5}`,
              properties: { n, sku: `s${n % 9}` },
              messageId: `w${n - (n % 40 === 1 ? 1 : 0)}`,
              timestamp: new Date(now - n * 1000).toISOString(),
            };
      const m = parseSegmentMessage(raw, undefined, now, undefined, false);
      if (isRejection(m)) throw new Error(`warm-up message refused: ${m.reason}`);
      return toStoreMessage(m);
    }),
  }));
}

/**
 * Runs the store over synthetic requests for a scratch brand, a few shared transactions' worth,
 * inside one transaction it then rolls back, so nothing of it remains. A fresh thread runs
 * its code unoptimized and prepares each statement on first use: without this, the first
 * requests after a start wait several times longer than the rest.
 */
export async function warmUp(
  p: StorePlatform,
  clock: Clock,
  store: (trx: Trx, requests: readonly Pending[]) => Promise<unknown>,
  { transactions = 6, requests = 16 } = {},
): Promise<void> {
  const now = clock.now();
  try {
    await p.db.transaction().execute(async (trx) => {
      const tenant = await createTenant(trx, clock, { name: 'warm-up' });
      const source = { id: 'warm-up', tenantId: tenant.id };
      for (let t = 0; t < transactions; t++) {
        await store(trx, syntheticRequests(source, now + t, requests));
      }
      throw new WarmedUp();
    });
  } catch (e) {
    if (!(e instanceof WarmedUp)) throw e;
  }
}
