import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { RemoteCalendar } from '../../../ports/synced-provider.ts';
import { createMailboxGate, mailboxOf } from './mailbox-gate.ts';
import { DAY, rejectsWith, type Setup, setup } from './microsoft.test-support.ts';
import { createMicrosoftProvider } from './provider.ts';

const T0 = Date.UTC(2030, 0, 7);
const WINDOW = { start: T0, end: T0 + 7 * DAY };

describe('Microsoft Graph: concurrency per mailbox, rate limits, failures', () => {
  let s: Setup;
  let calendars: RemoteCalendar[];
  before(async () => {
    s = await setup();
    calendars = [
      s.calendar,
      ...Array.from({ length: 9 }, (_, i) => s.fake.addCalendar(s.user.id, { name: `C${i}` })),
    ].map((c) => ({ id: c.id, name: c.name, primary: c.isDefaultCalendar, readOnly: false, tzid: 'UTC' }));
  });
  after(() => s.close());

  test('never more than 4 requests in flight to one mailbox, even across two tokens of the same person', async () => {
    s.fake.setLatency(25);
    try {
      const second = s.fake.grant(s.user.id).accessToken;
      const results = await Promise.all([
        s.provider.readBusy(s.accessToken, calendars, WINDOW, s.options()),
        s.provider.readBusy(second, calendars, WINDOW, s.options()),
        s.provider.identity(s.accessToken, s.options()),
        s.provider.listCalendars(second, s.options()),
      ]);
      assert.equal(results[0].size, 10);
      assert.equal(s.fake.maxConcurrent(s.user.id), 4);
      assert.equal(s.fake.concurrencyRejections, 0);
    } finally {
      s.fake.setLatency(0);
    }
  });

  test('another mailbox is not held up by a busy one', async () => {
    const other = s.fake.addUser();
    const token = s.fake.grant(other.id).accessToken;
    s.fake.setLatency(25);
    try {
      const mine = Promise.all([1, 2, 3, 4, 5, 6].map(() => s.provider.identity(s.accessToken, s.options())));
      const theirs = Promise.all([1, 2, 3, 4].map(() => s.provider.identity(token, s.options())));
      await Promise.all([mine, theirs]);
      assert.equal(s.fake.maxConcurrent(other.id), 4);
    } finally {
      s.fake.setLatency(0);
    }
  });

  test('429 (MailboxConcurrency included) and 503 with Retry-After are retried after the wait they ask for', async () => {
    s.clock.sleeps.length = 0;
    s.fake.throttle(1, { code: 'MailboxConcurrency', retryAfterSeconds: 2 });
    s.fake.throttle(1, { retryAfterSeconds: 5 });
    s.fake.failNext(1, { status: 503, retryAfterSeconds: 1, code: 'ServiceUnavailable' });
    const identity = await s.provider.identity(s.accessToken, s.options());
    assert.equal(identity.providerUserId, s.user.id);
    assert.deepEqual(s.clock.sleeps, [2000, 5000, 1000]);
  });

  test('a 429 without Retry-After backs off 1 s, 2 s, …', async () => {
    s.clock.sleeps.length = 0;
    s.fake.throttle(3, { retryAfterSeconds: null });
    await s.provider.identity(s.accessToken, s.options());
    assert.deepEqual(s.clock.sleeps, [1000, 2000, 4000]);
  });

  test('still limited when the deadline comes: rate_limited, without waiting past it', async () => {
    s.clock.sleeps.length = 0;
    s.fake.throttle(5, { retryAfterSeconds: 4 });
    await rejectsWith(s.provider.identity(s.accessToken, s.options(10_000)), 'rate_limited');
    assert.deepEqual(s.clock.sleeps, [4000, 4000]);
    s.fake.clearFaults();
  });

  test('a server that keeps answering Retry-After: 0 is given up after 10 tries', async () => {
    s.clock.sleeps.length = 0;
    s.fake.throttle(12, { retryAfterSeconds: 0 });
    await rejectsWith(s.provider.identity(s.accessToken, s.options()), 'rate_limited');
    assert.equal(s.clock.sleeps.length, 9);
    s.fake.clearFaults();
  });

  test('statuses map to the port codes: 401, 403, 404, 5xx and garbage', async () => {
    const cases = [
      { status: 401, code: 'unauthorized' },
      { status: 403, code: 'forbidden' },
      { status: 404, code: 'not_found' },
      { status: 500, code: 'bad_response' },
      { status: 502, code: 'bad_response' },
      { status: 503, code: 'bad_response' },
    ] as const;
    for (const { status, code } of cases) {
      s.fake.failNext(1, { status, retryAfterSeconds: null, endpoint: 'me' });
      await rejectsWith(s.provider.identity(s.accessToken, s.options()), code);
    }
    s.fake.failNext(1, { status: 200, rawBody: '<html>captive portal</html>', endpoint: 'me' });
    await rejectsWith(s.provider.identity(s.accessToken, s.options()), 'bad_response');
  });

  test('no answer before the deadline is timeout; a closed port is unreachable', async () => {
    s.fake.setLatency(2000);
    try {
      await rejectsWith(s.provider.identity(s.accessToken, s.options(150)), 'timeout');
    } finally {
      s.fake.setLatency(0);
    }
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as { port: number }).port;
    closed.close();
    await once(closed, 'close');
    const nowhere = createMicrosoftProvider({
      clientId: 'c',
      clientSecret: 's',
      authUrl: `http://127.0.0.1:${port}/authorize`,
      tokenUrl: `http://127.0.0.1:${port}/token`,
      graphUrl: `http://127.0.0.1:${port}/`,
    });
    await rejectsWith(nowhere.identity('token', { deadline: Date.now() + 5000 }), 'unreachable');
  });

  test('the gate hands a slot to the next waiter and times out a waiter that waits too long', async () => {
    const gate = createMailboxGate(1);
    let release: () => void = () => undefined;
    const first = gate.run('m', 1000, () => new Promise<void>((resolve) => (release = resolve)));
    await rejectsWith(
      gate.run('m', 10, async () => undefined),
      'timeout',
    );
    const second = gate.run('m', 1000, async () => 'ran');
    assert.equal(gate.inFlight('m'), 1);
    release();
    await first;
    assert.equal(await second, 'ran');
    assert.equal(gate.inFlight('m'), 0);
  });

  test('mailboxOf: JWTs by oid and tid, opaque tokens by themselves', () => {
    const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
    assert.equal(
      mailboxOf(jwt({ oid: 'u1', tid: 't1', jti: 'a' })),
      mailboxOf(jwt({ oid: 'u1', tid: 't1', jti: 'b' })),
    );
    assert.notEqual(mailboxOf(jwt({ oid: 'u1', tid: 't1' })), mailboxOf(jwt({ oid: 'u2', tid: 't1' })));
    assert.equal(mailboxOf('EwBopaque'), 'token:EwBopaque');
    assert.equal(mailboxOf('a.b.c'), 'token:a.b.c');
  });
});
