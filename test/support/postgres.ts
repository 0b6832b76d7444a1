/**
 * Throwaway PostgreSQL databases for integration tests. Each call creates a fresh, uniquely named
 * database on the server at DATABASE_TEST_URL (or DATABASE_URL, or the local default) and hands back
 * its URL and a drop() that removes it, connections and all.
 *
 * When the server cannot be reached, suites skip with postgresSkipReason() outside CI; with
 * CI=true createTestDatabase() throws instead, so a missing server can never turn a CI run green.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type TestDatabase = {
  readonly url: string;
  drop(): Promise<void>;
};

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The server the test databases are created on. */
export function adminUrl(): string {
  return process.env.DATABASE_TEST_URL ?? process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL;
}

/** What a suite prints when it skips because PostgreSQL is not running. */
export function postgresSkipReason(): string {
  return (
    `PostgreSQL not reachable at ${redact(adminUrl())}: start it with ` +
    '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or set DATABASE_TEST_URL'
  );
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function connectAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * A fresh empty database, or null when PostgreSQL is unreachable and this is not CI. Errors other
 * than "cannot connect" (bad credentials, no CREATEDB right) are thrown: they need fixing, not skipping.
 */
export async function createTestDatabase(): Promise<TestDatabase | null> {
  let admin: pg.Client;
  try {
    admin = await connectAdmin();
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`${postgresSkipReason()} (CI=true, so this fails instead of skipping)`, {
        cause: error,
      });
    }
    if (isUnreachable(error)) return null;
    throw error;
  }
  const name = `rtseq_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = await connectAdmin();
      try {
        // A pool someone forgot to close must not keep the database alive (or fail the DROP).
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function isUnreachable(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
    return true;
  }
  // 57P03: the server is starting up or shutting down.
  if (code === '57P03') return true;
  return error instanceof Error && /timeout|ECONNREFUSED/i.test(error.message);
}
