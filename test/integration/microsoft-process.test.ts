/**
 * Microsoft 365 through the real `rtseq serve` process (issue 24), over real HTTP only, against the
 * in-repo fake of the Microsoft identity platform and Graph on the real clock: a person connects
 * through the authorization page, the application exchanges the code and opens a channel, the
 * process's own sync job makes the first sync and subscribes, a change in Outlook is pushed to the
 * process and shows in availability and as a signed `change` notification, a booking made on the
 * booking page is written into Outlook once by the outbox, patched in place on a reschedule and
 * deleted on a cancel, and a revoked grant disconnects the profile. Every wait polls every 200 ms
 * with a generous bound; no elapsed time is asserted. Runs on SQLite, and on PostgreSQL with
 * RTSEQ_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type FakeMicrosoft, type FakeUser, startFakeMicrosoft } from '../support/fake-microsoft.ts';
import { bookFirstTime, pageBrowser, unescapeHtml } from '../support/page-visitor.ts';
import { type ServerProcess, startServerProcess } from '../support/process.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.ts';
import { type Scenario, seedScenario } from '../support/scenario.ts';

const require = createRequire(import.meta.url);
const Cronofy = require('cronofy') as new (options: {
  client_secret: string;
}) => { hmacValid(options: { hmac: string; body: string }): boolean };

const REDIRECT = 'https://app.example/connected';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Two days ahead, midnight UTC: inside the synced range, with no minimum-notice edge. */
const DAY_START = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
const at = (hour: number) => DAY_START + hour * HOUR;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const POLL_MS = 200;
const BOUND_MS = 30_000;

