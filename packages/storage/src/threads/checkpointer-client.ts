import { once } from 'node:events';
import { startThread } from './start-thread.ts';

/** How often the checkpointer thread runs a passive checkpoint. */
const EVERY_MS = 50;

/**
 * Starts the checkpointer thread of a SQLite file (see `checkpointer.ts`); the returned
 * function stops it after a last checkpoint and closes its connection. The thread does not
 * keep the process alive on its own.
 */
export function startCheckpointer(file: string): () => Promise<void> {
  const thread = startThread(new URL('./checkpointer.ts', import.meta.url), { file, everyMs: EVERY_MS });
  thread.unref();
  let exited = false;
  thread.once('exit', () => {
    exited = true;
  });
  thread.on('error', () => {
    // The writers' own automatic checkpoints take over.
  });
  return async () => {
    if (exited) return;
    const stopped = once(thread, 'message');
    thread.postMessage('stop');
    await Promise.race([stopped, once(thread, 'exit')]);
    await thread.terminate();
  };
}
