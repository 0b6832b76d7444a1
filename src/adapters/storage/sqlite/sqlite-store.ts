/**
 * Embedded SQLite storage (node:sqlite, WAL). One write connection serialised by an in-process
 * queue, because node:sqlite is synchronous and a transaction must not interleave with another
 * request's statements on the same connection; reads use a second connection, which in WAL mode
 * sees only committed data and never waits for the writer.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Repos, Store } from '../../../ports/store.ts';
import { systemClock } from '../../clock.ts';
import type { SqlExecutor, SqlValue } from '../sql/executor.ts';
import { loadMigrations } from '../sql/migrations.ts';
import { sqlRepos } from '../sql/repos.ts';

class SqliteExecutor implements SqlExecutor {
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
}

function open(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
  );
  return db;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #writer: DatabaseSync;
  readonly #reader: DatabaseSync;
  readonly #writeRepos: Repos;
  readonly #readRepos: Repos;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#writer = open(path);
    // ':memory:' databases cannot be shared between connections: read through the writer then.
    this.#reader = path === ':memory:' ? this.#writer : open(path);
    this.#writeRepos = sqlRepos(new SqliteExecutor(this.#writer));
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
    return this.#serialised(async () => {
      this.#writer.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
      );
      const done = new Set(
        (this.#writer.prepare('SELECT name FROM schema_migrations').all() as { name: string }[]).map(
          (r) => r.name,
        ),
      );
      const applied: string[] = [];
      for (const migration of loadMigrations('sqlite')) {
        if (done.has(migration.name)) continue;
        this.#writer.exec('BEGIN IMMEDIATE');
        try {
          this.#writer.exec(migration.sql);
          this.#writer
            .prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)')
            .run(migration.name, systemClock.now());
          this.#writer.exec('COMMIT');
        } catch (error) {
          this.#writer.exec('ROLLBACK');
          throw error;
        }
        applied.push(migration.name);
      }
      return applied;
    });
  }

  async ping(): Promise<void> {
    this.#reader.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    if (this.#reader !== this.#writer) this.#reader.close();
    this.#writer.close();
  }
}
