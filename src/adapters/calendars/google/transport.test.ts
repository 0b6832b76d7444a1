import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isProviderError, type ProviderErrorCode } from '../../../ports/synced-provider.ts';
import { type GoogleHarness, googleHarness, signedIn } from './google.test-support.ts';
import { createGoogleProvider } from './provider.ts';
import { retryAfterMs } from './transport.ts';

async function rejectsWith(promise: Promise<unknown>, code: ProviderErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isProviderError(error), `not a ProviderError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('Google adapter: rate limits, errors and deadlines', () => {
  let h: GoogleHarness;
  let token: string;
  before(async () => {
    h = await googleHarness();
    ({ token } = signedIn(h));
  });
  after(() => h.stop());

  function reset(): void {
    h.google.clearFaults();
    h.google.resetCounts();
    h.sleeps.length = 0;
  }

  test('429 with Retry-After is retried after that many seconds within the deadline', async () => {
    reset();
    h.google.failNext('calendarList.list', { kind: 'rate429', retryAfterSeconds: 2 }, 2);
    const calendars = await h.provider.listCalendars(token, h.within(60_000));
    assert.equal(calendars.length, 1);
    assert.deepEqual(h.sleeps, [2000, 2000]);
    assert.equal(h.google.requests('calendarList.list'), 3);
  });

  test('403 rateLimitExceeded and userRateLimitExceeded back off from 500 ms, doubling', async () => {
    reset();
    h.google.failNext('freeBusy.query', { kind: 'rate403', reason: 'rateLimitExceeded' });
    h.google.failNext('freeBusy.query', { kind: 'rate403', reason: 'userRateLimitExceeded' });
    h.google.failNext('freeBusy.query', { kind: 'rate429' });
    const calendars = await h.provider.listCalendars(token, h.within());
    await h.provider.readBusy(
      token,
      calendars,
      { start: h.clock.now, end: h.clock.now + 3_600_000 },
      h.within(),
    );
    assert.deepEqual(h.sleeps, [500, 1000, 2000]);
  });

  test('still rate limited when the deadline comes: rate_limited', async () => {
    reset();
    h.google.failNext('calendars.get', { kind: 'rate429', retryAfterSeconds: 120 });
    await rejectsWith(h.provider.identity(token, h.within(60_000)), 'rate_limited');
    assert.deepEqual(h.sleeps, []);
    assert.equal(h.google.requests('calendars.get'), 1);

    reset();
    h.google.failNext('calendars.get', { kind: 'rate429' }, 10);
    await rejectsWith(h.provider.identity(token, h.within(2_000)), 'rate_limited');
    assert.deepEqual(h.sleeps, [500, 1000]);
  });

  test('the token endpoint is retried on 429 too', async () => {
    reset();
    const refreshToken = h.google.issueRefreshToken('ada@example.com');
    h.google.failNext('token', { kind: 'rate429', retryAfterSeconds: 1 });
    const grant = await h.provider.refresh({ accessToken: 'old', refreshToken, expiresAt: 0 }, h.within());
    assert.equal(grant.refreshToken, refreshToken);
    assert.deepEqual(h.sleeps, [1000]);
  });

  test('other answers map to stable codes, each after exactly one request (no client retry)', async () => {
    const cases: [Parameters<typeof h.google.failNext>[1], ProviderErrorCode][] = [
      [{ kind: 'status', status: 403, reason: 'forbidden' }, 'forbidden'],
      [{ kind: 'status', status: 404, reason: 'notFound' }, 'not_found'],
      [{ kind: 'status', status: 500 }, 'bad_response'],
      [{ kind: 'status', status: 503 }, 'bad_response'],
      [{ kind: 'garbage' }, 'bad_response'],
    ];
    for (const [fault, code] of cases) {
      reset();
      h.google.failNext('calendarList.list', fault);
      await rejectsWith(h.provider.listCalendars(token, h.within()), code);
      assert.equal(h.google.requests('calendarList.list'), 1, code);
    }
    reset();
    await rejectsWith(h.provider.listCalendars('ya29.unknown', h.within()), 'unauthorized');
  });

  test('no answer before the deadline is a timeout; a deadline already past sends nothing', async () => {
    reset();
    h.google.failNext('calendars.get', { kind: 'hang' });
    await rejectsWith(h.provider.identity(token, h.within(200)), 'timeout');
    reset();
    await rejectsWith(h.provider.identity(token, { deadline: h.clock.now }), 'timeout');
    assert.equal(h.google.requests(), 0);
  });

  test('a host that refuses connections is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const provider = createGoogleProvider({
      clientId: 'x',
      clientSecret: 'y',
      authUrl: `http://127.0.0.1:${port}/auth`,
      tokenUrl: `http://127.0.0.1:${port}/token`,
      apiUrl: `http://127.0.0.1:${port}/`,
    });
    const deadline = { deadline: Date.now() + 10_000 };
    await rejectsWith(provider.identity('t', deadline), 'unreachable');
    await rejectsWith(
      provider.refresh({ accessToken: 'a', refreshToken: 'r', expiresAt: 0 }, deadline),
      'unreachable',
    );
  });

  test('Retry-After reads delay-seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 0, 1);
    assert.equal(retryAfterMs('7', now), 7000);
    assert.equal(retryAfterMs(new Date(now + 3000).toUTCString(), now), 3000);
    assert.equal(retryAfterMs('soon', now), null);
    assert.equal(retryAfterMs(null, now), null);
  });
});
