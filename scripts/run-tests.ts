/**
 * Runs every test suite with node:test:
 *  1. the engine suite under TZ=America/New_York (it must not depend on the process zone);
 *  2. every suite under TZ=UTC on the default storage (SQLite);
 *  3. the API and booking suites again on PostgreSQL (RTSEQ_TEST_STORE=postgres), each test file
 *     on a fresh database of its own.
 * Outside CI a suite whose real server (PostgreSQL, Radicale, Chromium) is missing skips with a
 * message; with CI=true it fails. Arguments filter the files (substring match).
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { createTestDatabase, postgresSkipReason } from '../test/support/postgres.ts';

const files = [...globSync('src/**/*.test.ts'), ...globSync('test/**/*.test.ts')].sort();
const only = process.argv.slice(2);
const selected = only.length > 0 ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const engine = selected.filter((f) => f.startsWith('src/domain/'));
const POSTGRES_SUITES = [
  'test/http/',
  'test/sdk/',
  'test/links/',
  'test/callbacks/',
  'test/web/',
  'test/security/',
  // Google and Microsoft 365 kept by sync, end to end (the stores hold their sync state and copies).
  'test/integration/google-sync.test.ts',
  'test/integration/microsoft-process.test.ts',
];
const onPostgres = selected.filter((f) => POSTGRES_SUITES.some((prefix) => f.startsWith(prefix)));

function run(label: string, list: readonly string[], env: Record<string, string>): number {
  if (list.length === 0) return 0;
  process.stdout.write(`\n# ${label} (${list.length} files)\n`);
  const result = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...list],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  return result.status ?? 1;
}

async function postgresReachable(): Promise<boolean> {
  const database = await createTestDatabase(); // throws under CI=true when unreachable
  if (database === null) return false;
  await database.drop();
  return true;
}

const codes = [run('engine under a second zone, TZ=America/New_York', engine, { TZ: 'America/New_York' })];
codes.push(run('all suites, TZ=UTC, SQLite', selected, { TZ: 'UTC' }));
if (onPostgres.length > 0) {
  if (await postgresReachable()) {
    codes.push(
      run('API and booking suites on PostgreSQL', onPostgres, { TZ: 'UTC', RTSEQ_TEST_STORE: 'postgres' }),
    );
  } else {
    process.stdout.write(`\n# skipped: API and booking suites on PostgreSQL: ${postgresSkipReason()}\n`);
  }
}
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
