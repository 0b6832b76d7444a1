/**
 * Embedded SQLite storage (node:sqlite, WAL). One write connection serialised by an in-process
 * queue, because node:sqlite is synchronous and a transaction must not interleave with another
 * request's statements on the same connection; reads use a second connection, which in WAL mode
 * sees only committed data and never waits for the writer.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../../ports/runtime.ts';
import type { SchemaStatus } from '../../../ports/sealed.ts';
import type { Repos, Store } from '../../../ports/store.ts';
import { systemClock } from '../../clock.ts';
import type { SqlValue } from '../sql/executor.ts';
import { applyMigrations, type MigrationExecutor, schemaStatus } from '../sql/migrations.ts';
import { sqlRepos } from '../sql/repos/index.ts';

class SqliteExecutor implements MigrationExecutor {
  readonly dialect = 'sqlite' as const;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.#prepare(sql).all(...(params as SQLInputValue[])) as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return Number(this.#prepare(sql).run(...(params as SQLInputValue[])).changes);
  }

  async exec(script: string): Promise<void> {
    this.#db.exec(script);
  }
}

function open(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA optimize = 0x10002;',
  );
  return db;
}

const CHECKPOINT_INTERVAL_MS = 1000;
const BACKSTOP_CHECKPOINT_PAGES = 10_000;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #writer: DatabaseSync;
  readonly #reader: DatabaseSync;
  readonly #writeExecutor: SqliteExecutor;
  readonly #clock: Clock;
  readonly #writeRepos: Repos;
  readonly #readRepos: Repos;
  readonly #checkpointer: Worker | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  /**
   * `backgroundCheckpoints` (the server): the write-ahead log is folded into the file
   * by a worker thread (checkpointer.ts), so commits never pay for it; SQLite's own automatic
   * checkpoint stays as a backstop at 10,000 pages. Without it, SQLite checkpoints at 1,000.
   */
  constructor(path: string, options: { clock?: Clock; backgroundCheckpoints?: boolean } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#clock = options.clock ?? systemClock;
    this.#writer = open(path);
    if (options.backgroundCheckpoints === true && path !== ':memory:') {
      this.#writer.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
      this.#checkpointer = new Worker(new URL('./checkpointer.ts', import.meta.url), {
        workerData: { path, intervalMs: CHECKPOINT_INTERVAL_MS },
      });
      this.#checkpointer.unref();
    }
    // ':memory:' databases cannot be shared between connections: read through the writer then.
    this.#reader = path === ':memory:' ? this.#writer : open(path);
    this.#writeExecutor = new SqliteExecutor(this.#writer);
    this.#writeRepos = sqlRepos(this.#writeExecutor);
    this.#readRepos = path === ':memory:' ? this.#writeRepos : sqlRepos(new SqliteExecutor(this.#reader));
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  transaction<T>(work: (repos: Repos) => Promise<T>): Promise<T> {
    return this.#serialised(async () => {
      this.#writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.#writeRepos);
        this.#writer.exec('COMMIT');
        return result;
      } catch (error) {
        this.#writer.exec('ROLLBACK');
        throw error;
      }
    });
  }

  read<T>(work: (repos: Repos) => Promise<T>): Promise<T> {
    if (this.#reader === this.#writer) return this.#serialised(() => work(this.#readRepos));
    return work(this.#readRepos);
  }

  async migrate(): Promise<string[]> {
    return this.#serialised(() => applyMigrations(this.#writeExecutor, this.#clock));
  }

  schema(): Promise<SchemaStatus> {
    return this.#serialised(() => schemaStatus(this.#writeExecutor));
  }

  async ping(): Promise<void> {
    this.#reader.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#checkpointer?.terminate();
    if (this.#reader !== this.#writer) this.#reader.close();
    this.#writer.close();
  }
}
