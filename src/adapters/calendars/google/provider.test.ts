import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isProviderError, type ProviderErrorCode } from '../../../ports/synced-provider.ts';
import { googleEventId } from './events.ts';
import { DAY, type GoogleHarness, googleHarness, iso, START, signedIn } from './google.test-support.ts';
import { createGoogleProvider } from './provider.ts';
import { startReceiver } from './push-receiver.test-support.ts';

async function rejectsWith(promise: Promise<unknown>, code: ProviderErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isProviderError(error), `not a ProviderError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** Follows the consent page as a browser would (auto-consent), answering the redirect's query. */
async function consent(url: string): Promise<URLSearchParams> {
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 302);
  return new URL(response.headers.get('location')!).searchParams;
}

describe('Google adapter: OAuth', () => {
  let h: GoogleHarness;
  before(async () => {
    h = await googleHarness();
    h.google.addUser('ada@example.com');
  });
  after(() => h.stop());
  const redirectUri = 'https://rtseq.example/oauth/callback/google';

  test('the consent URL asks for offline calendar access and carries the state', () => {
    const url = new URL(h.provider.authorizeUrl({ state: 's t&1', redirectUri }));
    assert.equal(`${url.origin}${url.pathname}`, h.google.authUrl);
    const q = url.searchParams;
    assert.equal(q.get('client_id'), h.google.clientId);
    assert.equal(q.get('redirect_uri'), redirectUri);
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('scope'), 'https://www.googleapis.com/auth/calendar');
    assert.equal(q.get('access_type'), 'offline');
    assert.equal(q.get('prompt'), 'consent');
    assert.equal(q.get('include_granted_scopes'), 'true');
    assert.equal(q.get('state'), 's t&1');
  });

  test('a code is exchanged once for a grant; refresh keeps the refresh token', async () => {
    const back = await consent(h.provider.authorizeUrl({ state: 'abc', redirectUri }));
    assert.equal(back.get('state'), 'abc');
    const code = back.get('code')!;
    const grant = await h.provider.exchange({ code, redirectUri }, h.within());
    assert.ok(grant.accessToken.length > 0 && grant.refreshToken.length > 0);
    assert.equal(grant.expiresAt, START + 3_600_000);
    await rejectsWith(h.provider.exchange({ code, redirectUri }, h.within()), 'grant_revoked');

    const refreshed = await h.provider.refresh(grant, h.within());
    assert.notEqual(refreshed.accessToken, grant.accessToken);
    assert.equal(refreshed.refreshToken, grant.refreshToken);
    const identity = await h.provider.identity(refreshed.accessToken, h.within());
    assert.deepEqual(identity, { profileName: 'ada@example.com', providerUserId: 'ada@example.com' });

    h.google.revoke({ refreshToken: grant.refreshToken });
    await rejectsWith(h.provider.refresh(grant, h.within()), 'grant_revoked');
  });

  test("a refused client (wrong secret) is the operator's problem, not a revoked grant", async () => {
    const misconfigured = createGoogleProvider({
      clientId: h.google.clientId,
      clientSecret: 'wrong',
      authUrl: h.google.authUrl,
      tokenUrl: h.google.tokenUrl,
      apiUrl: h.google.apiUrl,
      now: () => h.clock.now,
    });
    const grant = {
      accessToken: 'a',
      refreshToken: h.google.issueRefreshToken('ada@example.com'),
      expiresAt: 0,
    };
    await rejectsWith(misconfigured.refresh(grant, h.within()), 'bad_response');
  });

  test('a denied consent comes back as access_denied with the state', async () => {
    h.google.setConsent({ mode: 'deny' });
    const back = await consent(h.provider.authorizeUrl({ state: 'xyz', redirectUri }));
    h.google.setConsent({ mode: 'allow' });
    assert.equal(back.get('error'), 'access_denied');
    assert.equal(back.get('state'), 'xyz');
  });

  test('the consent page is a form with Allow and Deny that redirects with a code', async () => {
    h.google.setConsent({ mode: 'page' });
    const page = await fetch(h.provider.authorizeUrl({ state: 'p1', redirectUri }));
    h.google.setConsent({ mode: 'allow' });
    const html = await page.text();
    assert.match(html, /<button[^>]*value="allow"[^>]*>Allow<\/button>/);
    assert.match(html, /<button[^>]*value="deny"[^>]*>Deny<\/button>/);
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields.set(
        m[1]!,
        m[2]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))),
      );
    }
    fields.set('login', 'ada@example.com');
    fields.set('decision', 'allow');
    const decided = await fetch(`${h.google.url}/o/oauth2/v2/auth/decide`, {
      method: 'POST',
      body: fields,
      redirect: 'manual',
    });
    const back = new URL(decided.headers.get('location')!).searchParams;
    assert.equal(back.get('state'), 'p1');
    const grant = await h.provider.exchange({ code: back.get('code')!, redirectUri }, h.within());
    assert.ok(grant.refreshToken.length > 0);
  });

  test('an expired access token is refused as unauthorized', async () => {
    const token = h.google.issueAccessToken('ada@example.com');
    await h.provider.identity(token, h.within());
    h.clock.now += 3_600_000;
    await rejectsWith(h.provider.identity(token, h.within()), 'unauthorized');
    h.google.expireAccessTokens();
  });
});

describe('Google adapter: calendars, freeBusy, writes, watch', () => {
  let h: GoogleHarness;
  let token: string;
  const ada = 'ada@example.com';
  before(async () => {
    h = await googleHarness({ pageSize: 2 });
    token = signedIn(h, ada, 'Europe/Berlin').token;
  });
  after(() => h.stop());

  test('every page of the calendar list, primary first, read-only roles marked', async () => {
    h.google.addCalendar(ada, {
      id: 'team@group.calendar.google.com',
      summary: 'Team',
      accessRole: 'writer',
    });
    h.google.addUser('bob@example.com', { timeZone: 'America/New_York' });
    h.google.shareCalendar('bob@example.com', ada, 'freeBusyReader');
    h.google.addCalendar(ada, {
      id: 'hol@group.v.calendar.google.com',
      summary: 'Holidays',
      accessRole: 'reader',
    });
    const calendars = await h.provider.listCalendars(token, h.within());
    assert.deepEqual(
      calendars.map((c) => [c.id, c.primary, c.readOnly, c.tzid]),
      [
        [ada, true, false, 'Europe/Berlin'],
        ['team@group.calendar.google.com', false, false, 'UTC'],
        ['bob@example.com', false, true, 'America/New_York'],
        ['hol@group.v.calendar.google.com', false, true, 'UTC'],
      ],
    );
    assert.equal(h.google.requests('calendarList.list'), 2);
  });

  test('freeBusy reads busy time of several calendars in one request; a failed calendar rejects', async () => {
    const day = START + DAY;
    h.google.addEvent(ada, { start: { dateTime: iso(day) }, end: { dateTime: iso(day + 3_600_000) } });
    h.google.addEvent(ada, {
      start: { dateTime: iso(day + 7_200_000) },
      end: { dateTime: iso(day + 9_000_000) },
      transparency: 'transparent',
    });
    h.google.addEvent('bob@example.com', {
      start: { dateTime: iso(day + 1_800_000) },
      end: { dateTime: iso(day + 5_400_000) },
    });
    const calendars = await h.provider.listCalendars(token, h.within());
    const before = h.google.requests('freeBusy.query');
    const busy = await h.provider.readBusy(
      token,
      calendars.slice(0, 3),
      { start: day, end: day + DAY },
      h.within(),
    );
    assert.equal(h.google.requests('freeBusy.query'), before + 1);
    assert.deepEqual(busy.get(ada), [{ start: day, end: day + 3_600_000 }]);
    assert.deepEqual(busy.get('team@group.calendar.google.com'), []);
    assert.deepEqual(busy.get('bob@example.com'), [{ start: day + 1_800_000, end: day + 5_400_000 }]);

    const gone = { id: 'gone@example.com', name: 'x', primary: false, readOnly: true, tzid: null };
    await rejectsWith(
      h.provider.readBusy(token, [calendars[0]!, gone], { start: day, end: day + DAY }, h.within()),
      'not_found',
    );
  });

  const booking = {
    uid: 'rtseq-evt-7f3a@rtseq',
    summary: 'Interview',
    description: 'Round 1',
    location: null,
    start: START + 2 * DAY,
    end: START + 2 * DAY + 3_600_000,
    tzid: 'Europe/Berlin',
  };

  test('insert is idempotent by uid: a retry answers the same id and makes no second event', async () => {
    const first = await h.provider.insertEvent(token, ada, booking, h.within());
    assert.equal(first.remoteId, googleEventId(booking.uid));
    assert.match(first.remoteId, /^[a-v0-9]{5,1024}$/);
    const again = await h.provider.insertEvent(token, ada, booking, h.within());
    assert.equal(again.remoteId, first.remoteId);
    const written = h.google.liveEvents(ada).filter((e) => e.id === first.remoteId);
    assert.equal(written.length, 1);
    const event = written[0] as { summary: string; start: { dateTime: string }; extendedProperties: unknown };
    assert.equal(event.summary, 'Interview');
    assert.equal(Date.parse(event.start.dateTime), booking.start);
    assert.deepEqual(event.extendedProperties, { private: { rtseqUid: booking.uid } });
    assert.ok(h.google.sendUpdates().every((s) => s === 'none'));
  });

  test('patch changes the event in place; a gone event is not_found', async () => {
    const remoteId = googleEventId(booking.uid);
    const moved = { ...booking, start: booking.start + DAY, end: booking.end + DAY, location: 'Room 4' };
    await h.provider.patchEvent(token, ada, remoteId, moved, h.within());
    const event = h.google.event(ada, remoteId) as { start: { dateTime: string }; location: string };
    assert.equal(Date.parse(event.start.dateTime), moved.start);
    assert.equal(event.location, 'Room 4');
    await rejectsWith(h.provider.patchEvent(token, ada, 'rtseqnothere', moved, h.within()), 'not_found');
  });

  test('delete succeeds, and again on an event already gone', async () => {
    const remoteId = googleEventId(booking.uid);
    await h.provider.deleteEvent(token, ada, remoteId, h.within());
    assert.equal(h.google.liveEvents(ada).filter((e) => e.id === remoteId).length, 0);
    await h.provider.deleteEvent(token, ada, remoteId, h.within());
    await h.provider.deleteEvent(token, ada, 'rtseqneverwas', h.within());
    assert.ok(h.google.sendUpdates().every((s) => s === 'none'));
  });

  test('writing into a read-only calendar is forbidden', async () => {
    await rejectsWith(h.provider.insertEvent(token, 'bob@example.com', booking, h.within()), 'forbidden');
  });

  test('watch makes a channel carrying the secret; pushes reach it; stop ends it, twice is fine', async () => {
    const pushes: Record<string, string | undefined>[] = [];
    const receiver = await startReceiver((headers) => pushes.push(headers));
    try {
      const watch = await h.provider.watch(token, ada, receiver.url, 'chan-secret', h.within());
      assert.equal(watch.expiresAt, h.clock.now + 7 * DAY);
      assert.ok(watch.resourceId);
      const [delivery] = await h.google.push(ada);
      assert.equal(delivery?.status, 200);
      assert.equal(pushes[0]?.['x-goog-channel-id'], watch.id);
      assert.equal(pushes[0]?.['x-goog-channel-token'], 'chan-secret');
      assert.equal(pushes[0]?.['x-goog-resource-id'], watch.resourceId);
      assert.equal(pushes[0]?.['x-goog-resource-state'], 'exists');
      assert.equal(pushes[0]?.['x-goog-message-number'], '1');
      assert.match(
        pushes[0]?.['x-goog-resource-uri'] ?? '',
        /\/calendar\/v3\/calendars\/ada%40example\.com\/events/,
      );

      await h.provider.stopWatch(token, watch, h.within());
      assert.deepEqual(await h.google.push(ada), []);
      await h.provider.stopWatch(token, watch, h.within());
    } finally {
      await receiver.stop();
    }
  });
});
