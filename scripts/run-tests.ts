/**
 * Runs every test suite with node:test: all tests once under TZ=UTC, then the engine suite again
 * under TZ=America/New_York to prove the engine does not depend on the process time zone.
 * Outside CI a suite whose real server (PostgreSQL, Radicale, Chromium) is missing skips with a
 * message; with CI=true it fails.
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const files = [...globSync('src/**/*.test.ts'), ...globSync('test/**/*.test.ts')].sort();
const engineFiles = files.filter((f) => f.startsWith('src/domain/'));
const only = process.argv.slice(2);

function run(label: string, list: readonly string[], tz: string): number {
  if (list.length === 0) return 0;
  process.stdout.write(`\n# ${label} (TZ=${tz}, ${list.length} files)\n`);
  const result = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...list],
    { stdio: 'inherit', env: { ...process.env, TZ: tz } },
  );
  return result.status ?? 1;
}

const selected = only.length > 0 ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const engineAgain = only.length > 0 ? selected.filter((f) => engineFiles.includes(f)) : engineFiles;
const failures = [run('engine under a second zone', engineAgain, 'America/New_York'), run('all suites', selected, 'UTC')];
process.exit(failures.some((code) => code !== 0) ? 1 : 0);