describe('Microsoft 365 through the rtseq serve process', () => {
  let t: TestContext;
  let ms: FakeMicrosoft;
  let server: ServerProcess;
  let receiver: Receiver;
  let s: Scenario;
  let ana: FakeUser;
  let graphCalendarId: string;
  let lunchId: string;
  let account: { sub: string; token: string; calendarId: string };
  let channel: Record<string, unknown>;

  before(async () => {
    t = await makeTestContext({ start: Date.now() });
    s = await seedScenario(t.ctx);
    ms = await startFakeMicrosoft({ autoNotify: true });
    receiver = await startReceiver();
    ana = ms.addUser({ mail: 'ana@contoso.example', timeZone: 'Europe/London' });
    graphCalendarId = ms.primaryCalendarOf(ana.id).id;
    lunchId = ms.addEvent(graphCalendarId, { subject: 'Lunch', start: at(12), end: at(13) }).id;
    server = await startServerProcess({
      ...t.databaseEnv,
      ALLOW_PRIVATE_CALLBACKS: 'true',
      MICROSOFT_CLIENT_ID: ms.clientId,
      MICROSOFT_CLIENT_SECRET: ms.clientSecret,
      MICROSOFT_AUTH_URL: ms.authUrl,
      MICROSOFT_TOKEN_URL: ms.tokenUrl,
      MICROSOFT_GRAPH_URL: ms.graphUrl,
      OUTBOX_POLL_MS: '100',
      PAGE_RATE_LIMIT_PER_SECOND: '100000',
    });
    const registered = await api('PATCH', '/v1/application', s.clientSecret, { redirect_uris: [REDIRECT] });
    assert.equal(registered.status, 200, await registered.text());
  });

  after(async () => {
    await server?.stop();
    await receiver?.close();
    await ms?.close();
    await t?.dispose();
  });

  function api(method: 'GET' | 'POST' | 'PATCH', path: string, token: string, payload?: unknown) {
    return fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
  }

  /** Probes every 200 ms until `done` holds; fails after 30 s with the last value and the logs. */
  async function until<T>(what: string, probe: () => Promise<T> | T, done: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + BOUND_MS;
    for (;;) {
      const value = await probe();
      if (done(value)) return value;
      if (Date.now() > deadline)
        assert.fail(`${what}: still ${JSON.stringify(value)} after ${BOUND_MS / 1000} s\n${server.output()}`);
      await sleep(POLL_MS);
    }
  }

  /** Ana's free periods on the day between 09:00 and 17:00 UTC, as `HH:MM-HH:MM`. */
  async function freePeriods(): Promise<string[]> {
    const answer = await api('POST', '/v1/availability', s.clientSecret, {
      participants: [{ members: [{ sub: account.sub }], required: 'all' }],
      required_duration: { minutes: 60 },
      available_periods: [{ start: iso(at(9)), end: iso(at(17)) }],
    });
    const body = await answer.text();
    assert.equal(answer.status, 200, body);
    return (JSON.parse(body).available_periods as { start: string; end: string }[]).map(
      (p) => `${p.start.slice(11, 16)}-${p.end.slice(11, 16)}`,
    );
  }

  /** The channel's notifications so far of `type`, each checked to be signed by the application. */
  function notifications(type: string): Record<string, unknown>[] {
    const client = new Cronofy({ client_secret: s.clientSecret });
    return receiver.requests
      .map((r: ReceivedRequest) => ({ r, body: JSON.parse(r.body) as Record<string, unknown> }))
      .filter(({ body }) => (body.notification as { type?: string } | undefined)?.type === type)
      .map(({ r, body }) => {
        const hmac = String(r.headers['cronofy-hmac-sha256']);
        assert.ok(client.hmacValid({ hmac, body: r.body }), `a ${type} notification signed by the secret`);
        return body;
      });
  }

  const interviews = () => ms.eventsOf(graphCalendarId).filter((e) => e.subject === 'Interview');

  test('a person connects Microsoft 365 on the authorization page; the code is exchanged', async () => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: s.clientId,
      redirect_uri: REDIRECT,
      scope: 'read_write',
      state: 'app-state',
      provider_name: 'office365',
    });
    const opened = await fetch(`${server.url}/oauth/authorize?${query}`, { redirect: 'manual' });
    assert.equal(opened.status, 303, await opened.text());
    const consent = new URL(opened.headers.get('location')!);
    assert.equal(consent.origin + consent.pathname, ms.authUrl);
    assert.equal(consent.searchParams.get('redirect_uri'), `${server.url}/oauth/callback/microsoft`);
    const cookie = opened.headers.getSetCookie()[0]?.split(';')[0];
    assert.ok(cookie !== undefined, 'the page sets its cookie');

    const callback = await ms.approve(consent.href, ana.id);
    assert.equal(callback.origin, server.url);
    const done = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    assert.equal(done.status, 303, await done.text());
    const landed = new URL(done.headers.get('location')!);
    assert.equal(landed.origin + landed.pathname, REDIRECT);
    assert.equal(landed.searchParams.get('state'), 'app-state');

    const exchanged = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        client_id: s.clientId,
        client_secret: s.clientSecret,
        code: landed.searchParams.get('code'),
        redirect_uri: REDIRECT,
      }),
    });
    const token = JSON.parse(await exchanged.text());
    assert.equal(exchanged.status, 200, JSON.stringify(token));
    assert.equal(token.linking_profile.provider_name, 'office365');
    assert.equal(token.linking_profile.profile_name, 'ana@contoso.example');
    const calendars = await api('GET', '/v1/calendars', token.access_token);
    const listed = JSON.parse(await calendars.text());
    assert.equal(calendars.status, 200, JSON.stringify(listed));
    const primary = listed.calendars.find((c: { provider_name: string }) => c.provider_name === 'office365');
    assert.ok(primary !== undefined, JSON.stringify(listed));
    account = { sub: token.sub, token: token.access_token, calendarId: primary.calendar_id };
  });

  test('a channel; the first sync runs by itself and availability then reads the copy', async () => {
    const created = await api('POST', '/v1/channels', account.token, { callback_url: receiver.url });
    const answer = JSON.parse(await created.text());
    assert.equal(created.status, 200, JSON.stringify(answer));
    channel = answer.channel;
    await until(
      'the verification notification',
      () => notifications('verification').length,
      (n) => n === 1,
    );
    assert.deepEqual(notifications('verification')[0], { notification: { type: 'verification' }, channel });

    // The sync job subscribes after the first sync; the handshake reached the process.
    const [subscription] = await until(
      'a Graph subscription',
      () => ms.subscriptions(),
      (l) => l.length > 0,
    );
    assert.equal(subscription!.notificationUrl, `${server.url}/push/microsoft`);
    assert.ok(ms.validations.some((v) => v.ok && v.url.startsWith(server.url)));
    assert.deepEqual(
      await until('the lunch that was there before connecting', freePeriods, (p) => p.length === 2),
      ['09:00-12:00', '13:00-17:00'],
    );
    ms.resetRequestCounts();
    assert.deepEqual(await freePeriods(), ['09:00-12:00', '13:00-17:00']);
    assert.equal(ms.requestCount('calendarView'), 0, 'availability reads the synced copy, not Graph');
  });

  test('a change in Outlook is pushed to the process, shows in availability and reaches the channel', async () => {
    const changedAt = Date.now();
    ms.changeEvent(lunchId, { start: at(15), end: at(16) }); // autoNotify: Graph tells the process
    assert.deepEqual(await until('the moved lunch', freePeriods, (p) => p[0] === '09:00-15:00'), [
      '09:00-15:00',
      '16:00-17:00',
    ]);
    await ms.settled();
    assert.ok(
      ms.deliveries.some((d) => d.url === `${server.url}/push/microsoft` && d.status === 202),
      JSON.stringify(ms.deliveries),
    );
    const [change] = await until(
      'a change notification',
      () => notifications('change'),
      (l) => l.length > 0,
    );
    assert.deepEqual(Object.keys(change!).sort(), ['channel', 'notification']);
    assert.deepEqual(change!.channel, channel);
    const notification = change!.notification as { type: string; changes_since: string };
    assert.deepEqual(Object.keys(notification).sort(), ['changes_since', 'type']);
    assert.match(notification.changes_since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const since = Date.parse(notification.changes_since);
    assert.ok(
      since >= Math.floor(changedAt / 1000) * 1000 && since <= Date.now(),
      notification.changes_since,
    );
  });

  test('a booking on the page is written into Outlook once, patched in place, then deleted', async () => {
    ms.resetRequestCounts();
    const created = await api('POST', '/v1/real_time_sequencing', s.clientSecret, {
      oauth: { redirect_uri: 'https://app.example/done' },
      event: { event_id: 'interview-ms', summary: 'Interview', tzid: 'Europe/London' },
      availability: {
        sequence: [
          {
            sequence_id: 'talk',
            participants: [{ members: [{ sub: account.sub }], required: 'all' }],
            required_duration: { minutes: 60 },
          },
        ],
        query_periods: [{ start: iso(at(9)), end: iso(at(12)) }],
      },
      target_calendars: [{ sub: account.sub, calendar_id: account.calendarId }],
      tzid: 'Europe/London',
    });
    const link = JSON.parse(await created.text());
    assert.equal(created.status, 200, JSON.stringify(link));
    const linkId: string = link.real_time_sequencing.real_time_sequencing_id;
    await bookFirstTime(link.url);

    const [written] = await until(
      'the booked event in Outlook',
      () => interviews(),
      (l) => l.length > 0 && l[0]!.transactionId !== null,
    );
    assert.equal(interviews().length, 1);
    assert.equal(written!.start, at(9));
    assert.equal(written!.end, at(10));
    assert.notEqual(written!.transactionId, '');
    assert.equal(ms.requestCount('events:create'), 1, JSON.stringify(ms.requestCounts()));

    const rescheduled = await api('POST', `/v1/real_time_sequencing/${linkId}/reschedule`, s.clientSecret);
    const reopened = JSON.parse(await rescheduled.text());
    assert.equal(rescheduled.status, 200, JSON.stringify(reopened));
    assert.equal(reopened.real_time_sequencing.status, 'rescheduling');
    await bookTimeOnPage(reopened.real_time_sequencing.url, at(10));
    const [moved] = await until(
      'the patched event',
      () => interviews(),
      (l) => l[0]?.start === at(10),
    );
    assert.equal(interviews().length, 1);
    assert.equal(moved!.id, written!.id, 'patched in place');
    assert.equal(moved!.end, at(11));
    assert.equal(ms.requestCount('events:create'), 1, 'no second event');
    assert.ok(ms.requestCount('events:update') >= 1, JSON.stringify(ms.requestCounts()));

    const cancelled = await api('POST', `/v1/real_time_sequencing/${linkId}/cancel`, s.clientSecret);
    const gone = JSON.parse(await cancelled.text());
    assert.equal(cancelled.status, 200, JSON.stringify(gone));
    assert.equal(gone.real_time_sequencing.status, 'cancelled');
    await until(
      'the deleted event',
      () => interviews().length,
      (n) => n === 0,
    );
    assert.equal(ms.event(written!.id), undefined);
    assert.equal(ms.requestCount('events:delete'), 1, JSON.stringify(ms.requestCounts()));
  });

  test('a revoked grant disconnects the profile: profile_disconnected, relink URL', async () => {
    assert.equal(notifications('profile_disconnected').length, 0);
    ms.revokeRefreshTokens(ana.id);
    ms.expireAccessTokens(ana.id);
    const delivered = await ms.notify(graphCalendarId, { eventId: lunchId });
    assert.deepEqual(
      delivered.map((d) => d.status),
      [202],
    );
    const [told] = await until(
      'profile_disconnected',
      () => notifications('profile_disconnected'),
      (l) => l.length > 0,
    );
    assert.deepEqual(told, { notification: { type: 'profile_disconnected' }, channel });
    const profiles = await api('GET', '/v1/profiles', account.token);
    const listed = JSON.parse(await profiles.text());
    assert.equal(profiles.status, 200, JSON.stringify(listed));
    const profile = listed.profiles.find((p: { provider_name: string }) => p.provider_name === 'office365');
    assert.equal(profile.profile_connected, false);
    assert.match(profile.profile_relink_url, /provider_name=office365/);
    assert.deepEqual(await freePeriods(), [], 'a disconnected member is never silently free');
  });

  /** Books the page's option that starts at `start` (one step), as a browser without script. */
  async function bookTimeOnPage(linkUrl: string, start: number): Promise<void> {
    const browse = pageBrowser();
    const open = await browse(linkUrl);
    assert.equal(open.status, 200, open.body);
    const keys = [...open.body.matchAll(/name="option" value="([^"]+)"/g)].map((m) => unescapeHtml(m[1]!));
    const key = keys.find((k) => k === `0.${start}`);
    assert.ok(key !== undefined, `no option at ${iso(start)} among ${keys.join(' ')}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(open.body)?.[1];
    assert.ok(csrf !== undefined, 'no csrf field on the page');
    const chosen = await browse(`${linkUrl}/choose`, { csrf: unescapeHtml(csrf), option: key });
    assert.equal(chosen.status, 303, chosen.body);
    assert.doesNotMatch(chosen.location ?? '', /taken=|confirm/);
  }
});
