/**
 * PostgreSQL storage over a pg.Pool, running the same repositories as SQLite
 * (src/adapters/storage/sql/repos/). Any number of rtseq processes may share one database:
 * double booking is refused by an exclusion constraint, the outbox is claimed with SKIP LOCKED, and
 * migrations take an advisory lock. Design notes: docs/decisions/0001-storage.md and 0003.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, type PoolClient, type QueryResultRow, TypeOverrides } from 'pg';
import type { Clock } from '../../../ports/runtime.ts';
import type { SchemaStatus } from '../../../ports/sealed.ts';
import type { Repos, Store } from '../../../ports/store.ts';
import { systemClock } from '../../clock.ts';
import type { SqlValue } from '../sql/executor.ts';
import { applyMigrations, type MigrationExecutor, schemaStatus } from '../sql/migrations.ts';
import { sqlRepos } from '../sql/repos/index.ts';

const INT8_OID = 20;

/**
 * SQLSTATEs after which the whole transaction is retried: serialization_failure can only come from
 * a server whose default isolation was raised despite our explicit level, deadlock_detected from two
 * transactions taking row locks in opposite orders (e.g. one deleting expired holds of accounts X and
 * Y while another deletes its holder's holds on Y and X). Both mean "nothing was written, try again".
 * unique_violation means another transaction committed the same key first (two processes creating
 * one application calendar or two calendars of one name, SPEC 7): the retry reads what it wrote and
 * answers as if it had come second (the same account; `errors.duplicate_calendar_name`).
 */
const RETRYABLE = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 5;

/** Any constant shared by every rtseq process; scoped to the database by PostgreSQL itself. */
const MIGRATION_LOCK_KEY = 7_307_586_163; // "rtseq" on a phone keypad

const placeholderCache = new Map<string, string>();

/**
 * Rewrites the shared SQL's `?` placeholders as `$1, $2, …`, leaving quoted literals and identifiers
 * alone (none of the repositories put a `?` in one today; this keeps a future one from breaking).
 */
export function toPostgresPlaceholders(sql: string): string {
  const cached = placeholderCache.get(sql);
  if (cached !== undefined) return cached;
  let out = '';
  let n = 0;
  let quote: "'" | '"' | null = null;
  for (const ch of sql) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      n += 1;
      out += `$${n}`;
    } else {
      out += ch;
    }
  }
  placeholderCache.set(sql, out);
  return out;
}

type Queryable = Pick<PoolClient, 'query'>;

class PostgresExecutor implements MigrationExecutor {
  readonly dialect = 'postgres' as const;
  readonly #target: Queryable;

  constructor(target: Queryable) {
    this.#target = target;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.#target.query<QueryResultRow>(toPostgresPlaceholders(sql), [...params]);
    return result.rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const result = await this.#target.query(toPostgresPlaceholders(sql), [...params]);
    return result.rowCount ?? 0;
  }

  /** No parameters: pg sends it as a simple query, so a script may hold many statements. */
  async exec(script: string): Promise<void> {
    await this.#target.query(script);
  }
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly #pool: Pool;
  readonly #readRepos: Repos;
  readonly #clock: Clock;
  #closed = false;

  constructor(url: string, options: { poolMax: number; clock?: Clock }) {
    this.#clock = options.clock ?? systemClock;
    // BIGINT columns (epoch ms, COUNT(*)) arrive as numbers: every value rtseq stores is far below
    // 2^53, and the port's records are plain numbers.
    const types = new TypeOverrides();
    types.setTypeParser(INT8_OID, (value: string) => Number(value));
    this.#pool = new Pool({
      connectionString: url,
      max: options.poolMax,
      types,
      application_name: 'rtseq',
      connectionTimeoutMillis: 10_000,
    });
    // An idle client whose connection dies (server restart, failover) emits 'error' on the pool;
    // unhandled, that would crash the process. pg drops the client; the next query reconnects, and a
    // lasting outage surfaces as errors on requests and on ping().
    this.#pool.on('error', () => undefined);
    this.#readRepos = sqlRepos(new PostgresExecutor(this.#pool));
  }

  /**
   * Runs `work` on one connection in a READ COMMITTED transaction. Every invariant that must hold
   * across processes is enforced by a constraint or by a single conditional statement, which READ
   * COMMITTED handles without aborting (docs/decisions/0001-storage.md). After a deadlock the
   * transaction is rolled back and `work` runs again from the start, so it must not have effects
   * outside the repositories it is given.
   */
  async transaction<T>(work: (repos: Repos) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#once(work);
      } catch (error) {
        const state = sqlState(error);
        if (state === undefined || !RETRYABLE.has(state) || attempt >= MAX_ATTEMPTS) throw error;
        // Jitter keeps the two losers of a deadlock from colliding again in lock step.
        await sleep(Math.floor(Math.random() * 10 * attempt));
      }
    }
  }

  async #once<T>(work: (repos: Repos) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    // Only a connection whose transaction provably ended goes back to the pool; any other is
    // destroyed, so a half-finished transaction can never leak into the next borrower's work.
    let reusable = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      let result: T;
      try {
        result = await work(sqlRepos(new PostgresExecutor(client)));
      } catch (error) {
        reusable = await client.query('ROLLBACK').then(
          () => true,
          () => false,
        );
        throw error;
      }
      try {
        await client.query('COMMIT');
      } catch (error) {
        // The server answered (e.g. a deferred check failed): it rolled back and the session is fine.
        reusable = sqlState(error) !== undefined;
        throw error;
      }
      reusable = true;
      return result;
    } finally {
      client.release(!reusable);
    }
  }

  read<T>(work: (repos: Repos) => Promise<T>): Promise<T> {
    return work(this.#readRepos);
  }

  /**
   * Applies pending migrations, each in its own transaction, under a session advisory lock: a second
   * process starting at the same time waits, then finds nothing left to apply.
   */
  async migrate(): Promise<string[]> {
    const client = await this.#pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        return await applyMigrations(new PostgresExecutor(client), this.#clock);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  }

  /** The pool's connections now (rtseq_database_pool_connections). */
  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  schema(): Promise<SchemaStatus> {
    return schemaStatus(new PostgresExecutor(this.#pool));
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
