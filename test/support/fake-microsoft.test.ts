/**
 * The fake Microsoft 365 on the wire, without the adapter: what Graph and the identity platform
 * would answer a client that breaks their rules (too many concurrent requests, an expiry past
 * 4,230 minutes, an endpoint that does not answer the handshake in time).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type FakeMicrosoft, type FakeUser, startFakeMicrosoft } from './fake-microsoft.ts';

describe('fake Microsoft 365 on the wire', () => {
  let fake: FakeMicrosoft;
  let user: FakeUser;
  let token: string;
  before(async () => {
    fake = await startFakeMicrosoft({ autoConsent: true, validationTimeoutMs: 200 });
    user = fake.addUser();
    token = fake.grant(user.id).accessToken;
  });
  after(() => fake.close());

  const graph = (path: string, init: RequestInit = {}) =>
    fetch(`${fake.graphUrl}v1.0/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });

  test('a fifth concurrent request to one mailbox is 429 MailboxConcurrency with Retry-After', async () => {
    fake.setLatency(50);
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, () => graph('me')));
      const throttled = answers.filter((a) => a.status === 429);
      assert.equal(answers.filter((a) => a.status === 200).length, 4);
      assert.equal(throttled.length, 2);
      assert.equal(throttled[0]?.headers.get('retry-after'), '1');
      assert.equal(
        ((await throttled[0]!.json()) as { error: { code: string } }).error.code,
        'MailboxConcurrency',
      );
      await Promise.all(answers.map((a) => (a.bodyUsed ? undefined : a.body?.cancel())));
    } finally {
      fake.setLatency(0);
    }
  });

  test('no token, an unknown one or an expired one is 401 InvalidAuthenticationToken', async () => {
    const anonymous = await fetch(`${fake.graphUrl}v1.0/me`);
    assert.equal(anonymous.status, 401);
    const expired = fake.grant(user.id).accessToken;
    fake.expireAccessTokens(user.id);
    const answer = await fetch(`${fake.graphUrl}v1.0/me`, {
      headers: { authorization: `Bearer ${expired}` },
    });
    assert.equal(answer.status, 401);
    assert.equal(
      ((await answer.json()) as { error: { code: string } }).error.code,
      'InvalidAuthenticationToken',
    );
    token = fake.grant(user.id).accessToken;
  });

  test('auto-consent sends the browser straight back with a code; the page mode shows Allow and Deny', async () => {
    const query = new URLSearchParams({
      client_id: fake.clientId,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:9/cb',
      scope: 'offline_access Calendars.ReadWrite User.Read',
      state: 's1',
    });
    const auto = await fetch(`${fake.authUrl}?${query}`, { redirect: 'manual' });
    assert.equal(auto.status, 302);
    const location = new URL(auto.headers.get('location')!);
    assert.equal(location.searchParams.get('state'), 's1');
    assert.ok(location.searchParams.get('code'));
    fake.setAutoConsent(null);
    const page = await fetch(`${fake.authUrl}?${query}`);
    const html = await page.text();
    assert.match(html, /<button[^>]*value="allow"[^>]*>Allow<\/button>/);
    assert.match(html, /<button[^>]*value="deny"[^>]*>Deny<\/button>/);
    fake.setAutoConsent(user.id);
  });

  test('subscriptions: past 4,230 minutes is 400; an endpoint that does not answer within the limit is 400 ValidationError', async () => {
    const calendar = fake.primaryCalendarOf(user.id);
    const hanging = createServer(() => undefined);
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    const url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}/push`;
    const body = (minutes: number) =>
      JSON.stringify({
        changeType: 'created,updated,deleted',
        notificationUrl: url,
        resource: `me/calendars/${calendar.id}/events`,
        expirationDateTime: new Date(Date.now() + minutes * 60_000).toISOString(),
        clientState: 'x',
      });
    try {
      const tooLong = await graph('subscriptions', { method: 'POST', body: body(4240) });
      assert.equal(tooLong.status, 400);
      await tooLong.body?.cancel();
      const unvalidated = await graph('subscriptions', { method: 'POST', body: body(60) });
      assert.equal(unvalidated.status, 400);
      assert.equal(((await unvalidated.json()) as { error: { code: string } }).error.code, 'ValidationError');
      assert.deepEqual(fake.validations.at(-1), { url, ok: false });
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  test('delta pages honour odata.maxpagesize and end in a deltaLink; an unknown delta token is 410', async () => {
    const calendar = fake.addCalendar(user.id, { name: 'Paged' });
    for (let i = 0; i < 5; i++)
      fake.addEvent(calendar.id, { start: Date.UTC(2030, 0, 7, i), end: Date.UTC(2030, 0, 7, i, 30) });
    let next: string | undefined =
      `${fake.graphUrl}v1.0/me/calendars/${calendar.id}/calendarView/delta` +
      '?startDateTime=2030-01-01T00:00:00Z&endDateTime=2030-02-01T00:00:00Z';
    const sizes: number[] = [];
    let deltaLink: string | undefined;
    while (next !== undefined) {
      const answer = await fetch(next, {
        headers: { authorization: `Bearer ${token}`, prefer: 'odata.maxpagesize=2' },
      });
      const page = (await answer.json()) as {
        value: unknown[];
        '@odata.nextLink'?: string;
        '@odata.deltaLink'?: string;
      };
      sizes.push(page.value.length);
      next = page['@odata.nextLink'];
      deltaLink = page['@odata.deltaLink'];
    }
    assert.deepEqual(sizes, [2, 2, 1]);
    assert.ok(deltaLink?.includes('$deltatoken='));
    const gone = await fetch(deltaLink!.replace(/\$deltatoken=.*/, '$deltatoken=nope'), {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(gone.status, 410);
    assert.equal(((await gone.json()) as { error: { code: string } }).error.code, 'SyncStateNotFound');
  });

  test('request counters count by endpoint', async () => {
    fake.resetRequestCounts();
    await (await graph('me')).body?.cancel();
    await (await graph('me/calendars')).body?.cancel();
    assert.deepEqual(fake.requestCounts(), { me: 1, calendars: 1 });
  });
});
