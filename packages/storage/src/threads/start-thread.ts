import { Worker, workerData } from 'node:worker_threads';

/**
 * Starts a worker thread on a TypeScript module of this repository, through a bootstrap that
 * registers tsx first; the thread reads what it was given with `threadInput()`. It does not
 * inherit the process's own flags (profilers, inspectors). A thread whose work keeps many
 * short-lived objects alive at once (a shared transaction's rows) collects its garbage far
 * less often with a larger young generation.
 */
export function startThread(
  module: URL,
  input: unknown,
  options: { readonly youngGenerationMb?: number } = {},
): Worker {
  return new Worker(new URL('./boot.mjs', import.meta.url), {
    workerData: { module: module.href, input },
    execArgv: process.env.POND_THREAD_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.POND_THREAD_PROF}`]
      : [],
    ...(options.youngGenerationMb
      ? { resourceLimits: { maxYoungGenerationSizeMb: options.youngGenerationMb } }
      : {}),
  });
}

/** Inside a thread started by `startThread`: what it was given. */
export function threadInput<T>(): T {
  return (workerData as { input: T }).input;
}
