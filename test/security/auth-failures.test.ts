/**
 * Issue 21, items 3 and 4: the failed-authentication limit as SPEC 9 says it, replayed with the
 * attack run's lockout scenarios. Only credentials that were never valid count; once an address
 * has AUTH_FAILURES_PER_MINUTE of them, its requests without valid credentials get 429; a request
 * with valid credentials is never refused. Batch entries run as their batch's client and the
 * batch counts once against the application's rate limit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LONG_TOKEN_SECONDS, startTestServer, type TestServer } from '../support/server.ts';

const PROXY = '198.51.100.9';

async function withServer(env: Record<string, string>, run: (server: TestServer) => Promise<void>) {
  const server = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: '100000', ...env } });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

/** A request from `from` with `authorization` (a bearer value, or none). */
async function get(server: TestServer, url: string, bearer: string | undefined, from = PROXY) {
  return server.app.inject({
    method: 'GET',
    url,
    remoteAddress: from,
    headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
  });
}

function refresh(server: TestServer, refreshToken: string, from = PROXY) {
  return server.app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: from,
    payload: {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: server.clientId,
      client_secret: server.clientSecret,
    },
  });
}

/** Sends `count` guessed access tokens from `from`; returns their statuses. */
async function guesses(server: TestServer, count: number, from = PROXY): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++)
    statuses.push((await get(server, '/v1/calendars', `guess-${i}`, from)).statusCode);
  return statuses;
}

describe('failed authentications (SPEC 9)', () => {
  test('guesses lock out requests without valid credentials, never requests with them', async () => {
    await withServer({ AUTH_FAILURES_PER_MINUTE: '20' }, async (server) => {
      const account = await server.createAccount('auth-guess');
      const other = await server.createApplication('Other tenant behind the same proxy');
      assert.deepEqual(await guesses(server, 20), Array(20).fill(401));

      const locked = await get(server, '/v1/calendars', 'guess-21');
      assert.equal(locked.statusCode, 429);
      assert.ok(Number(locked.headers['retry-after']) >= 1);
      assert.equal((await get(server, '/v1/calendars', undefined)).statusCode, 429, 'no credentials');

      // Behind a proxy without TRUST_PROXY every tenant shares the address: none is refused.
      assert.equal((await get(server, '/v1/calendars', account.accessToken)).statusCode, 200);
      assert.equal((await get(server, '/v1/callbacks', server.clientSecret)).statusCode, 200);
      assert.equal((await get(server, '/v1/callbacks', other.clientSecret)).statusCode, 200);
      assert.equal((await refresh(server, account.refreshToken)).statusCode, 200);

      assert.equal(
        (await get(server, '/v1/calendars', 'guess-x', '203.0.113.4')).statusCode,
        401,
        'elsewhere',
      );
      server.clock.advance(60_000);
      assert.equal((await get(server, '/v1/calendars', 'guess-22')).statusCode, 401, 'a new minute');
    });
  });

  test('30 expired tokens used once each: 30 × 401, then every refresh and the secret work', async () => {
    await withServer({ AUTH_FAILURES_PER_MINUTE: '20', ACCESS_TOKEN_SECONDS: '3600' }, async (server) => {
      const accounts = [];
      for (let i = 0; i < 30; i++) accounts.push(await server.createAccount(`auth-expired-${i}`));
      server.clock.advance(3_600_000);
      const expired = [];
      for (const account of accounts)
        expired.push((await get(server, '/v1/calendars', account.accessToken)).statusCode);
      assert.deepEqual(expired, Array(30).fill(401), 'expired tokens are not guesses');
      const refreshed = [];
      for (const account of accounts)
        refreshed.push((await refresh(server, account.refreshToken)).statusCode);
      assert.deepEqual(refreshed, Array(30).fill(200));
      assert.equal((await get(server, '/v1/callbacks', server.clientSecret)).statusCode, 200);
      assert.equal(
        (await get(server, '/v1/calendars', 'a-guess')).statusCode,
        401,
        'the address is not locked',
      );
    });
  });

  test('revoked tokens do not count', async () => {
    await withServer({ AUTH_FAILURES_PER_MINUTE: '5' }, async (server) => {
      const account = await server.createAccount('auth-revoked');
      const revoked = await server.app.inject({
        method: 'POST',
        url: '/oauth/token/revoke',
        payload: {
          client_id: server.clientId,
          client_secret: server.clientSecret,
          token: account.accessToken,
        },
      });
      assert.equal(revoked.statusCode, 200);
      const statuses = [];
      for (let i = 0; i < 10; i++)
        statuses.push((await get(server, '/v1/calendars', account.accessToken)).statusCode);
      for (let i = 0; i < 10; i++) statuses.push((await refresh(server, account.refreshToken)).statusCode);
      assert.deepEqual(statuses, [...Array(10).fill(401), ...Array(10).fill(400)]);
      assert.equal(
        (await get(server, '/v1/calendars', 'a-guess')).statusCode,
        401,
        'the address is not locked',
      );
    });
  });

  test("a refresh race's losers do not count; unknown refresh tokens do", async () => {
    await withServer(
      { AUTH_FAILURES_PER_MINUTE: '5', ACCESS_TOKEN_SECONDS: LONG_TOKEN_SECONDS },
      async (server) => {
        const account = await server.createAccount('auth-race');
        const race = await Promise.all(
          Array.from({ length: 20 }, () => refresh(server, account.refreshToken)),
        );
        const statuses = race.map((res) => res.statusCode).sort();
        assert.deepEqual(statuses, [200, ...Array(19).fill(400)]);
        assert.equal(
          (await get(server, '/v1/calendars', 'a-guess')).statusCode,
          401,
          'the losers were not counted',
        );

        for (let i = 0; i < 4; i++) assert.equal((await refresh(server, `unknown-${i}`)).statusCode, 400);
        assert.equal(
          (await get(server, '/v1/calendars', 'a-guess')).statusCode,
          429,
          'unknown refresh tokens are guesses',
        );
        assert.equal(
          (await refresh(server, 'unknown-5')).statusCode,
          400,
          'the client secret is valid: never refused',
        );
      },
    );
  });

  test('a wrong kind of valid credential is not a guess', async () => {
    await withServer({ AUTH_FAILURES_PER_MINUTE: '3' }, async (server) => {
      const account = await server.createAccount('auth-kind');
      for (let i = 0; i < 6; i++) {
        assert.equal((await get(server, '/v1/callbacks', account.accessToken)).statusCode, 401);
        assert.equal((await get(server, '/v1/calendars', server.clientSecret)).statusCode, 401);
      }
      assert.equal((await get(server, '/v1/calendars', 'a-guess')).statusCode, 401);
    });
  });
});

