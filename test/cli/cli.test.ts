/** The `rtseq` command (SPEC 2) acts on the database the server uses, through the real binary. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = new URL('../../bin/rtseq.js', import.meta.url).pathname;

function rtseq(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('2 migrate, app create --json, rotate, list and revoke secrets, callbacks list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-cli-'));
  const env = { SQLITE_PATH: join(dir, 'cli.db') };
  try {
    const migrated = rtseq(['migrate'], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /Applied: 0001_init\.sql/);
    assert.match(rtseq(['migrate'], env).stdout, /up to date/);

    const created = rtseq(['app', 'create', '--name', 'Acme', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const lines = created.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'exactly one JSON object');
    const credentials = JSON.parse(lines[0]!) as Record<string, string>;
    assert.deepEqual(Object.keys(credentials).sort(), ['client_id', 'client_secret']);

    const rotated = rtseq(['app', 'rotate-secret', '--client-id', credentials.client_id!, '--json'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const second = JSON.parse(rotated.stdout) as Record<string, string>;
    assert.notEqual(second.client_secret, credentials.client_secret);

    const listed = JSON.parse(
      rtseq(['app', 'list-secrets', '--client-id', credentials.client_id!, '--json'], env).stdout,
    ) as {
      secretId: string;
    }[];
    assert.equal(listed.length, 2);
    const revoked = rtseq(
      ['app', 'revoke-secret', '--client-id', credentials.client_id!, '--secret-id', listed[0]!.secretId],
      env,
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    const last = rtseq(
      ['app', 'revoke-secret', '--client-id', credentials.client_id!, '--secret-id', second.secret_id!],
      env,
    );
    assert.equal(last.code, 1, 'the only remaining secret cannot be revoked');

    assert.match(rtseq(['callbacks', 'list'], env).stdout, /No deliveries/);
    const bad = rtseq(['app', 'create'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--name is required/);
    const badConfig = rtseq(['migrate'], { ...env, PORT: 'eighty' });
    assert.equal(badConfig.code, 1);
    assert.match(badConfig.stderr, /PORT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('2 app set: the booking pages’ display settings, checked like PATCH /v1/application', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-cli-'));
  const env = { SQLITE_PATH: join(dir, 'cli.db') };
  try {
    assert.equal(rtseq(['migrate'], env).code, 0);
    const { client_id: clientId } = JSON.parse(
      rtseq(['app', 'create', '--name', 'Globex', '--json'], env).stdout,
    ) as {
      client_id: string;
    };
    const set = rtseq(
      [
        'app',
        'set',
        '--client-id',
        clientId,
        '--display-name',
        'Globex Corporation',
        '--accent-colour',
        '#5B21B6',
        '--logo-url',
        'https://cdn.globex.example/logo.svg',
        '--json',
      ],
      env,
    );
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout), {
      display_name: 'Globex Corporation',
      logo_url: 'https://cdn.globex.example/logo.svg',
      accent_colour: '#5b21b6',
      redirect_uris: [],
    });
    // Each --redirect-uri adds one; --clear redirect-uris empties the list first.
    const added = rtseq(
      ['app', 'set', '--client-id', clientId, '--redirect-uri', 'https://globex.example/cb', '--json'],
      env,
    );
    assert.deepEqual(JSON.parse(added.stdout).redirect_uris, ['https://globex.example/cb']);
    const more = rtseq(
      [
        'app',
        'set',
        '--client-id',
        clientId,
        '--redirect-uri',
        'http://localhost:3000/cb',
        '--redirect-uri',
        'https://globex.example/cb',
        '--json',
      ],
      env,
    );
    assert.deepEqual(JSON.parse(more.stdout).redirect_uris, [
      'https://globex.example/cb',
      'http://localhost:3000/cb',
    ]);
    const replaced = rtseq(
      [
        'app',
        'set',
        '--client-id',
        clientId,
        '--clear',
        'redirect-uris',
        '--redirect-uri',
        'https://new.example/cb',
        '--json',
      ],
      env,
    );
    assert.deepEqual(JSON.parse(replaced.stdout).redirect_uris, ['https://new.example/cb']);
    const badUri = rtseq(['app', 'set', '--client-id', clientId, '--redirect-uri', 'ftp://x.example/'], env);
    assert.equal(badUri.code, 1);
    assert.match(badUri.stderr, /redirect-uri\[0\]: must be an absolute http or https URL/);
    const cleared = rtseq(['app', 'set', '--client-id', clientId, '--clear', 'logo-url', '--json'], env);
    assert.equal(JSON.parse(cleared.stdout).logo_url, null);
    assert.equal(JSON.parse(cleared.stdout).display_name, 'Globex Corporation');

    const refused = rtseq(
      ['app', 'set', '--client-id', clientId, '--accent-colour', '#ffcc00', '--logo-url', 'ftp://x'],
      env,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /accent_colour: accent_colour #ffcc00 has 1\.\d\d:1 contrast against white/);
    assert.match(refused.stderr, /logo_url: logo_url must be an https URL/);
    assert.equal(rtseq(['app', 'set', '--client-id', clientId], env).code, 1, 'nothing to set');
    assert.equal(rtseq(['app', 'set', '--client-id', 'nope', '--display-name', 'x'], env).code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
