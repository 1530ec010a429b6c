import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { startThread } from '@pond/storage';
import type { Pending } from './event-store.ts';

/**
 * A request to store goes as JSON: the thread reads it back faster (1.5 µs per event) than
 * the structured clone of the same objects (2.1–2.8 µs), and the thread is the busier side.
 */
export type ThreadRequest = { kind: 'store'; id: number; pending: string } | { kind: 'stop' };
export type ThreadReply =
  | { kind: 'ready' }
  | { kind: 'stored'; id: number; accepted: number }
  | { kind: 'failed'; id: number; message: string }
  | { kind: 'stopped' };

/**
 * A shared transaction keeps its events' objects alive until it commits, and requests wait
 * their turn; with V8's default young generation they outlived several scavenges each, which
 * cost the thread ~4 µs per event.
 */
const YOUNG_GENERATION_MB = 64;

interface Waiting {
  readonly resolve: (accepted: number) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The main thread's side of the ingest thread (`ingest-thread.ts`): hands it each request's
 * validated messages and settles the request when its transaction has committed, calling
 * `committed` then. The thread starts at once, and again with the next request after it
 * ended, so a thread that failed to start fails its requests and is retried with the next
 * ones. An idle thread does not keep the process alive.
 */
export function startIngestThread(
  file: { readonly path: string; readonly writeTurns: SharedArrayBuffer },
  committed: () => void,
) {
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  let thread: Worker | null = null;
  let idle: (() => void) | null = null;
  let ready: Promise<void> = Promise.resolve();

  const settle = (id: number, settleWith: (w: Waiting) => void) => {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    settleWith(w);
    if (waiting.size === 0) {
      thread?.unref();
      idle?.();
    }
  };

  function start(): Worker {
    const started = startThread(new URL('./ingest-thread.ts', import.meta.url), file, {
      youngGenerationMb: YOUNG_GENERATION_MB,
    });
    started.unref();
    ready = new Promise<void>((resolve) => {
      started.once('exit', () => resolve());
      started.on('message', (reply: ThreadReply) => {
        if (reply.kind === 'ready') resolve();
      });
    });
    started.on('message', (reply: ThreadReply) => {
      if (reply.kind === 'stored') {
        committed();
        settle(reply.id, (w) => w.resolve(reply.accepted));
      } else if (reply.kind === 'failed') settle(reply.id, (w) => w.reject(new Error(reply.message)));
    });
    // An error ends the thread: the exit that follows fails its requests, saying why.
    let failure = '';
    started.on('error', (e: unknown) => {
      // An error class of a library (SQLite's) reaches this thread with its code only.
      const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown };
      failure = `: ${String(message || code || e)}`;
    });
    started.once('exit', (code) => {
      if (thread === started) thread = null;
      for (const id of [...waiting.keys()]) {
        settle(id, (w) => w.reject(new Error(`the ingest thread stopped (exit code ${code})${failure}`)));
      }
    });
    return started;
  }

  thread = start();

  return {
    /** Settles once the thread has loaded (or ended trying). */
    ready: () => ready,

    write(pending: Pending): Promise<number> {
      return new Promise<number>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        thread ??= start();
        // Kept alive while it holds requests, not when idle.
        thread.ref();
        thread.postMessage({ kind: 'store', id, pending: JSON.stringify(pending) } satisfies ThreadRequest);
      });
    },

    /** Waits for what the thread was given to be stored, then closes its connection. */
    async stop(): Promise<void> {
      const current = thread;
      if (!current) return;
      if (waiting.size > 0) await new Promise<void>((resolve) => (idle = resolve));
      current.ref();
      const stopped = once(current, 'message');
      current.postMessage({ kind: 'stop' } satisfies ThreadRequest);
      await Promise.race([stopped, once(current, 'exit')]);
      thread = null;
      await current.terminate();
    },
  };
}
