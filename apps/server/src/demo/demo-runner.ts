import type { DemoStatus } from '@pond/contracts';
import type { Ctx, Result, Services } from '@pond/core';
import { DEMO_FULL, type DemoScale } from '@pond/testing';
import { loadDemo } from './load-demo.ts';

/**
 * Runs demo loads in the background of this process and reports their progress. A load
 * takes tens of seconds at full scale, longer than a request should wait.
 */
export function createDemoRunner(services: Services, scale: DemoScale = DEMO_FULL) {
  const runs = new Map<
    string,
    { state: 'loading' | 'loaded' | 'failed'; customers: number; events: number; error: string | null }
  >();
  const target = { customers: scale.customers, events: scale.events };
  /** Called with the loader's context once a brand's demo has loaded (live WeCom activity hooks in here). */
  const loaded: Array<(ctx: Ctx) => void> = [];

  async function status(ctx: Ctx): Promise<DemoStatus> {
    const run = runs.get(ctx.principal.tenantId);
    if (run) return { ...run, target };
    const any = await services.platform.db
      .selectFrom('customers')
      .select('id')
      .where('tenant_id', '=', ctx.principal.tenantId)
      .limit(1)
      .executeTakeFirst();
    return { state: any ? 'unavailable' : 'available', customers: 0, events: 0, target, error: null };
  }

  return {
    status,
    /** Runs `listener` after each successful load. */
    afterLoad(listener: (ctx: Ctx) => void) {
      loaded.push(listener);
    },
    async start(ctx: Ctx): Promise<Result<DemoStatus>> {
      const current = await status(ctx);
      if (current.state !== 'available' && current.state !== 'failed') {
        return {
          ok: false,
          error: { code: 'conflict', message: 'the demo loads only into a brand without customers' },
        };
      }
      const run = {
        state: 'loading' as 'loading' | 'loaded' | 'failed',
        customers: 0,
        events: 0,
        error: null as string | null,
      };
      runs.set(ctx.principal.tenantId, run);
      void loadDemo(services, ctx, { scale, onProgress: (p) => Object.assign(run, p) })
        .then((r) => {
          if (r.ok) {
            Object.assign(run, r.value, { state: 'loaded' });
            for (const listener of loaded) listener(ctx);
          } else Object.assign(run, { state: 'failed', error: r.error.message });
        })
        .catch((e: unknown) =>
          Object.assign(run, { state: 'failed', error: e instanceof Error ? e.message : String(e) }),
        );
      return { ok: true, value: { ...run, target } };
    },
  };
}
