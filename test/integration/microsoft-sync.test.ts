/**
 * Microsoft 365 end to end (SPEC 8c, issue 24) against the in-repo fake of the Microsoft identity
 * platform and Graph (test/support/fake-microsoft.ts), through rtseq's real HTTP surface: a person
 * picks Microsoft 365 on the authorization page and consents, the application exchanges its code,
 * the calendar syncs by `calendarView/delta` and gets a subscription (Graph's validation handshake
 * against the listening server), availability reads the copy (no Graph call), a notification makes
 * the calendar due, a lifecycle notification renews the subscription, a booking reads fresh and is
 * written once (transactionId), patched in place and deleted, a lost delta token resyncs, throttling
 * is waited out, and a revoked grant disconnects the profile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bookOption, viewLink } from '../../src/app/booking/booking.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadLinkForPage } from '../../src/app/links/links.ts';
import { syncDueCalendars } from '../../src/app/sync/sync.ts';
import { SyncedWriteBack } from '../../src/app/sync/write-back.ts';
import type { TestContext } from '../support/context.ts';
import { type FakeMicrosoft, type FakeUser, startFakeMicrosoft } from '../support/fake-microsoft.ts';
import { microsoftProviderOn, noWait } from '../support/provider-clients.ts';
import {
  type Account,
  type Api,
  assertConnected,
  availabilityOf,
  connectPerson,
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
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const at = (day: number, hour: number) => Date.UTC(2026, 0, day, hour, 0, 0);

describe('Microsoft 365 through the authorization flow, sync, subscriptions and the outbox', () => {
  let server: ProviderServer;
  let t: TestContext;
  let ctx: AppContext;
  let api: Api;
  let ms: FakeMicrosoft;
  let s: Scenario;
  let url: string;
  let ana: FakeUser;
  let graphCalendarId: string;
  let account: Account;
  let lunchId: string;
  let weekly: { masterId: string; instances: { id: string }[] };
  let dueSignals = 0;

  before(async () => {
    server = await startProviderServer({
      start: START,
      providers: async (context) => {
        const now = () => context.clock.now();
        ms = await startFakeMicrosoft({ now });
        return { office365: microsoftProviderOn(ms, { now, sleep: noWait }) };
      },
      onSyncDue: () => void dueSignals++,
      redirectUris: [REDIRECT],
    });
    ({ t, ctx, api, s, url } = server);
    ana = ms.addUser({
      mail: 'ana@contoso.example',
      timeZone: 'Europe/London',
      mailboxTimeZone: 'GMT Standard Time',
    });
    graphCalendarId = ms.primaryCalendarOf(ana.id).id;
    // Tuesday: a busy lunch; free, working elsewhere and cancelled meetings that block nothing.
    lunchId = ms.addEvent(graphCalendarId, { subject: 'Lunch', start: at(6, 12), end: at(6, 13) }).id;
    ms.addEvent(graphCalendarId, { subject: 'Reminder', showAs: 'free', start: at(6, 9), end: at(6, 10) });
    ms.addEvent(graphCalendarId, {
      subject: 'Remote',
      showAs: 'workingElsewhere',
      start: at(6, 10),
      end: at(6, 11),
    });
    ms.addEvent(graphCalendarId, { subject: 'Off', isCancelled: true, start: at(6, 14), end: at(6, 15) });
    // Wednesday all day (in the mailbox's zone); Thursdays 16:00-17:00, three weeks.
    ms.addEvent(graphCalendarId, { subject: 'Offsite', start: '2026-01-07', end: '2026-01-08' });
    weekly = ms.addSeries(graphCalendarId, { subject: 'Weekly', start: at(8, 16), end: at(8, 17), count: 3 });
  });

  after(async () => {
    await server?.close();
    await ms?.close();
  });

  const graphRequests = () => Object.values(ms.requestCounts()).reduce((a, b) => a + b, 0);
  const syncRecord = () => ctx.store.read((r) => r.sync.byCalendar(account.calendarId));
  const makeDue = () => ctx.store.transaction((r) => r.sync.makeDue(account.calendarId, t.clock.now()));

  /** The member's free periods on `day` between 09:00 and 17:00 UTC, as `HH:MM-HH:MM`. */
  const freePeriods = (day: number) =>
    freeOf(api, s, account.sub, { start: iso(at(day, 9)), end: iso(at(day, 17)) });

  test('the person picks Microsoft 365, consents, and the application gets an account with its calendar', async () => {
    const connected = await connectPerson({
      url,
      api,
      s,
      redirectUri: REDIRECT,
      providerName: 'office365',
      state: 'app-state',
      consent: async (consent) => {
        assert.equal(consent.origin + consent.pathname, ms.authUrl);
        assert.equal(consent.searchParams.get('redirect_uri'), `${url}/oauth/callback/microsoft`);
        assert.deepEqual(consent.searchParams.get('scope')?.split(' ').sort(), [
          'Calendars.ReadWrite',
          'User.Read',
          'offline_access',
        ]);
        return ms.approve(consent.href, ana.id);
      },
      beforeCallback: refusedWithoutCookie('/oauth/callback/microsoft'),
    });
    assertConnected(connected, {
      redirectUri: REDIRECT,
      state: 'app-state',
      providerName: 'office365',
      profileName: 'ana@contoso.example',
    });
    account = connected.account;
    assert.ok(dueSignals > 0, 'the new calendar wakes the sync job');
  });

  test('until its first sync, availability reads Graph live: right, never silently free', async () => {
    ms.resetRequestCounts();
    assert.deepEqual(await freePeriods(6), ['09:00-12:00', '13:00-17:00']);
    assert.ok(ms.requestCount('calendarView') >= 1, JSON.stringify(ms.requestCounts()));
  });

  test('after the sync, availability reads the copy with no Graph call; the subscription is validated', async () => {
    assert.equal(await syncDueCalendars(ctx, 16), 1);
    const [subscription] = ms.subscriptions();
    assert.equal(ms.subscriptions().length, 1, 'a subscription after the first sync');
    assert.equal(subscription!.notificationUrl, `${url}/push/microsoft`);
    assert.ok(ms.validations.length > 0 && ms.validations.every((v) => v.ok), 'the handshake passed');
    assert.equal((await syncRecord())?.watchId, subscription!.id);
    ms.resetRequestCounts();
    assert.deepEqual(await freePeriods(6), ['09:00-12:00', '13:00-17:00'], 'free, elsewhere, cancelled');
    assert.deepEqual(await freePeriods(7), [], 'the all-day event fills the day');
    assert.deepEqual(await freePeriods(8), ['09:00-16:00'], 'the series, first instance');
    assert.deepEqual(await freePeriods(15), ['09:00-16:00'], 'the series, second instance');
    assert.equal(graphRequests(), 0, 'availability makes no Graph call');
  });

  test('a change notification makes the calendar due and the next round shows the change', async () => {
    ms.changeEvent(lunchId, { start: at(6, 15), end: at(6, 16) });
    ms.cancelEvent(weekly.instances[1]!.id);
    const before = dueSignals;
    const delivered = await ms.notify(graphCalendarId, { eventId: lunchId });
    assert.deepEqual(
      delivered.map((d) => d.status),
      [202],
    );
    assert.ok(dueSignals > before, 'the notification made the calendar due');
    assert.equal(await syncDueCalendars(ctx, 16), 1);
    assert.deepEqual(await freePeriods(6), ['09:00-15:00', '16:00-17:00']);
    assert.deepEqual(await freePeriods(15), ['09:00-17:00'], 'a cancelled occurrence is free');
    assert.deepEqual(await freePeriods(22), ['09:00-16:00']);
  });

  test('a notification with a wrong clientState is ignored', async () => {
    const [subscription] = ms.subscriptions();
    const forged = await fetch(`${url}/push/microsoft`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        value: [{ subscriptionId: subscription!.id, clientState: 'guess', changeType: 'updated' }],
      }),
    });
    assert.equal(forged.status, 202);
    assert.equal(await syncDueCalendars(ctx, 16), 0, 'nothing became due');
  });

  test('reauthorizationRequired renews the same subscription at the next round', async () => {
    const [subscription] = ms.subscriptions();
    const oldExpiry = subscription!.expiresAt;
    t.clock.advance(HOUR);
    ms.resetRequestCounts();
    assert.equal(await ms.lifecycle(subscription!.id, 'reauthorizationRequired'), 202);
    assert.equal(await syncDueCalendars(ctx, 16), 1);
    assert.equal(ms.requestCount('subscriptions:update'), 1, JSON.stringify(ms.requestCounts()));
    assert.equal(ms.requestCount('subscriptions:create'), 0);
    const live = ms.subscriptions();
    assert.deepEqual(
      live.map((x) => x.id),
      [subscription!.id],
    );
    assert.ok(live[0]!.expiresAt > oldExpiry, 'the expiry moved out');
    const record = await syncRecord();
    assert.ok((record?.watchExpiresAt ?? 0) > t.clock.now() + DAY);
    // Renewed in place, the secret still matches: a notification is believed.
    const before = dueSignals;
    await ms.notify(graphCalendarId);
    assert.ok(dueSignals > before);
    assert.equal(await syncDueCalendars(ctx, 16), 1);
  });

  test('a booking reads Graph fresh, is written once with a transactionId, patched in place and deleted', async () => {
    const link = await createTestLink(
      ctx,
      s,
      oneMemberLinkBody(account, { start: iso(at(6, 9)), end: iso(at(6, 12)) }),
    );
    ms.resetRequestCounts();
    const page = await viewLink(ctx, link.token);
    assert.equal(page?.kind, 'open');
    assert.equal(graphRequests(), 0, 'a page view makes no Graph call');
    const first = page?.kind === 'open' ? page.options[0]! : undefined;
    assert.equal(first?.steps[0]?.start, at(6, 9));
    // Booked meanwhile in Outlook, not notified, not synced: the booking's fresh read must see it.
    ms.addEvent(graphCalendarId, { subject: 'Surprise', start: at(6, 9), end: at(6, 10) });
    const refused = await bookOption(
      ctx,
      (await loadLinkForPage(ctx, link.token))!,
      [{ index: 0, start: at(6, 9) }],
      null,
    );
    assert.notEqual(refused?.kind, 'booked', 'the fresh read found the new event');
    assert.equal(ms.requestCount('calendarView'), 1, 'one calendarView round trip');
    const booked = await bookOption(
      ctx,
      (await loadLinkForPage(ctx, link.token))!,
      [{ index: 0, start: at(6, 10) }],
      null,
    );
    assert.equal(booked?.kind, 'booked');

    const writeBack = new SyncedWriteBack(ctx);
    const calendar = (await ctx.store.read((r) => r.calendars.byId(account.calendarId)))!;
    const event = (await ctx.store.read((r) => r.events.byKey(account.calendarId, 'interview-1')))!;
    await writeBack.writeEvent(calendar, event);
    await writeBack.writeEvent(calendar, event); // a retry after a lost answer
    const interviews = () => ms.eventsOf(graphCalendarId).filter((e) => e.subject === 'Interview');
    assert.equal(interviews().length, 1, 'written once');
    const written = interviews()[0]!;
    assert.equal(written.start, at(6, 10));
    assert.ok(written.transactionId !== null && written.transactionId !== '', 'written with a transactionId');
    assert.equal(ms.requestCount('events:create'), 1, 'the retry patched, it did not create again');

    // Rescheduled: the same Graph event moves.
    await writeBack.writeEvent(calendar, { ...event, startMs: at(6, 11), endMs: at(6, 12) });
    assert.equal(interviews().length, 1);
    assert.equal(interviews()[0]!.id, written.id, 'patched in place');
    assert.equal(interviews()[0]!.start, at(6, 11));
    assert.equal(interviews()[0]!.end, at(6, 12));

    // Synced back, the event rtseq wrote is left to rtseq's own rows: it does not block itself twice.
    await makeDue();
    await syncDueCalendars(ctx, 16);
    const rows = await ctx.store.read((r) =>
      r.sync.busyIn([account.calendarId], { start: at(6, 10), end: at(6, 12) }),
    );
    assert.deepEqual(rows, []);

    // A cancel marks the event deleted; the write-back deletes it in Graph.
    await ctx.store.transaction((r) =>
      r.events.markDeleted(account.calendarId, 'interview-1', t.clock.now()),
    );
    const deleted = (await ctx.store.read((r) => r.events.byKey(account.calendarId, 'interview-1')))!;
    await writeBack.writeEvent(calendar, deleted);
    assert.equal(interviews().length, 0, 'deleted in Graph');
    assert.equal(event.eventUid, deleted.eventUid);
  });

  test('a lost delta token makes a full resync; throttling is waited out', async () => {
    ms.invalidateDelta(graphCalendarId);
    ms.throttle(2, { retryAfterSeconds: 1 });
    ms.resetRequestCounts();
    await makeDue();
    assert.equal(await syncDueCalendars(ctx, 16), 1);
    assert.equal((await syncRecord())?.failure, null);
    assert.ok(ms.requestCount('calendarView/delta') >= 3, JSON.stringify(ms.requestCounts()));
    // The copy is whole again: the moved lunch and the surprise; nothing of the deleted interview.
    const copy = await ctx.store.read((r) =>
      r.sync.busyIn([account.calendarId], { start: at(6, 9), end: at(6, 17) }),
    );
    assert.deepEqual(
      copy.map((row) => [row.busy.start, row.busy.end]),
      [
        [at(6, 9), at(6, 10)],
        [at(6, 15), at(6, 16)],
      ],
    );
    // 10:00-11:00 stays taken by the link's own booking (only its event row was deleted here).
    assert.deepEqual(await freePeriods(6), ['11:00-15:00', '16:00-17:00']);
    assert.deepEqual(await freePeriods(7), []);
    assert.deepEqual(await freePeriods(8), ['09:00-16:00']);
  });

  test('a revoked grant disconnects the profile: unavailable, relink URL', async () => {
    ms.revokeRefreshTokens(ana.id);
    ms.expireAccessTokens(ana.id);
    t.clock.advance(2 * HOUR);
    await makeDue();
    await syncDueCalendars(ctx, 16);
    const profiles = await api('GET', '/v1/profiles', account.token);
    const profile = profiles
      .json()
      .profiles.find((p: { provider_name: string }) => p.provider_name === 'office365');
    assert.equal(profile.profile_connected, false);
    assert.match(profile.profile_relink_url, /provider_name=office365/);
    const answer = await availabilityOf(api, s, account.sub, { start: iso(at(7, 9)), end: iso(at(7, 17)) });
    assert.deepEqual(answer.available_periods ?? [], []);
    assert.match(JSON.stringify(answer.unavailable_sources ?? answer), /disconnected/);
  });
});
