// The first module of every Pond thread: Pond runs its TypeScript sources directly, so the
// thread registers tsx before it imports its own module (see `start-thread.ts`).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
