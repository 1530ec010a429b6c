/**
 * Runs `work` again and again in the background: after each round it sleeps `pollMs`, or
 * less when `wake()` is called. A wake that arrives while a round runs starts the next
 * round at once, so work committed during a round is never left waiting for the timer.
 */
export function pollLoop(name: string, work: () => Promise<unknown>, pollMs: number) {
  let stopped = false;
  let pending = false;
  let interrupt: (() => void) | null = null;
  const done = (async () => {
    while (!stopped) {
      pending = false;
      try {
        await work();
      } catch (e) {
        console.error(`${name} failed; retrying`, e);
      }
      if (stopped || pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      interrupt = null;
    }
  })();
  return {
    wake() {
      pending = true;
      interrupt?.();
    },
    async stop() {
      stopped = true;
      interrupt?.();
      await done;
    },
  };
}
