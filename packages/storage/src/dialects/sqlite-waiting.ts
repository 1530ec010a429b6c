import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  SqliteDialect,
  type SqliteDialectConfig,
} from 'kysely';

/** How long a statement waits for another connection's write lock before it fails. */
const WAIT_LIMIT_MS = 10_000;
/** The longest pause between two tries; short, since other writers' transactions are. */
const MAX_PAUSE_MS = 4;
/** How long a connection that gives way waits for the others before it writes anyway. */
const GIVE_WAY_MS = 100;

/**
 * How connections of one database file in several threads share its single write lock: a
 * counter of the connections waiting for it, in memory all the threads see. A connection
 * that `waits` counts itself while it waits; one that `givesWay` lets them go first.
 */
export interface WriteTurns {
  readonly counter: SharedArrayBuffer;
  readonly role: 'waits' | 'givesWay';
}

const isBusy = (e: unknown) => String((e as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY');
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Kysely's SQLite driver with transactions that take the write lock when they begin, and
 * statements that wait for another connection's write lock asynchronously: better-sqlite3
 * would block the whole thread in its busy handler, so the connection has none and a busy
 * statement is tried again on a timer, the event loop serving requests meanwhile. Every
 * transaction being immediate, a statement inside one never finds the database busy.
 */
class WaitingDriver implements Driver {
  readonly #inner: Driver;
  readonly #counter: Int32Array | null;
  readonly #role: WriteTurns['role'];
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver, turns: WriteTurns | undefined) {
    this.#inner = inner;
    this.#counter = turns ? new Int32Array(turns.counter) : null;
    this.#role = turns?.role ?? 'waits';
  }

  async #whenFree<T>(run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    let counted = false;
    try {
      for (let tries = 0; ; tries++) {
        try {
          return await run();
        } catch (e) {
          if (!isBusy(e) || Date.now() - started > WAIT_LIMIT_MS) throw e;
          if (!counted && this.#counter && this.#role === 'waits') {
            Atomics.add(this.#counter, 0, 1);
            counted = true;
          }
          await pause(Math.min(2 ** tries, MAX_PAUSE_MS));
        }
      }
    } finally {
      if (counted && this.#counter) {
        Atomics.sub(this.#counter, 0, 1);
        Atomics.notify(this.#counter, 0);
      }
    }
  }

  /** Lets connections of other threads that wait for the write lock take it first. */
  #giveWay() {
    const counter = this.#counter;
    if (!counter || this.#role !== 'givesWay') return;
    const until = Date.now() + GIVE_WAY_MS;
    for (let n = Atomics.load(counter, 0); n > 0 && Date.now() < until; n = Atomics.load(counter, 0)) {
      Atomics.wait(counter, 0, n, until - Date.now());
    }
  }

  init() {
    return this.#inner.init();
  }

  async acquireConnection() {
    const connection = await this.#inner.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) {
      wrapped = {
        executeQuery: (query) => this.#whenFree(async () => connection.executeQuery(query)),
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      };
      this.#wrapped.set(connection, wrapped);
    }
    return wrapped;
  }

  async beginTransaction(connection: DatabaseConnection) {
    this.#giveWay();
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  commitTransaction(connection: DatabaseConnection) {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection) {
    return this.#inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    await this.#inner.savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    await this.#inner.rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    await this.#inner.releaseSavepoint?.(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection) {
    return this.#inner.releaseConnection(connection);
  }

  destroy() {
    return this.#inner.destroy();
  }
}

/** Kysely's SQLite dialect over the waiting driver (see `WaitingDriver`). */
export class WaitingSqliteDialect extends SqliteDialect {
  readonly #turns: WriteTurns | undefined;

  constructor(config: SqliteDialectConfig, turns?: WriteTurns) {
    super(config);
    this.#turns = turns;
  }

  override createDriver(): Driver {
    return new WaitingDriver(super.createDriver(), this.#turns);
  }
}
