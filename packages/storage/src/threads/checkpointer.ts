// The checkpointer thread of one SQLite database: copies what the write-ahead log holds back
// into the database file every few milliseconds, on its own connection, so that the
// connections writing never stop to do it at a commit (their automatic checkpoints start
// only far later, as a safety valve). A passive checkpoint never waits for a writer.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { threadInput } from './start-thread.ts';

const { file, everyMs } = threadInput<{ file: string; everyMs: number }>();
const db = new Database(file);
db.pragma('synchronous = NORMAL');
db.pragma('journal_size_limit = 67108864');

const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A busy database is checkpointed at the next turn.
  }
};
const timer = setInterval(checkpoint, everyMs);
parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.postMessage('stopped');
});