describe('batch entries (issue 21 item 4)', () => {
  test('a full batch counts once against the rate limit: its 50 entries and 49 more requests pass', async () => {
    await withServer({ RATE_LIMIT_PER_SECOND: '50' }, async (server) => {
      const account = await server.createAccount('batch-rate');
      const batch = Array.from({ length: 50 }, (_, i) => ({
        method: 'POST',
        relative_url: `/v1/calendars/${account.calendarId}/events`,
        data: {
          event_id: `batch-${i}`,
          summary: 'Batch',
          start: '2026-03-10T09:00:00Z',
          end: '2026-03-10T09:30:00Z',
        },
      }));
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        remoteAddress: PROXY,
        headers: { authorization: `Bearer ${account.accessToken}` },
        payload: { batch },
      });
      assert.equal(res.statusCode, 207, res.body);
      const entries = (res.json() as { batch: { status: number }[] }).batch.map((entry) => entry.status);
      assert.deepEqual(entries, Array(50).fill(202));
      const after = [];
      for (let i = 0; i < 50; i++)
        after.push((await get(server, '/v1/calendars', account.accessToken)).statusCode);
      assert.deepEqual(after, [...Array(49).fill(200), 429], 'the batch was one request of 50');
    });
  });

  test("guesses from other addresses never refuse a batch's entries", async () => {
    await withServer({ AUTH_FAILURES_PER_MINUTE: '3' }, async (server) => {
      const account = await server.createAccount('batch-ip');
      // Entries used to run as 127.0.0.1: lock that address and the batch's own.
      await guesses(server, 4, '127.0.0.1');
      await guesses(server, 4, PROXY);
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/batch',
        remoteAddress: PROXY,
        headers: { authorization: `Bearer ${account.accessToken}` },
        payload: {
          batch: [
            {
              method: 'DELETE',
              relative_url: `/v1/calendars/${account.calendarId}/events`,
              data: { event_id: 'x' },
            },
          ],
        },
      });
      assert.equal(res.statusCode, 207, res.body);
      assert.equal((res.json() as { batch: { status: number }[] }).batch[0]!.status, 202);
    });
  });
});
