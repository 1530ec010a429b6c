// The ingest thread: stores, in shared transactions on its own connection to the SQLite file,
// the requests the main thread has parsed and validated (see `IngestOptions.thread`). Its
// connection gives way to the main thread's writes.
import { parentPort } from 'node:worker_threads';
import { openSqlite, threadInput } from '@pond/storage';
import { createOutbox } from '../platform/outbox.ts';
import { systemClock } from '../shared/clock.ts';
import { createEventStore, type Pending, SHARED_TRANSACTIONS } from './event-store.ts';
import type { ThreadReply, ThreadRequest } from './ingest-thread-client.ts';
import { warmUp } from './warm-up.ts';
import { createBatchWriter } from './write-group.ts';

const { path, writeTurns } = threadInput<{ path: string; writeTurns: SharedArrayBuffer }>();
const storage = openSqlite(path, { checkpointer: false, givesWayTo: writeTurns });
const clock = systemClock;
// Appends only: the main thread's relay delivers what this thread appends.
const outbox = createOutbox(storage.db, storage.dialect, clock);
const platform = { db: storage.db, dialect: storage.dialect, clock, outbox };
const store = createEventStore(platform);
const write = createBatchWriter<Pending, number>(platform, store, SHARED_TRANSACTIONS);

const reply = (message: ThreadReply) => parentPort?.postMessage(message);

await warmUp(platform, clock, store);
reply({ kind: 'ready' });
parentPort?.on('message', (message: ThreadRequest) => {
  if (message.kind === 'stop') {
    void storage.close().then(() => reply({ kind: 'stopped' }));
    return;
  }
  const { id, pending } = message;
  write(JSON.parse(pending) as Pending).then(
    (accepted) => reply({ kind: 'stored', id, accepted }),
    (e: unknown) => reply({ kind: 'failed', id, message: e instanceof Error ? e.message : String(e) }),
  );
});
