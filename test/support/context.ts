/** An AppContext on a real SQLite file with a settable clock, for use-case level tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomIds, secretBox } from '../../src/adapters/crypto.ts';
import { PostgresStore } from '../../src/adapters/storage/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/adapters/storage/sqlite/sqlite-store.ts';
import { BusyCache } from '../../src/app/availability/busy-cache.ts';
import { RuleExpansions } from '../../src/app/availability/rule-expansions.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { Store } from '../../src/ports/store.ts';
import { createTestDatabase, postgresSkipReason } from './postgres.ts';

/** The key of PostgreSQL test databases whose suite names none (servers there need one). */
export const TEST_SECRET_KEY = 'rtseq-test-suite-secret-key-0123456789-abcdef';

export type SettableClock = { now(): number; set(ms: number): void; advance(ms: number): void };

export function settableClock(start: number): SettableClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export type TestContext = {
  ctx: AppContext;
  clock: SettableClock;
  /** Environment that points an `rtseq serve` process at the same database. */
  databaseEnv: Record<string, string>;
  dispose(): Promise<void>;
};

/**
 * A context on a fresh database: SQLite on a temporary file, or with `RTSEQ_TEST_STORE=postgres` a
 * fresh PostgreSQL database (dropped by dispose). `database` instead opens a context on an existing
 * database (another context's `databaseEnv`), as another process would.
 */
export async function makeTestContext(
  options: { start?: number; env?: Record<string, string>; database?: Record<string, string> } = {},
): Promise<TestContext> {
  const cleanups: (() => Promise<void>)[] = [];
  let store: Store;
  let databaseEnv: Record<string, string>;
  if (options.database !== undefined) {
    databaseEnv = options.database;
    store =
      databaseEnv.DATABASE_URL !== undefined
        ? new PostgresStore(databaseEnv.DATABASE_URL, { poolMax: 4 })
        : new SqliteStore(databaseEnv.SQLITE_PATH!);
  } else if ((process.env.RTSEQ_TEST_STORE ?? 'sqlite') === 'postgres') {
    const database = await createTestDatabase();
    if (database === null) throw new Error(postgresSkipReason());
    // A server refuses PostgreSQL without SECRET_KEY: the context and any process started on
    // its databaseEnv share one key (the suite's own, when it gives one).
    databaseEnv = { DATABASE_URL: database.url, SECRET_KEY: options.env?.SECRET_KEY ?? TEST_SECRET_KEY };
    store = new PostgresStore(database.url, { poolMax: 4 });
    cleanups.push(() => database.drop());
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'rtseq-test-'));
    databaseEnv = { SQLITE_PATH: join(dir, 'rtseq.db') };
    store = new SqliteStore(databaseEnv.SQLITE_PATH!);
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  }
  await store.migrate();
  const clock = settableClock(options.start ?? Date.UTC(2026, 0, 5, 8, 0, 0));
  const config = loadConfig({
    // Suites move the clock by days: access tokens outlive them (ten years).
    ACCESS_TOKEN_SECONDS: '315360000',
    PUBLIC_URL: 'http://127.0.0.1:9',
    ALLOW_PRIVATE_CALLBACKS: 'true',
    ...(databaseEnv.SECRET_KEY === undefined ? {} : { SECRET_KEY: databaseEnv.SECRET_KEY }),
    ...options.env,
  });
  const ctx: AppContext = {
    config,
    store,
    clock,
    ids: randomIds,
    secrets: secretBox(config.secretKey),
    external: null,
    busyCache: new BusyCache(),
    ruleExpansions: new RuleExpansions(),
  };
  return {
    ctx,
    clock,
    databaseEnv,
    async dispose() {
      await store.close();
      for (const cleanup of cleanups) await cleanup();
    },
  };
}
