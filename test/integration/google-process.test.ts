/**
 * Google Calendar through the real `rtseq serve` process (issue 23), configured with the in-repo
 * fake of Google (test/support/fake-google.ts) as its GOOGLE_* endpoints, everything over real HTTP
 * on the real clock: a person connects through the authorization flow; the sync job completes the
 * first sync by itself and the account's channel hears `profile_initial_sync_completed`; a change
 * in Google arrives by push and shows in availability, and without a push by the poll; a booking
 * made on the booking page is written into Google once by the outbox worker, patched in place on
 * reschedule and deleted on cancel; a revoked grant disconnects the profile (channel told, member
 * unavailable, relink URL) and relinking connects it again, synced again. Nothing here asserts
 * elapsed time: waits poll up to generous bounds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeTestContext, type TestContext } from '../support/context.ts';
import { type FakeGoogle, startFakeGoogle } from '../support/fake-google.ts';
import { bookFirstTime, pageBrowser, unescapeHtml } from '../support/page-visitor.ts';
import { type ServerProcess, startServerProcess } from '../support/process.ts';
import {
  type Account,
  type Api,
  assertConnected,
  availabilityOf,
  connectPerson,
  consentAtOnce,
  exchangeCode,
  fetchApi,
  freePeriods,
  oneMemberLinkBody,
  throughConsent,
} from '../support/provider-kit.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { createTestLink, type Scenario, seedScenario } from '../support/scenario.ts';

const SECRET_KEY = 'google-process-test-secret-key-0123456789-abcdef';
const REDIRECT = 'https://app.example/connected';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const ana = 'ana@example.com';
/** Tomorrow 00:00 UTC: the process runs on the real clock. */
const tomorrow = Math.floor(Date.now() / DAY) * DAY + DAY;
const at = (hour: number) => tomorrow + hour * HOUR;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 200 ms until it answers something other than undefined (or `boundMs` passes). */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  boundMs = 30_000,
) {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${boundMs / 1000} s: ${what}`);
    await sleep(200);
  }
}

/** Picks the first offered time on the page at `linkUrl` and confirms it when asked; answers the last page. */
async function pickFirstTime(linkUrl: string): Promise<string> {
  const browse = pageBrowser();
  const { origin, pathname } = new URL(linkUrl);
  const field = (body: string, name: string) =>
    unescapeHtml(new RegExp(`name="${name}" value="([^"]+)"`).exec(body)?.[1] ?? '');
  const open = await browse(linkUrl);
  assert.equal(open.status, 200, open.body);
  let answer = await browse(`${origin}${pathname}/choose`, {
    csrf: field(open.body, 'csrf'),
    option: field(open.body, 'option'),
  });
  if (answer.location?.includes('/confirm') === true) {
    const held = await browse(`${origin}${answer.location}`);
    answer = await browse(`${origin}${pathname}/confirm`, {
      csrf: field(held.body, 'csrf'),
      option: field(held.body, 'option'),
    });
  }
  assert.equal(answer.status, 303, answer.body);
  const page = await browse(`${origin}${answer.location}`);
  assert.equal(page.status, 200, page.body);
  return page.body;
}

