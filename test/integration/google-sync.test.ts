/**
 * Google Calendar end to end (SPEC 8b, 8c) against the in-repo fake of Google's OAuth and Calendar
 * API (test/support/fake-google.ts), through rtseq's real HTTP surface: a person connects on the
 * authorization page and consents at "Google", the application exchanges its code, the calendars
 * sync, availability reads the copy (no provider call), a change in Google arrives by push, a
 * booking reads fresh and is written into Google once, a reschedule patches it, a cancel deletes
 * it, a forgotten sync token resyncs, rate limits are waited out, and a revoked grant disconnects
 * the profile (its member unavailable, `profile_disconnected` on the channel).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bookOption, viewLink } from '../../src/app/booking/booking.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadLinkForPage } from '../../src/app/links/links.ts';
import { syncDueCalendars } from '../../src/app/sync/sync.ts';
import { SyncedWriteBack } from '../../src/app/sync/write-back.ts';
import type { TestContext } from '../support/context.ts';
import { type FakeGoogle, startFakeGoogle } from '../support/fake-google.ts';
import { googleProviderOn, noWait } from '../support/provider-clients.ts';
import {
  type Account,
  type Api,
  assertConnected,
  availabilityOf,
  connectPerson,
  consentAtOnce,
  freePeriods as freeOf,
  oneMemberLinkBody,
  type ProviderServer,
  refusedWithoutCookie,
  startProviderServer,
} from '../support/provider-kit.ts';
import { createTestLink, type Scenario } from '../support/scenario.ts';

const REDIRECT = 'https://app.example/connected';
const START = Date.UTC(2026, 0, 5, 8, 0, 0); // Monday
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const at = (day: number, hour: number) => Date.UTC(2026, 0, day, hour, 0, 0);

describe('Google Calendar through the authorization flow, sync, push and the outbox', () => {
  let server: ProviderServer;
  let t: TestContext;
  let ctx: AppContext;
  let app: ProviderServer['app'];
  let api: Api;
  let google: FakeGoogle;
  let s: Scenario;
  let url: string;
  let account: Account;
  let lunchId: string;
  let dueSignals = 0;
  const ana = 'ana@example.com';

  before(async () => {
    server = await startProviderServer({
      start: START,
      providers: async (context) => {
        const now = () => context.clock.now();
        google = await startFakeGoogle({ now, autoPush: true });
        return { google: googleProviderOn(google, { now, sleep: noWait }) };
      },
      onSyncDue: () => void dueSignals++,
      redirectUris: [REDIRECT],
    });
    ({ t, ctx, app, api, s, url } = server);
    google.addUser(ana, { timeZone: 'Europe/London' });
    // Tuesday: a busy meeting, a transparent reminder, and a meeting Ana declined.
    lunchId = google.addEvent(ana, {
      summary: 'Lunch',
      start: { dateTime: iso(at(6, 12)) },
      end: { dateTime: iso(at(6, 13)) },
    });
    google.addEvent(ana, {
      summary: 'Reminder',
      transparency: 'transparent',
      start: { dateTime: iso(at(6, 9)) },
      end: { dateTime: iso(at(6, 10)) },
    });
    google.addEvent(ana, {
      summary: 'Declined',
      attendees: [{ email: ana, responseStatus: 'declined' }],
      start: { dateTime: iso(at(6, 14)) },
      end: { dateTime: iso(at(6, 15)) },
    });
  });

  after(async () => {
    await server?.close();
    await google?.stop();
  });

  async function initialSyncRequired(): Promise<boolean> {
    const profiles = await api('GET', '/v1/profiles', account.token);
    return profiles.json().profiles.find((p: { provider_name: string }) => p.provider_name === 'google')
      .profile_initial_sync_required;
  }

  /** The member's free periods on `day` between 09:00 and 17:00 UTC, as `HH:MM-HH:MM`. */
  const freePeriods = (day: number) =>
    freeOf(api, s, account.sub, { start: iso(at(day, 9)), end: iso(at(day, 17)) });

  test('the person picks Google, consents, and the application gets an account with its calendars', async () => {
    const connected = await connectPerson({
      url,
      api,
      s,
      redirectUri: REDIRECT,
      providerName: 'google',
      state: 'app-state',
      consent: async (consent) => {
        assert.equal(consent.origin + consent.pathname, google.authUrl);
        assert.equal(consent.searchParams.get('access_type'), 'offline');
        assert.equal(consent.searchParams.get('redirect_uri'), `${url}/oauth/callback/google`);
        return consentAtOnce(consent);
      },
      beforeCallback: refusedWithoutCookie('/oauth/callback/google'),
    });
    assertConnected(connected, {
      redirectUri: REDIRECT,
      state: 'app-state',
      providerName: 'google',
      profileName: ana,
    });
    account = connected.account;
    assert.ok(dueSignals > 0, 'the new calendars wake the sync job');
  });

  test('until its first sync, availability reads Google live: right, never silently free', async () => {
    google.resetCounts();
    assert.deepEqual(await freePeriods(6), ['09:00-12:00', '13:00-17:00']);
    assert.equal(google.requests('freeBusy.query'), 1);
    assert.equal(await initialSyncRequired(), true);
  });

  test('after the sync, availability reads the copy: busy, not transparent or declined; no Google call', async () => {
    assert.equal(await syncDueCalendars(ctx, 16), 1);
    assert.equal(await initialSyncRequired(), false);
    assert.equal(google.channels(ana).length, 1, 'a watch channel after the first sync');
    google.resetCounts();
    assert.deepEqual(await freePeriods(6), ['09:00-12:00', '13:00-17:00']);
    assert.equal(google.requests(), 0, 'availability makes no provider call');
  });

  test('a change in Google arrives by push and shows at the next sync round', async () => {
    const before = dueSignals;
    google.changeEvent(ana, lunchId, {
      start: { dateTime: iso(at(6, 15)) },
      end: { dateTime: iso(at(6, 16)) },
    });
    await google.settled();
    assert.ok(dueSignals > before, 'the push made the calendar due');
    assert.equal(await syncDueCalendars(ctx, 16), 1);
    assert.deepEqual(await freePeriods(6), ['09:00-15:00', '16:00-17:00']);
  });

  test('a push with a wrong token is ignored', async () => {
    const [channel] = google.channels(ana);
    const forged = await fetch(`${url}/push/google`, {
      method: 'POST',
      headers: {
        'x-goog-channel-id': channel!.id,
        'x-goog-channel-token': 'guess',
        'x-goog-resource-state': 'exists',
      },
    });
    assert.equal(forged.status, 200);
    assert.equal(await syncDueCalendars(ctx, 16), 0, 'nothing became due');
  });

  test('a booking reads Google fresh, is written once with sendUpdates=none, patched and deleted', async () => {
    const link = await createTestLink(
      ctx,
      s,
      oneMemberLinkBody(account, { start: iso(at(6, 9)), end: iso(at(6, 12)) }),
    );
    google.resetCounts();
    const page = await viewLink(ctx, link.token);
    assert.equal(page?.kind, 'open');
    assert.equal(google.requests(), 0, 'a page view makes no provider call');
    // Booked meanwhile in Google, not yet synced: the booking's fresh read must see it.
    google.setAutoPush(false);
    google.addEvent(ana, {
      summary: 'Surprise',
      start: { dateTime: iso(at(6, 9)) },
      end: { dateTime: iso(at(6, 10)) },
    });
    const first = page?.kind === 'open' ? page.options[0]! : undefined;
    assert.equal(first?.steps[0]?.start, at(6, 9));
    const loaded = (await loadLinkForPage(ctx, link.token))!;
    const outcome = await bookOption(ctx, loaded, [{ index: 0, start: at(6, 9) }], null);
    assert.notEqual(outcome?.kind, 'booked', 'the fresh read found the new event');
    assert.equal(google.requests('freeBusy.query'), 1, 'one freeBusy round trip');
    const booked = await bookOption(
      ctx,
      (await loadLinkForPage(ctx, link.token))!,
      [{ index: 0, start: at(6, 10) }],
      null,
    );
    assert.equal(booked?.kind, 'booked');

    const writeBack = new SyncedWriteBack(ctx);
    const written = async () => {
      const event = await ctx.store.read((r) => r.events.byKey(account.calendarId, 'interview-1'));
      const calendar = await ctx.store.read((r) => r.calendars.byId(account.calendarId));
      await writeBack.writeEvent(calendar!, event!);
      await writeBack.writeEvent(calendar!, event!); // a retry after a lost answer
      return event!;
    };
    const event = await written();
    const inGoogle = google.liveEvents(ana).filter((e) => e.summary === 'Interview');
    assert.equal(inGoogle.length, 1, 'written once');
    assert.equal(
      (inGoogle[0]!.start as { dateTime: string }).dateTime.slice(0, 19),
      iso(at(6, 10)).slice(0, 19),
    );
    assert.deepEqual([...new Set(google.sendUpdates())], ['none']);
    // Synced back, the event rtseq wrote is left to rtseq's own rows: it does not block itself twice.
    google.setAutoPush(true);
    await ctx.store.transaction((r) => r.sync.makeDue(account.calendarId, t.clock.now()));
    await syncDueCalendars(ctx, 16);
    const rows = await ctx.store.read((r) =>
      r.sync.busyIn([account.calendarId], { start: at(6, 10), end: at(6, 11) }),
    );
    assert.deepEqual(rows, []);

    // A cancel marks the event deleted; the write-back deletes it in Google.
    await ctx.store.transaction((r) =>
      r.events.markDeleted(account.calendarId, 'interview-1', t.clock.now()),
    );
    const deleted = await ctx.store.read((r) => r.events.byKey(account.calendarId, 'interview-1'));
    await writeBack.writeEvent(
      (await ctx.store.read((r) => r.calendars.byId(account.calendarId)))!,
      deleted!,
    );
    assert.equal(google.liveEvents(ana).filter((e) => e.summary === 'Interview').length, 0);
    assert.equal(event.eventUid, deleted!.eventUid);
  });

  test('an event the application writes into the Google calendar counts at once and goes out through the outbox', async () => {
    const path = `/v1/calendars/${account.calendarId}/events`;
    const upsert = await api('POST', path, account.token, {
      event_id: 'standup',
      summary: 'Stand-up',
      start: iso(at(7, 9)),
      end: iso(at(7, 10)),
    });
    assert.equal(upsert.statusCode, 202, upsert.body);
    // Before any write-back: the member is busy at once.
    assert.deepEqual(await freePeriods(7), ['10:00-17:00']);
    const queued = await ctx.store.read((r) =>
      r.outbox.list({ applicationId: s.application.id, limit: 100 }),
    );
    const writes = queued.filter(
      (item) => item.kind === 'caldav_write' && item.target === account.calendarId,
    );
    assert.ok(writes.length >= 1, 'a write into Google is queued');
    const writeBack = new SyncedWriteBack(ctx);
    const calendar = (await ctx.store.read((r) => r.calendars.byId(account.calendarId)))!;
    const stored = (await ctx.store.read((r) => r.events.byKey(account.calendarId, 'standup')))!;
    await writeBack.writeEvent(calendar, stored);
    assert.equal(google.liveEvents(ana).filter((e) => e.summary === 'Stand-up').length, 1);
    const removed = await app.inject({
      method: 'DELETE',
      url: path,
      headers: { authorization: `Bearer ${account.token}` },
      payload: { event_id: 'standup' },
    });
    assert.equal(removed.statusCode, 202, removed.body);
    assert.deepEqual(await freePeriods(7), ['09:00-17:00']);
    await writeBack.writeEvent(
      calendar,
      (await ctx.store.read((r) => r.events.byKey(account.calendarId, 'standup')))!,
    );
    assert.equal(google.liveEvents(ana).filter((e) => e.summary === 'Stand-up').length, 0);
  });

  test('a forgotten sync token makes a full resync; rate limits are waited out', async () => {
    google.invalidateSyncTokens(ana);
    google.failNext('events.list', { kind: 'rate429', retryAfterSeconds: 1 }, 2);
    await ctx.store.transaction((r) => r.sync.makeDue(account.calendarId, t.clock.now()));
    assert.equal(await syncDueCalendars(ctx, 16), 1);
    const record = await ctx.store.read((r) => r.sync.byCalendar(account.calendarId));
    assert.equal(record?.failure, null);
    // The copy is whole again: the moved lunch, the surprise and the interview (rtseq's own row).
    assert.deepEqual(await freePeriods(6), ['11:00-15:00', '16:00-17:00']);
  });

  test('a window past the copy is read live; Google being down makes the member unavailable for that request only', async () => {
    const far = (hour: number) => at(6, hour) + 300 * 24 * HOUR;
    const ask = () => availabilityOf(api, s, account.sub, { start: iso(far(9)), end: iso(far(17)) });
    google.resetCounts();
    google.failNext('freeBusy.query', { kind: 'status', status: 500 });
    const down = await ask();
    assert.deepEqual(down.available_periods, []);
    assert.match(JSON.stringify(down.unavailable_sources), /Google Calendar/);
    const up = await ask();
    assert.deepEqual(
      up.available_periods.map((p) => p.start),
      [iso(far(9))],
    );
    assert.equal(google.requests('freeBusy.query'), 2, 'each read past the copy asks Google');
  });

  test('a revoked grant disconnects the profile: unavailable, relink URL, profile_disconnected', async () => {
    google.revoke({ user: ana });
    google.expireAccessTokens(ana);
    t.clock.advance(HOUR);
    await ctx.store.transaction((r) => r.sync.makeDue(account.calendarId, t.clock.now()));
    await syncDueCalendars(ctx, 16);
    const profiles = await api('GET', '/v1/profiles', account.token);
    const profile = profiles
      .json()
      .profiles.find((p: { provider_name: string }) => p.provider_name === 'google');
    assert.equal(profile.profile_connected, false);
    assert.match(profile.profile_relink_url, /provider_name=google/);
    const answer = await availabilityOf(api, s, account.sub, { start: iso(at(7, 9)), end: iso(at(7, 17)) });
    assert.deepEqual(answer.available_periods ?? [], []);
    assert.match(JSON.stringify(answer.unavailable_sources ?? answer), /disconnected/);
  });
});
