/**
 * SPEC 3 across processes: a refresh token raced through two stores on one database (two
 * processes' connection pools; on PostgreSQL with RTSEQ_TEST_STORE=postgres) is spent exactly
 * once; `rtseq tokens revoke --sub` (the real binary) revokes every grant of the account.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  createApplicationCalendar,
  InvalidGrantError,
  refreshTokens,
} from '../../src/app/accounts/accounts.ts';
import { createApplication } from '../../src/app/accounts/applications.ts';
import { authenticateAccount } from '../../src/app/accounts/auth.ts';
import { makeTestContext } from '../support/context.ts';

const BIN = new URL('../../bin/rtseq.js', import.meta.url).pathname;
/**
 * Two SQLite stores in one test process would block each other's event loop on the file lock, so on
 * SQLite (one writer per file, SPEC 2) the race runs through one store; on PostgreSQL through two.
 */
const onPostgres = process.env.RTSEQ_TEST_STORE === 'postgres';

test('3 a refresh token raced from two processes is spent once; tokens revoke --sub revokes all', async () => {
  const one = await makeTestContext();
  const two = await makeTestContext({ database: one.databaseEnv });
  try {
    const created = await createApplication(one.ctx, 'Racing');
    const application = (await one.ctx.store.read((r) => r.applications.byClientId(created.clientId)))!;
    const grant = await createApplicationCalendar(one.ctx, application, 'racer');
    const attempts = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) =>
        refreshTokens((i % 2 === 0 || !onPostgres ? one : two).ctx, application, grant.refreshToken),
      ),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    assert.equal(won.length, 1, 'exactly one refresh wins');
    for (const lost of attempts.filter((a) => a.status === 'rejected')) {
      const reason = (lost as PromiseRejectedResult).reason;
      assert.ok(reason instanceof InvalidGrantError, String(reason));
    }
    const second = await createApplicationCalendar(two.ctx, application, 'racer');

    const result = spawnSync(
      process.execPath,
      [BIN, 'tokens', 'revoke', '--sub', grant.account.id, '--json'],
      {
        env: { ...process.env, LOG_LEVEL: 'silent', ...one.databaseEnv },
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { sub: string; revoked_tokens: number };
    assert.equal(printed.sub, grant.account.id);
    assert.ok(printed.revoked_tokens >= 4, result.stdout);
    for (const token of [grant.accessToken, second.accessToken]) {
      await assert.rejects(authenticateAccount(one.ctx, token));
    }
    await assert.rejects(refreshTokens(one.ctx, application, second.refreshToken), InvalidGrantError);
    const unknown = spawnSync(process.execPath, [BIN, 'tokens', 'revoke', '--sub', 'acc_nope'], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...one.databaseEnv },
      encoding: 'utf8',
    });
    assert.equal(unknown.status, 1);
  } finally {
    await two.dispose();
    await one.dispose();
  }
});
