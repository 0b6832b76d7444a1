import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

const event = (overrides: Record<string, unknown> = {}) => ({
  event_id: 'board-1',
  summary: 'Board meeting',
  start: '2026-03-03T15:30:00Z',
  end: '2026-03-03T17:00:00Z',
  ...overrides,
});

describe('events API', () => {
  let server: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;
  let foreign: TestAccount;
  let icsCalendarId: string;

  const upsert = (account: TestAccount, body: unknown, calendarId = account.calendarId) =>
    server.call('POST', `/v1/calendars/${calendarId}/events`, { token: account.accessToken, body });
  const read = (account: TestAccount, query: string) =>
    server.call('GET', `/v1/events?${query}`, { token: account.accessToken });

  before(async () => {
    server = await startTestServer();
    alice = await server.createAccount('alice', { tzid: 'Europe/London' });
    bob = await server.createAccount('bob', { tzid: 'America/New_York' });
    const other = await server.createApplication('other');
    foreign = await server.createForeignAccount(other.applicationId, 'stranger');
    icsCalendarId = 'cal_ics_feed';
    await server.ctx.store.transaction((repos) =>
      repos.calendars.insert({
        id: icsCalendarId,
        accountId: alice.sub,
        name: 'Holidays feed',
        kind: 'ics',
        readOnly: true,
        primary: false,
        deleted: false,
        tzid: 'Etc/UTC',
        color: null,
        sourceSealed: null,
        version: 0,
        createdAt: 0,
      }),
    );
  });
  after(() => server.close());

  it('upserts with 202 and an empty body, and reads the event back with the reference 7.3 shape', async () => {
    const res = await upsert(
      alice,
      event({
        description: 'Discuss plans for the next quarter.',
        url: 'https://example.com',
        location: { description: 'Board room', lat: '1.2345', long: '0.1234' },
        transparency: null,
        reminders: [{ minutes: 60 }, { minutes: 0 }, { minutes: 10 }],
        attendees: { invite: [{ email: 'a@example.com', display_name: 'A' }] },
      }),
    );
    assert.equal(res.status, 202);
    assert.equal(res.text, '');
    const list = await read(alice, 'tzid=Etc/UTC');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.pages, { current: 1, total: 1 });
    const [item] = list.json.events;
    assert.match(item.event_uid, /^evt_/);
    assert.deepEqual(
      { ...item, event_uid: 'x' },
      {
        calendar_id: alice.calendarId,
        event_uid: 'x',
        event_id: 'board-1',
        summary: 'Board meeting',
        description: 'Discuss plans for the next quarter.',
        start: '2026-03-03T15:30:00Z',
        end: '2026-03-03T17:00:00Z',
        deleted: false,
        created: '2026-03-02T08:00:00Z',
        updated: '2026-03-02T08:00:00Z',
        location: { description: 'Board room', lat: '1.2345', long: '0.1234' },
        participation_status: 'accepted',
        attendees: [{ email: 'a@example.com', display_name: 'A', status: 'needs_action' }],
        transparency: 'opaque',
        status: 'confirmed',
        categories: [],
        recurring: false,
        event_private: false,
        options: { delete: true, update: true, change_participation_status: false },
      },
    );
  });

  it('updates by (calendar, event_id), keeping uid and created; attendees can be removed', async () => {
    const before = (await read(alice, 'tzid=Etc/UTC')).json.events[0];
    server.clock.advance(60_000);
    const res = await upsert(
      alice,
      event({
        summary: 'Board meeting (moved)',
        start: { time: '2026-03-03T16:00:00Z', tzid: 'Europe/London' },
        end: { time: '2026-03-03T17:30:00Z', tzid: 'America/Los_Angeles' },
        transparency: 'transparent',
        attendees: { remove: [{ email: 'A@example.com' }] },
      }),
    );
    assert.equal(res.status, 202);
    const [item] = (await read(alice, 'tzid=Etc/UTC')).json.events;
    assert.equal(item.event_uid, before.event_uid);
    assert.equal(item.created, before.created);
    assert.equal(item.updated, '2026-03-02T08:01:00Z');
    assert.equal(item.summary, 'Board meeting (moved)');
    assert.equal(item.start, '2026-03-03T16:00:00Z');
    assert.equal(item.end, '2026-03-03T17:30:00Z');
    assert.equal(item.transparency, 'transparent');
    assert.deepEqual(item.attendees, []);
    assert.equal('location' in item, false);
  });

  it('accepts the lenient UTC forms and rejects non-zero milliseconds', async () => {
    for (const [i, start] of [
      '2026-03-04 09:00:00Z',
      '2026-03-04T09:00:00+00:00',
      '2026-03-04T09:00:00.000Z',
    ].entries()) {
      const res = await upsert(bob, event({ event_id: `lenient-${i}`, start, end: '2026-03-04T10:00:00Z' }));
      assert.equal(res.status, 202, start);
    }
    const list = await read(bob, 'tzid=Etc/UTC&from=2026-03-04&to=2026-03-05');
    assert.deepEqual(
      list.json.events.map((e: { start: string }) => e.start),
      ['2026-03-04T09:00:00Z', '2026-03-04T09:00:00Z', '2026-03-04T09:00:00Z'],
    );
    const ms = await upsert(bob, event({ event_id: 'ms', start: '2026-03-04T09:00:00.500Z' }));
    assert.equal(ms.status, 422);
    assert.equal(ms.json.errors.start[0].key, 'errors.invalid_time');
    await server.call('DELETE', '/v1/events', { token: bob.accessToken, body: { delete_all: true } });
  });

  it('reports every problem of an event at once, with dotted paths', async () => {
    const res = await upsert(alice, {
      summary: 'x'.repeat(1025),
      description: 7,
      start: '2026-03-03',
      end: '2026-03-03T10:00:00Z',
      tzid: 'Mars/Olympus',
      location: { lat: 'north', long: 200 },
      url: 'ftp://example.com',
      reminders: [{ minutes: 10 }, { minutes: -1 }],
      transparency: 'sometimes',
      status: 'maybe',
      color: 'red',
      attendees: { invite: [{ email: 'not-an-email' }] },
    });
    assert.equal(res.status, 422);
    const keys = Object.fromEntries(
      Object.entries(res.json.errors).map(([path, list]) => [
        path,
        (list as { key: string }[]).map((p) => p.key),
      ]),
    );
    assert.deepEqual(keys, {
      event_id: ['errors.required'],
      summary: ['errors.too_long'],
      description: ['errors.invalid_type'],
      end: ['errors.invalid_value'],
      tzid: ['errors.invalid_tzid'],
      'location.lat': ['errors.invalid_value'],
      'location.long': ['errors.invalid_value'],
      url: ['errors.invalid_url'],
      'reminders[1].minutes': ['errors.out_of_range'],
      transparency: ['errors.invalid_value'],
      status: ['errors.invalid_value'],
      color: ['errors.invalid_format'],
      'attendees.invite[0].email': ['errors.invalid_format'],
    });
    for (const list of Object.values(res.json.errors) as { description: string }[][]) {
      assert.ok(list.every((p) => typeof p.description === 'string' && p.description.length > 0));
    }
  });

  it('requires end after start (times and dates) and the right types', async () => {
    const times = await upsert(alice, event({ end: '2026-03-03T15:30:00Z' }));
    assert.equal(times.json.errors.end[0].key, 'errors.invalid_period');
    const dates = await upsert(alice, event({ start: '2026-03-05', end: '2026-03-05' }));
    assert.equal(dates.json.errors.end[0].key, 'errors.invalid_period');
    const badDate = await upsert(alice, event({ start: '2026-02-30', end: '2026-03-01' }));
    assert.equal(badDate.json.errors.start[0].key, 'errors.invalid_time');
    const types = await upsert(alice, { event_id: 5, summary: ['x'], start: 1, end: { tzid: 'Etc/UTC' } });
    assert.equal(types.json.errors.event_id[0].key, 'errors.invalid_type');
    assert.equal(types.json.errors.summary[0].key, 'errors.invalid_type');
    assert.equal(types.json.errors.start[0].key, 'errors.invalid_type');
    assert.equal(types.json.errors['end.time'][0].key, 'errors.required');
    const tooLongId = await upsert(alice, event({ event_id: 'e'.repeat(257) }));
    assert.equal(tooLongId.json.errors.event_id[0].key, 'errors.too_long');
    const control = await upsert(alice, event({ event_id: 'a\u0000b' }));
    assert.equal(control.json.errors.event_id[0].key, 'errors.invalid_format');
  });

  it('places all-day events in the calendar zone, including a DST day', async () => {
    // Europe/London springs forward on 2026-03-29: that day is 23 hours long.
    assert.equal(
      (await upsert(alice, event({ event_id: 'dst', start: '2026-03-29', end: '2026-03-30' }))).status,
      202,
    );
    const stored = await server.ctx.store.read((repos) => repos.events.byKey(alice.calendarId, 'dst'));
    assert.equal(stored?.allDay, true);
    assert.equal(stored?.startMs, Date.UTC(2026, 2, 29, 0, 0));
    assert.equal(stored?.endMs, Date.UTC(2026, 2, 29, 23, 0));
    const hits = (from: string, to: string) =>
      server
        .call('GET', `/v1/free_busy?tzid=Etc/UTC&from=${from}&to=${to}`, { token: alice.accessToken })
        .then((r) => r.json.free_busy.map((b: { start: string; end: string }) => [b.start, b.end]));
    assert.deepEqual(await hits('2026-03-29T22:59:00Z', '2026-03-30T12:00:00Z'), [
      ['2026-03-29', '2026-03-30'],
    ]);
    assert.deepEqual(await hits('2026-03-29T23:00:00Z', '2026-03-30T12:00:00Z'), []);

    // America/New_York springs forward on 2026-03-08; a two-day event spans the change.
    const ny = await upsert(
      bob,
      event({ event_id: 'ny', start: { time: '2026-03-07', tzid: 'Asia/Tokyo' }, end: '2026-03-09' }),
    );
    assert.equal(ny.status, 202);
    const nyStored = await server.ctx.store.read((repos) => repos.events.byKey(bob.calendarId, 'ny'));
    assert.equal(nyStored?.startMs, Date.UTC(2026, 2, 7, 5, 0));
    assert.equal(nyStored?.endMs, Date.UTC(2026, 2, 9, 4, 0));
    const read = await server.call('GET', '/v1/events?tzid=Europe/London&localized_times=true', {
      token: bob.accessToken,
    });
    const item = read.json.events.find((e: { event_id: string }) => e.event_id === 'ny');
    assert.equal(item.start, '2026-03-07');
    assert.equal(item.end, '2026-03-09');
  });

  it('renders localized_times with the offset of tzid', async () => {
    await upsert(
      alice,
      event({ event_id: 'summer', start: '2026-06-01T09:00:00Z', end: '2026-06-01T10:00:00Z' }),
    );
    const res = await read(alice, 'tzid=Europe/London&localized_times=true&from=2026-06-01&to=2026-06-02');
    assert.deepEqual(
      res.json.events.map((e: { start: string; end: string }) => [e.start, e.end]),
      [['2026-06-01T10:00:00+01:00', '2026-06-01T11:00:00+01:00']],
    );
  });

  it('refuses a mixed date/time pair', async () => {
    const res = await upsert(alice, event({ start: '2026-03-03', end: '2026-03-04T00:00:00Z' }));
    assert.equal(res.status, 422);
    assert.equal(res.json.errors.end[0].key, 'errors.invalid_value');
  });

  it('answers 404 for an unknown calendar or one of another account or application', async () => {
    for (const calendarId of ['cal_nope', bob.calendarId, foreign.calendarId]) {
      const res = await upsert(alice, event(), calendarId);
      assert.equal(res.status, 404, calendarId);
      assert.equal(res.json.errors.calendar_id[0].key, 'errors.not_found');
      const del = await server.call('DELETE', `/v1/calendars/${calendarId}/events`, {
        token: alice.accessToken,
        body: { event_id: 'board-1' },
      });
      assert.equal(del.status, 404);
    }
    const foreignRead = await read(foreign, 'tzid=Etc/UTC');
    assert.deepEqual(foreignRead.json.events, []);
  });

  it('refuses writes to a read-only (ICS) calendar with 422 at calendar_id', async () => {
    const res = await upsert(alice, event(), icsCalendarId);
    assert.equal(res.status, 422);
    assert.equal(res.json.errors.calendar_id[0].key, 'errors.calendar_readonly');
  });

  it('deletes one event (202, idempotent) and shows it with include_deleted', async () => {
    const del = (eventId: string) =>
      server.call('DELETE', `/v1/calendars/${alice.calendarId}/events`, {
        token: alice.accessToken,
        body: { event_id: eventId },
      });
    const first = await del('board-1');
    assert.equal(first.status, 202);
    assert.equal(first.text, '');
    assert.equal((await del('board-1')).status, 202);
    assert.equal((await del('never-existed')).status, 202);
    const live = await read(alice, 'tzid=Etc/UTC');
    assert.equal(
      live.json.events.some((e: { event_id: string }) => e.event_id === 'board-1'),
      false,
    );
    const all = await read(alice, 'tzid=Etc/UTC&include_deleted=true');
    const deleted = all.json.events.find((e: { event_id: string }) => e.event_id === 'board-1');
    assert.equal(deleted.deleted, true);
    const missing = await server.call('DELETE', `/v1/calendars/${alice.calendarId}/events`, {
      token: alice.accessToken,
      body: {},
    });
    assert.equal(missing.status, 422);
    assert.equal(missing.json.errors.event_id[0].key, 'errors.required');
  });

  it('upserting a deleted event brings it back with the same uid', async () => {
    const uid = (await read(alice, 'tzid=Etc/UTC&include_deleted=true')).json.events.find(
      (e: { event_id: string }) => e.event_id === 'board-1',
    ).event_uid;
    await upsert(alice, event());
    const back = (await read(alice, 'tzid=Etc/UTC')).json.events.find(
      (e: { event_id: string }) => e.event_id === 'board-1',
    );
    assert.equal(back.deleted, false);
    assert.equal(back.event_uid, uid);
  });

  it('filters by from/to, calendar_ids[] and last_modified', async () => {
    const second = await server.call('POST', '/v1/calendars', {
      token: alice.accessToken,
      body: { profile_id: alice.profileId, name: 'Second' },
    });
    const secondId = second.json.calendar.calendar_id;
    server.clock.set(Date.UTC(2026, 2, 10, 12, 0));
    await upsert(
      alice,
      event({ event_id: 'late', start: '2026-04-01T09:00:00Z', end: '2026-04-01T10:00:00Z' }),
      secondId,
    );
    const byCalendar = await read(alice, `tzid=Etc/UTC&calendar_ids[]=${secondId}`);
    assert.deepEqual(
      byCalendar.json.events.map((e: { event_id: string }) => e.event_id),
      ['late'],
    );
    const window = await read(alice, 'tzid=Etc/UTC&from=2026-03-31&to=2026-04-02');
    assert.deepEqual(
      window.json.events.map((e: { event_id: string }) => e.event_id),
      ['late'],
    );
    const modified = await read(alice, 'tzid=Etc/UTC&last_modified=2026-03-10T00:00:00Z');
    assert.deepEqual(
      modified.json.events.map((e: { event_id: string }) => e.event_id),
      ['late'],
    );
    const flags = await read(
      alice,
      'tzid=Etc/UTC&include_managed=true&only_managed=true&include_moved=false',
    );
    assert.equal(flags.status, 200);
    assert.equal(flags.json.events.length, (await read(alice, 'tzid=Etc/UTC')).json.events.length);
  });

  it('validates the events query, every problem at once', async () => {
    const res = await read(
      alice,
      `from=2026-13-01&to=soon&include_deleted=yes&last_modified=yesterday&calendar_ids[]=${bob.calendarId}`,
    );
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.errors).sort(), [
      'from',
      'include_deleted',
      'last_modified',
      'to',
      'tzid',
    ]);
    assert.equal(res.json.errors.tzid[0].key, 'errors.required');
    const others = await read(
      alice,
      `tzid=Etc/UTC&calendar_ids[]=${bob.calendarId}&calendar_ids[]=${foreign.calendarId}`,
    );
    assert.equal(others.status, 422);
    assert.equal(others.json.errors['calendar_ids[0]'][0].key, 'errors.unknown_calendar');
    assert.equal(others.json.errors['calendar_ids[1]'][0].key, 'errors.unknown_calendar');
    const reversed = await read(alice, 'tzid=Etc/UTC&from=2026-03-05&to=2026-03-04');
    assert.equal(reversed.json.errors.to[0].key, 'errors.invalid_period');
    const twice = await read(alice, 'tzid=Etc/UTC&tzid=Europe/London');
    assert.equal(twice.json.errors.tzid[0].key, 'errors.invalid_type');
  });

  it('bulk-deletes by calendar_ids or everything (202)', async () => {
    const list = await server.call('GET', '/v1/calendars', { token: alice.accessToken });
    const secondId = list.json.calendars.find(
      (c: { calendar_name: string }) => c.calendar_name === 'Second',
    ).calendar_id;
    const some = await server.call('DELETE', '/v1/events', {
      token: alice.accessToken,
      body: { calendar_ids: [secondId] },
    });
    assert.equal(some.status, 202);
    assert.equal(some.text, '');
    const remaining = await read(alice, 'tzid=Etc/UTC');
    assert.ok(remaining.json.events.length > 0);
    assert.ok(
      remaining.json.events.every((e: { calendar_id: string }) => e.calendar_id === alice.calendarId),
    );

    const bad = await server.call('DELETE', '/v1/events', {
      token: alice.accessToken,
      body: { calendar_ids: [bob.calendarId, 7] },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.errors['calendar_ids[1]'][0].key, 'errors.invalid_type');
    const unknown = await server.call('DELETE', '/v1/events', {
      token: alice.accessToken,
      body: { calendar_ids: [bob.calendarId] },
    });
    assert.equal(unknown.json.errors['calendar_ids[0]'][0].key, 'errors.unknown_calendar');
    const neither = await server.call('DELETE', '/v1/events', { token: alice.accessToken, body: {} });
    assert.equal(neither.json.errors.delete_all[0].key, 'errors.required');

    const bobBefore = (await read(bob, 'tzid=Etc/UTC')).json.events.length;
    const all = await server.call('DELETE', '/v1/events', {
      token: alice.accessToken,
      body: { delete_all: true },
    });
    assert.equal(all.status, 202);
    assert.deepEqual((await read(alice, 'tzid=Etc/UTC')).json.events, []);
    assert.equal((await read(bob, 'tzid=Etc/UTC')).json.events.length, bobBefore);
  });

  it('counts tentative events as tentative and leaves out transparent and cancelled ones in free_busy', async () => {
    server.clock.set(Date.UTC(2026, 2, 2, 8, 0));
    await upsert(
      bob,
      event({ event_id: 'fb-busy', start: '2026-03-20T09:00:00Z', end: '2026-03-20T10:00:00Z' }),
    );
    await upsert(
      bob,
      event({
        event_id: 'fb-tent',
        status: 'tentative',
        start: '2026-03-20T11:00:00Z',
        end: '2026-03-20T12:00:00Z',
      }),
    );
    await upsert(
      bob,
      event({
        event_id: 'fb-free',
        transparency: 'transparent',
        start: '2026-03-20T13:00:00Z',
        end: '2026-03-20T14:00:00Z',
      }),
    );
    await upsert(
      bob,
      event({
        event_id: 'fb-off',
        status: 'cancelled',
        start: '2026-03-20T15:00:00Z',
        end: '2026-03-20T16:00:00Z',
      }),
    );
    const res = await server.call('GET', '/v1/free_busy?tzid=Etc/UTC&from=2026-03-20&to=2026-03-21', {
      token: bob.accessToken,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {
      pages: { current: 1, total: 1 },
      free_busy: [
        {
          calendar_id: bob.calendarId,
          start: '2026-03-20T09:00:00Z',
          end: '2026-03-20T10:00:00Z',
          free_busy_status: 'busy',
        },
        {
          calendar_id: bob.calendarId,
          start: '2026-03-20T11:00:00Z',
          end: '2026-03-20T12:00:00Z',
          free_busy_status: 'tentative',
        },
      ],
    });
  });

  it('defaults the free_busy window to 42 days back and 201 days ahead (to exclusive)', async () => {
    // now is 2026-03-02T08:00Z: the window is [2026-01-19, 2026-09-19).
    const days = ['2026-01-18', '2026-01-19', '2026-09-18', '2026-09-19'];
    for (const day of days) {
      await upsert(
        bob,
        event({ event_id: `edge-${day}`, start: `${day}T09:00:00Z`, end: `${day}T10:00:00Z` }),
      );
    }
    const res = await server.call('GET', '/v1/free_busy?tzid=Etc/UTC', { token: bob.accessToken });
    const starts = res.json.free_busy.map((b: { start: string }) => b.start.slice(0, 10));
    assert.deepEqual(
      days.map((d) => starts.includes(d)),
      [false, true, true, false],
    );
    const missing = await server.call('GET', '/v1/free_busy', { token: bob.accessToken });
    assert.equal(missing.status, 422);
    assert.equal(missing.json.errors.tzid[0].key, 'errors.required');
  });

  it('answers 401 without a valid access token on every events endpoint', async () => {
    for (const [method, path] of [
      ['GET', '/v1/events?tzid=Etc/UTC'],
      ['GET', '/v1/free_busy?tzid=Etc/UTC'],
      ['POST', `/v1/calendars/${alice.calendarId}/events`],
      ['DELETE', `/v1/calendars/${alice.calendarId}/events`],
      ['DELETE', '/v1/events'],
    ] as const) {
      const res = await server.call(method, path, { token: 'nope', body: {} });
      assert.equal(res.status, 401, `${method} ${path}`);
    }
  });
});
