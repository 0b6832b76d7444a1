/**
 * The operator's paths through the real binary (issue 27): `serve` refuses a PostgreSQL database
 * without SECRET_KEY, with the wrong one, without its schema, and the demo on it; on SQLite it warns
 * once without a key (and so does every CLI command) and logs one line per request (health probes
 * left out). The CLI names its database, never creates a SQLite file for a read command, lists
 * accounts and links, shows a link's status, replays a delivery by its dlv_ id, and explains an
 * unreachable database.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { secretBox } from '../../src/adapters/crypto.ts';
import { PostgresStore } from '../../src/adapters/storage/postgres/postgres-store.ts';
import { checkSecretKey, keylessWarning } from '../../src/app/secrets.ts';
import { COMMANDS, usage } from '../../src/cli/usage.ts';
import { makeTestContext } from '../support/context.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startServerProcess } from '../support/process.ts';
import { bookFirstOption, createTestLink, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

const BIN = new URL('../../bin/rtseq.js', import.meta.url).pathname;
const KEY = 'production-test-key-'.repeat(2);
const dir = mkdtempSync(join(tmpdir(), 'rtseq-production-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rtseq(args: string[], env: Record<string, string>) {
  const clean = { ...process.env };
  for (const name of ['DATABASE_URL', 'SECRET_KEY', 'SECRET_KEY_PREVIOUS', 'SQLITE_PATH']) delete clean[name];
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...clean, LOG_LEVEL: 'warn', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const noStack = (text: string) => assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');

test('serve on PostgreSQL refuses: no schema, no SECRET_KEY, the wrong key, and the demo unless forced', async (t) => {
  const database = await createTestDatabase();
  if (database === null) return t.skip('PostgreSQL not reachable');
  const env = { DATABASE_URL: database.url };
  try {
    const empty = rtseq(['serve'], { ...env, SECRET_KEY: KEY });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no rtseq schema yet: run `rtseq migrate`/);
    const store = new PostgresStore(database.url, { poolMax: 2 });
    await store.migrate();
    await checkSecretKey(store, secretBox(KEY), { requireKey: true });
    await store.close();

    const keyless = rtseq(['serve'], env);
    assert.equal(keyless.code, 1);
    assert.match(keyless.stderr, /SECRET_KEY is required with DATABASE_URL/);
    const wrong = rtseq(['serve'], { ...env, SECRET_KEY: 'another-key-'.repeat(3) });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /SECRET_KEY is not the key this database was written with/);
    const demo = rtseq(['serve', '--demo'], { ...env, SECRET_KEY: KEY });
    assert.equal(demo.code, 1);
    assert.match(demo.stderr, /refusing it on PostgreSQL .*--force-demo/);
    for (const run of [empty, keyless, wrong, demo]) noStack(run.stderr);
  } finally {
    await database.drop();
  }
});

test('CLI: names the database, creates no SQLite file to read, lists, shows status, replays by dlv_ id', async () => {
  const missing = join(dir, 'nothing-here.db');
  const read = rtseq(['links', 'list'], { SQLITE_PATH: missing });
  assert.equal(read.code, 1);
  assert.match(read.stderr, new RegExp(`database: SQLite ${missing}`));
  assert.match(read.stderr, /no database at .* a read command does not create one/i);
  assert.equal(existsSync(missing), false);

  const t = await makeTestContext();
  try {
    const s = await seedScenario(t.ctx);
    const link = await createTestLink(
      t.ctx,
      s,
      twoStepLinkBody(s, { callback_url: 'https://receiver.example/cb' }),
    );
    await bookFirstOption(t.ctx, link.token);
    const env = t.databaseEnv;

    const accounts = rtseq(['accounts', 'list', '--json'], env);
    assert.equal(accounts.code, 0, accounts.stderr);
    const subs = (JSON.parse(accounts.stdout) as { accounts: { sub: string }[] }).accounts.map((a) => a.sub);
    assert.deepEqual(subs.sort(), [s.recruiter.sub, s.engineer.sub].sort());

    const links = rtseq(['links', 'list', '--client-id', s.clientId, '--json'], env);
    assert.equal(links.code, 0, links.stderr);
    const listed = (JSON.parse(links.stdout) as { links: { id: string; status: string }[] }).links;
    assert.deepEqual(
      listed.map((l) => [l.id, l.status]),
      [[link.id, 'completed']],
    );

    const status = rtseq(['links', 'status', '--id', link.id], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^${link.id}  completed`));
    assert.match(status.stdout, /booked 2026-01-06T\d\d:\d\d:00Z/);

    const [item] = await t.ctx.store.read((r) => r.outbox.list({ limit: 10 }));
    assert.ok(item?.deliveryId.startsWith('dlv_'));
    const replay = rtseq(['callbacks', 'replay', '--id', item.deliveryId], env);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stdout, new RegExp(`Replaying ${item.id} \\(delivery ${item.deliveryId}\\)`));
  } finally {
    await t.dispose();
  }

  const unreachable = rtseq(['app', 'list'], {
    DATABASE_URL: 'postgres://rtseq:pw@127.0.0.1:1/rtseq',
    SECRET_KEY: KEY,
  });
  assert.equal(unreachable.code, 1);
  assert.match(
    unreachable.stderr,
    /cannot use the database \(PostgreSQL postgres:\/\/rtseq:\*\*\*@127\.0\.0\.1:1\/rtseq\)/,
  );
  assert.doesNotMatch(unreachable.stderr, /:pw@/);
  noStack(unreachable.stderr);
});

test('--version, and --help for every command', () => {
  const version = rtseq(['--version'], {});
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^rtseq \d+\.\d+\.\d+ \(Node\.js v24\./);
  for (const command of COMMANDS) {
    const text = usage(command.words);
    assert.match(text, new RegExp(`^  ${command.words}\\b`, 'm'), command.words);
    assert.ok(!text.includes('  app create') || command.words.startsWith('app create'), command.words);
  }
  const help = rtseq(['links', 'status', '--help'], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /links status --id LINK_ID/);
  assert.doesNotMatch(help.stdout, /links list/);
  const flag = rtseq(['links', 'list', '--colour', 'red'], {});
  assert.equal(flag.code, 1);
  assert.equal(
    flag.stderr,
    'rtseq: unknown flag --colour: `links list` takes --client-id, --status, --limit, --json. ' +
      'See `rtseq links list --help`.\n',
  );
});

test('serve on SQLite without SECRET_KEY warns once; one log line per request, health probes left out', async () => {
  const t = await makeTestContext();
  const s = await seedScenario(t.ctx);
  const server = await startServerProcess({ ...t.databaseEnv, LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
  try {
    await fetch(`${server.url}/readyz`);
    const answered = await fetch(`${server.url}/v1/availability`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.clientSecret}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(answered.status, 422);
    const requestId = answered.headers.get('x-request-id');
    const lines = () =>
      server
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const deadline = Date.now() + 10_000;
    while (!lines().some((l) => l.reqId === requestId) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const all = lines();
    assert.equal(all.filter((l) => String(l.msg).startsWith('SECRET_KEY is not set')).length, 1);
    const requests = all.filter((l) => l.msg === 'request');
    assert.ok(
      !requests.some((l) => String(l.url).startsWith('/readyz') || String(l.url).startsWith('/healthz')),
    );
    const mine = requests.filter((l) => l.reqId === requestId);
    assert.equal(mine.length, 1, 'one line for the request');
    assert.equal(mine[0]!.client_id, s.clientId);
    assert.equal(mine[0]!.status, 422);
    assert.equal(mine[0]!.ip, '127.0.0.1');
  } finally {
    await server.stop();
    await t.dispose();
  }
});

test('every CLI command on SQLite without SECRET_KEY warns once, in the words serve logs; with a key, none', () => {
  const env = { SQLITE_PATH: join(dir, 'keyless.db') };
  const warning = `rtseq: warning: ${keylessWarning({ outcome: 'no-key' })}`;
  const count = (stderr: string) => stderr.split('\n').filter((line) => line === warning).length;
  const migrated = rtseq(['migrate'], env);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.equal(count(migrated.stderr), 1, migrated.stderr);
  const created = rtseq(['app', 'create', '--name', 'Keyless'], env);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(count(created.stderr), 1, created.stderr);
  const listed = rtseq(['app', 'list'], env);
  assert.equal(count(listed.stderr), 1, listed.stderr);
  assert.ok(!listed.stdout.includes('warning'), 'stdout stays the output');
  const keyed = { SQLITE_PATH: join(dir, 'keyed.db'), SECRET_KEY: KEY };
  const withKey = rtseq(['app', 'create', '--name', 'Keyed'], keyed);
  assert.equal(withKey.code, 0, withKey.stderr);
  assert.doesNotMatch(withKey.stderr, /SECRET_KEY is not set/);
  assert.doesNotMatch(rtseq(['migrate'], keyed).stderr, /SECRET_KEY is not set/);
});
