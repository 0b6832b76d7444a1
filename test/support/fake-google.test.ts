/**
 * The fake speaks Google's wire format: Google's own Node clients (`@googleapis/calendar` with
 * `rootUrl`, `google-auth-library`'s OAuth2Client with its token endpoint moved) talk to it
 * unchanged, refreshing the access token by themselves when the fake expires it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { calendar } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { type FakeGoogle, startFakeGoogle } from './fake-google.ts';

describe("fake Google through Google's official Node clients", () => {
  let google: FakeGoogle;
  let api: ReturnType<typeof calendar>;
  const ada = 'ada@example.com';
  const noRetry = { retry: false } as const;

  before(async () => {
    google = await startFakeGoogle({ pageSize: 2 });
    google.addUser(ada, { timeZone: 'Europe/Berlin' });
    const auth = new OAuth2Client({
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      endpoints: { oauth2TokenUrl: google.tokenUrl, oauth2AuthBaseUrl: google.authUrl },
      // Its access token dies before the expiry it was told (expireAccessTokens): refresh on a 401.
      forceRefreshOnFailure: true,
    });
    auth.setCredentials({ refresh_token: google.issueRefreshToken(ada) });
    api = calendar({ version: 'v3', rootUrl: google.apiUrl, auth });
  });
  after(() => google.stop());

  test('calendars, event insert, list by pages, sync token and 410', async () => {
    const primary = await api.calendars.get({ calendarId: 'primary' }, noRetry);
    assert.equal(primary.data.id, ada);
    assert.equal(primary.data.timeZone, 'Europe/Berlin');
    assert.equal(google.requests('token'), 1, 'the client fetched its own access token');

    for (const hour of ['09', '10', '11']) {
      await api.events.insert(
        {
          calendarId: ada,
          sendUpdates: 'none',
          requestBody: {
            summary: `at ${hour}`,
            start: { dateTime: `2026-03-03T${hour}:00:00+01:00` },
            end: { dateTime: `2026-03-03T${hour}:30:00+01:00` },
          },
        },
        noRetry,
      );
    }
    const first = await api.events.list(
      {
        calendarId: ada,
        singleEvents: true,
        timeMin: '2026-03-01T00:00:00Z',
        timeMax: '2026-04-01T00:00:00Z',
      },
      noRetry,
    );
    assert.equal(first.data.items?.length, 2);
    assert.ok(first.data.nextPageToken);
    const second = await api.events.list(
      { calendarId: ada, singleEvents: true, pageToken: first.data.nextPageToken! },
      noRetry,
    );
    assert.equal(second.data.items?.length, 1);
    const syncToken = second.data.nextSyncToken!;
    assert.ok(syncToken);

    await api.events.delete({ calendarId: ada, eventId: first.data.items![0]!.id! }, noRetry);
    const changes = await api.events.list({ calendarId: ada, singleEvents: true, syncToken }, noRetry);
    assert.deepEqual(
      changes.data.items?.map((e) => [e.id, e.status]),
      [[first.data.items![0]!.id, 'cancelled']],
    );

    google.invalidateSyncTokens();
    await assert.rejects(
      api.events.list({ calendarId: ada, syncToken }, noRetry),
      (error: { status?: number }) => {
        assert.equal(error.status, 410);
        return true;
      },
    );
  });

  test('an expired access token is refreshed by the client itself; freeBusy and watch answer', async () => {
    google.expireAccessTokens();
    const tokensBefore = google.requests('token');
    const busy = await api.freebusy.query(
      {
        requestBody: {
          timeMin: '2026-03-03T00:00:00Z',
          timeMax: '2026-03-04T00:00:00Z',
          items: [{ id: ada }],
        },
      },
      noRetry,
    );
    // The 09:00+01:00 event was deleted above; the other two remain, not merged (a gap between).
    assert.deepEqual(busy.data.calendars?.[ada]?.busy, [
      { start: '2026-03-03T09:00:00Z', end: '2026-03-03T09:30:00Z' },
      { start: '2026-03-03T10:00:00Z', end: '2026-03-03T10:30:00Z' },
    ]);
    assert.equal(google.requests('token'), tokensBefore + 1);

    const channel = await api.events.watch(
      {
        calendarId: ada,
        requestBody: {
          id: 'chan-1',
          type: 'web_hook',
          address: 'https://rtseq.example/push/google',
          token: 't',
        },
      },
      noRetry,
    );
    assert.equal(channel.data.id, 'chan-1');
    assert.match(channel.data.expiration ?? '', /^\d+$/);
    await api.channels.stop({ requestBody: { id: 'chan-1', resourceId: channel.data.resourceId! } }, noRetry);
    assert.equal(google.channels(ada)[0]?.stopped, true);
  });

  test('a new channel gets the sync message; every change in Google pushes with the real headers', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const receiver = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      response.writeHead(200).end();
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const pushing = await startFakeGoogle({ autoPush: true, syncMessage: true });
    try {
      pushing.addUser(ada);
      const address = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/push/google`;
      const client = calendar({ version: 'v3', rootUrl: pushing.apiUrl });
      const headers = { authorization: `Bearer ${pushing.issueAccessToken(ada)}` };
      await client.events.watch(
        { calendarId: 'primary', requestBody: { id: 'c2', type: 'web_hook', address, token: 'secret' } },
        { ...noRetry, headers },
      );
      await pushing.settled();
      pushing.addEvent(ada, { start: { date: '2026-03-05' }, end: { date: '2026-03-06' } });
      await pushing.settled();
      assert.deepEqual(
        seen.map((h) => [h['x-goog-resource-state'], h['x-goog-message-number'], h['x-goog-channel-token']]),
        [
          ['sync', '1', 'secret'],
          ['exists', '2', 'secret'],
        ],
      );
      assert.equal(seen[1]?.['x-goog-channel-id'], 'c2');
      assert.equal(seen[1]?.['x-goog-resource-id'], pushing.channels(ada)[0]?.resourceId);
    } finally {
      await pushing.stop();
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});
