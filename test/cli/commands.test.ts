/**
 * The `rtseq` command's newcomer paths (issue 16), through the real binary: `npm run rtseq` works,
 * unknown commands and flags are named, `app list` shows applications but never a secret, `rtseq
 * demo` prints accounts and a link from tomorrow, and `callbacks list --json` has the API's shape.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { demoInstant, demoWorkdays } from '../../src/app/demo.ts';
import { createLink } from '../../src/app/links/links.ts';
import { Problems } from '../../src/domain/errors.ts';
import { readLinkRequest } from '../../src/http/wire/links.ts';
import { makeTestContext } from '../support/context.ts';
import { bookFirstOption, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/rtseq.js');
const dir = mkdtempSync(join(tmpdir(), 'rtseq-commands-'));
const env = { SQLITE_PATH: join(dir, 'cli.db') };
after(() => rmSync(dir, { recursive: true, force: true }));

function rtseq(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env, ...extra },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('npm run rtseq runs the command (the script names a file that exists)', () => {
  const result = spawnSync('npm', ['run', '-s', 'rtseq', '--', '--version'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^rtseq \d+\.\d+\.\d+ \(Node\.js v24\./);
});

test('unknown commands, subcommands and flags, and flags of another command, are named; help exits 0', () => {
  const foo = rtseq(['foo']);
  assert.equal(foo.code, 2);
  assert.match(foo.stderr, /unknown command `foo`/);
  assert.match(foo.stderr, /Usage: rtseq/);
  const sub = rtseq(['app', 'frobnicate']);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /unknown command `app frobnicate`/);
  const bare = rtseq(['callbacks']);
  assert.match(bare.stderr, /`callbacks` needs a subcommand/);
  const flag = rtseq(['app', 'list', '--colour']);
  assert.equal(flag.code, 1);
  assert.match(flag.stderr, /--colour/);
  assert.doesNotMatch(flag.stderr, /\n\s+at /, 'no stack');
  const foreign = rtseq(['app', 'list', '--client-id', 'x']);
  assert.equal(foreign.code, 1, 'a flag of another command is refused, not ignored');
  assert.equal(
    foreign.stderr,
    'rtseq: `app list` takes --json, not --client-id. See `rtseq app list --help`.\n',
  );
  const help = rtseq(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /callbacks replay --id ID/);
  assert.match(help.stdout, /calendars connect-caldav/);
});

test('app list shows applications without secrets; rtseq demo prints accounts and a link from the next working day', () => {
  const created = JSON.parse(rtseq(['app', 'create', '--name', 'Listed', '--json']).stdout) as Record<
    string,
    string
  >;
  const listed = rtseq(['app', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const apps = (JSON.parse(listed.stdout) as { applications: Record<string, unknown>[] }).applications;
  const mine = apps.find((a) => a.client_id === created.client_id);
  assert.deepEqual(mine && Object.keys(mine).sort(), ['active_secrets', 'client_id', 'created', 'name']);
  assert.equal(mine?.active_secrets, 1);
  assert.ok(!listed.stdout.includes(created.client_secret!), 'secrets are shown once, when made');
  assert.ok(!rtseq(['app', 'list']).stdout.includes(created.client_secret!));

  const demo = rtseq(['demo'], { PUBLIC_URL: 'http://127.0.0.1:9' });
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stdout, /client_secret\s+CRN_/);
  assert.equal([...demo.stdout.matchAll(/calendar_id cal_/g)].length, 4, 'recruiter and three engineers');
  assert.equal([...demo.stdout.matchAll(/access_token \S+/g)].length, 4);
  assert.match(demo.stdout, /link \(times from the next working day\): http:\/\/127\.0\.0\.1:9\/book\//);
  const firstDay = new Date(demoInstant(demoWorkdays(Date.now(), 1)[0]!, 8)).toISOString().slice(0, 10);
  assert.match(demo.stdout, new RegExp(`"query_periods":\\[\\{"start":"${firstDay}T`));
  const again = rtseq(['demo'], { PUBLIC_URL: 'http://127.0.0.1:9' });
  const secret = (out: string) => /client_secret\s+(\S+)/.exec(out)?.[1];
  assert.notEqual(secret(again.stdout), secret(demo.stdout), 'a fresh secret each time');
  const demoApp = (
    JSON.parse(rtseq(['app', 'list', '--json']).stdout) as { applications: Record<string, unknown>[] }
  ).applications.find((a) => a.name === 'Demo application');
  assert.equal(demoApp?.active_secrets, 1, 'the secret printed before is revoked');
});

test('callbacks list --json prints the shape of GET /v1/callbacks', async () => {
  const t = await makeTestContext({ database: env });
  try {
    const s = await seedScenario(t.ctx);
    const problems = new Problems();
    const parsed = readLinkRequest(
      'sequencing',
      twoStepLinkBody(s, { callback_url: 'https://app.example/callbacks' }),
      problems,
      t.ctx.config.limits,
      t.ctx.clock.now(),
    );
    problems.throwIfAny();
    const { url } = await createLink(t.ctx, s.application, parsed.request, problems, parsed.paths);
    await bookFirstOption(t.ctx, url.slice(url.lastIndexOf('/') + 1));
  } finally {
    await t.dispose();
  }
  const listed = rtseq(['callbacks', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const { callbacks } = JSON.parse(listed.stdout) as { callbacks: Record<string, unknown>[] };
  const item = callbacks.find((c) => c.url === 'https://app.example/callbacks');
  assert.ok(item !== undefined, listed.stdout);
  assert.deepEqual(Object.keys(item).sort(), [
    'attempts',
    'callback_id',
    'created',
    'delivery_id',
    'kind',
    'next_attempt_at',
    'status',
    'url',
  ]);
  assert.match(String(item.created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(item.status, 'pending');
});