describe('Google Calendar in the rtseq serve process', () => {
  let t: TestContext;
  let google: FakeGoogle;
  let receiver: Receiver;
  let server: ServerProcess;
  let s: Scenario;
  let api: Api;
  let account: Account;

  before(async () => {
    t = await makeTestContext({ start: Date.now(), env: { SECRET_KEY } });
    google = await startFakeGoogle({ autoPush: true });
    google.addUser(ana, { timeZone: 'Europe/London' });
    google.addEvent(ana, {
      summary: 'Stand-up',
      start: { dateTime: iso(at(10)) },
      end: { dateTime: iso(at(11)) },
    });
    receiver = await startReceiver();
    s = await seedScenario(t.ctx);
    server = await startServerProcess({
      ...t.databaseEnv,
      SECRET_KEY,
      GOOGLE_CLIENT_ID: google.clientId,
      GOOGLE_CLIENT_SECRET: google.clientSecret,
      GOOGLE_AUTH_URL: google.authUrl,
      GOOGLE_TOKEN_URL: google.tokenUrl,
      GOOGLE_API_URL: google.apiUrl,
      ALLOW_PRIVATE_CALLBACKS: 'true',
      SYNC_POLL_SECONDS: '2',
      OUTBOX_POLL_MS: '100',
      PAGE_RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    api = fetchApi(server.url);
    const registered = await api('PATCH', '/v1/application', s.clientSecret, { redirect_uris: [REDIRECT] });
    assert.equal(registered.statusCode, 200, registered.body);
  });

  after(async () => {
    await server?.stop();
    await google?.stop();
    await receiver?.close();
    await t?.dispose();
  });

  /** The trip went to Google's consent (the fake allows at once, as the only user) and back here. */
  function assertTrip(trip: { consent: URL; callback: URL }): void {
    assert.equal(trip.consent.origin + trip.consent.pathname, google.authUrl);
    assert.equal(trip.callback.origin, server.url);
  }

  const period = (fromHour: number, toHour: number) => ({ start: iso(at(fromHour)), end: iso(at(toHour)) });
  const availability = (fromHour: number, toHour: number) =>
    availabilityOf(api, s, account.sub, period(fromHour, toHour), 'query_periods');
  const free = (fromHour: number, toHour: number) =>
    freePeriods(api, s, account.sub, period(fromHour, toHour), 'query_periods');

  const notifications = (type: string) =>
    receiver.requests.filter((r) => JSON.parse(r.body).notification?.type === type);

  test('connected through the flow, the first sync completes by itself and the channel hears of it', async () => {
    // Google fails the first event listings, so the channel exists before the first sync can end.
    google.failNext('events.list', { kind: 'status', status: 503 }, 1_000_000);
    const connected = await connectPerson({
      url: server.url,
      api,
      s,
      redirectUri: REDIRECT,
      providerName: 'google',
      state: 'app-state',
      consent: consentAtOnce,
    });
    assertTrip(connected.trip);
    assertConnected(connected, {
      redirectUri: REDIRECT,
      state: 'app-state',
      providerName: 'google',
      profileName: ana,
    });
    account = connected.account;

    const channel = await api('POST', '/v1/channels', account.token, { callback_url: receiver.url });
    assert.equal(channel.statusCode, 200, channel.body);
    await eventually('a failed sync try', () => (google.requests('events.list') > 0 ? true : undefined));
    assert.equal(notifications('profile_initial_sync_completed').length, 0, 'not before the sync');
    google.clearFaults();
    await eventually('profile_initial_sync_completed', () =>
      notifications('profile_initial_sync_completed').length > 0 ? true : undefined,
    );
    await eventually('a watch channel at Google', () => (google.channels(ana).length > 0 ? true : undefined));
    google.resetCounts();
    assert.deepEqual(await free(9, 13), ['09:00-10:00', '11:00-13:00']);
    assert.equal(google.requests(), 0, 'availability reads the copy');
  });

  test('a change made in Google arrives by push and shows in availability', async () => {
    google.addEvent(ana, {
      summary: 'Lunch',
      start: { dateTime: iso(at(12)) },
      end: { dateTime: iso(at(13)) },
    });
    await eventually('the new event in availability', async () => {
      const periods = await free(9, 13);
      return periods.join() === '09:00-10:00,11:00-12:00' ? periods : undefined;
    });
    await eventually('a change notification', () => (notifications('change').length > 0 ? true : undefined));
  });

  test('a change made in Google reaches an open booking page: its time is no longer offered', async () => {
    const link = await createTestLink(t.ctx, s, {
      oauth: { redirect_uri: 'https://app.example/done' },
      event: { event_id: 'page-watch', summary: 'Watched' },
      availability: {
        sequence: [
          {
            sequence_id: 'talk',
            participants: [{ members: [{ sub: account.sub }], required: 'all' }],
            required_duration: { minutes: 60 },
          },
        ],
        query_periods: [{ start: iso(at(18)), end: iso(at(21)) }],
      },
      tzid: 'UTC',
    });
    const pageUrl = `${server.url}${new URL(link.url).pathname}`;
    const browse = pageBrowser();
    const offered = async () =>
      [...(await browse(pageUrl)).body.matchAll(/name="option" value="0\.(\d+)"/g)].map((m) => Number(m[1]));
    assert.ok((await offered()).includes(at(19)), 'the page offers 19:00 at first');
    google.addEvent(ana, {
      summary: 'Evening call',
      start: { dateTime: iso(at(19)) },
      end: { dateTime: iso(at(20)) },
    });
    await eventually('the open page without 19:00', async () => {
      const starts = await offered();
      return starts.length > 0 && !starts.includes(at(19)) ? starts : undefined;
    });
  });

  test('without a push, a change shows by the poll (SYNC_POLL_SECONDS=2)', async () => {
    google.setAutoPush(false);
    const id = google.addEvent(ana, {
      summary: 'Quiet',
      start: { dateTime: iso(at(15)) },
      end: { dateTime: iso(at(16)) },
    });
    await eventually('the unpushed event in availability', async () =>
      (await free(14, 17)).join() === '14:00-15:00,16:00-17:00' ? true : undefined,
    );
    google.deleteEvent(ana, id);
    google.setAutoPush(true);
    await eventually('the deletion in availability', async () =>
      (await free(14, 17)).join() === '14:00-17:00' ? true : undefined,
    );
  });

  test('a booking on the page is written into Google once, patched on reschedule, deleted on cancel', async () => {
    const link = await createTestLink(t.ctx, s, oneMemberLinkBody(account, period(9, 12)));
    const interviews = () => google.liveEvents(ana).filter((e) => e.summary === 'Interview');
    const startOf = (event: Record<string, unknown>) =>
      Date.parse((event.start as { dateTime: string }).dateTime);

    await bookFirstTime(`${server.url}${new URL(link.url).pathname}`);
    const [written] = await eventually('the booking in Google', () =>
      interviews().length > 0 ? interviews() : undefined,
    );
    assert.equal(startOf(written!), at(9));
    await sleep(1500); // the outbox is done with it: no second copy follows
    assert.equal(interviews().length, 1, 'written once');
    assert.deepEqual([...new Set(google.sendUpdates())], ['none']);

    // Google gets busy at 09:00 too (another event): the new choice is the next free hour, 11:00.
    google.addEvent(ana, {
      summary: 'Blocker',
      start: { dateTime: iso(at(9)) },
      end: { dateTime: iso(at(10)) },
    });
    await eventually('the blocker in the copy', async () => {
      const rows = await t.ctx.store.read((r) =>
        r.sync.busyIn([account.calendarId], { start: at(9), end: at(10) }),
      );
      return rows.length > 0 ? true : undefined;
    });
    const rescheduled = await api(
      'POST',
      `/v1/real_time_sequencing/${link.id}/reschedule`,
      s.clientSecret,
      {},
    );
    assert.equal(rescheduled.statusCode, 200, rescheduled.body);
    assert.equal(
      rescheduled.json().real_time_sequencing?.status ?? rescheduled.json().status,
      'rescheduling',
    );
    // The page reads the copy, which holds the blocker and not the event rtseq wrote: 11:00 first.
    const rebooked = await pickFirstTime(`${server.url}${new URL(link.url).pathname}`);
    assert.doesNotMatch(rebooked, /just booked/);
    await eventually('the event moved in Google', () =>
      interviews().length === 1 && startOf(interviews()[0]!) === at(11) ? true : undefined,
    );
    assert.equal(interviews()[0]!.id, written!.id, 'patched in place, same event');

    // Rescheduled again, the first time is the booked one (its own event is not busy on its page),
    // and the booking's fresh read (Google's freeBusy: 09:00-13:00 in one piece, its own event in
    // it) does not refuse it.
    const again = await api('POST', `/v1/real_time_sequencing/${link.id}/reschedule`, s.clientSecret, {});
    assert.equal(again.statusCode, 200, again.body);
    assert.doesNotMatch(await pickFirstTime(`${server.url}${new URL(link.url).pathname}`), /just booked/);
    const status = await api('GET', `/v1/real_time_sequencing/${link.id}`, s.clientSecret);
    assert.equal(
      status.json().real_time_sequencing?.status ?? status.json().status,
      'completed',
      status.body,
    );
    await sleep(1500);
    assert.deepEqual(
      interviews().map((e) => [e.id, startOf(e)]),
      [[written!.id, at(11)]],
    );

    const cancelled = await api('POST', `/v1/real_time_sequencing/${link.id}/cancel`, s.clientSecret, {});
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    await eventually('the event deleted in Google', () => (interviews().length === 0 ? true : undefined));
    assert.equal(google.event(ana, written!.id as string)?.status, 'cancelled');
    assert.deepEqual([...new Set(google.sendUpdates())], ['none']);
  });

  test('a revoked grant disconnects the profile; relinking connects it again', async () => {
    google.revoke({ user: ana });
    google.expireAccessTokens(ana);
    await google.push(ana);
    await eventually('profile_disconnected', () =>
      notifications('profile_disconnected').length > 0 ? true : undefined,
    );
    const profiles = (await api('GET', '/v1/profiles', account.token)).json().profiles;
    const profile = profiles.find((p: { provider_name: string }) => p.provider_name === 'google');
    assert.equal(profile.profile_connected, false);
    assert.match(profile.profile_relink_url, /provider_name=google/);
    const unavailable = await availability(9, 17);
    assert.deepEqual(unavailable.available_periods, []);
    assert.equal(unavailable.unavailable_sources?.[0]?.sub, account.sub);

    const relink = new URL(profile.profile_relink_url);
    const trip = await throughConsent(`${server.url}${relink.pathname}${relink.search}`, consentAtOnce);
    assertTrip(trip);
    const { landed } = trip;
    assert.equal(landed.origin + landed.pathname, REDIRECT);
    assert.ok(landed.searchParams.get('code'), landed.href);
    await exchangeCode(api, s, landed.searchParams.get('code')!, REDIRECT);
    const again = (await api('GET', '/v1/profiles', account.token)).json().profiles;
    assert.equal(
      again.find((p: { provider_name: string }) => p.provider_name === 'google').profile_connected,
      true,
    );
    await eventually('available again', async () => {
      const answer = await availability(14, 17);
      return answer.unavailable_sources === undefined && answer.available_periods.length > 0
        ? true
        : undefined;
    });
    // Synced again: a change in Google shows.
    google.addEvent(ana, {
      summary: 'After',
      start: { dateTime: iso(at(14)) },
      end: { dateTime: iso(at(15)) },
    });
    await eventually('a change after relinking', async () =>
      (await free(14, 17)).join() === '15:00-17:00' ? true : undefined,
    );
  });
});
