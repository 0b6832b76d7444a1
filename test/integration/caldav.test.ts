/**
 * External calendars against real servers: Radicale for CalDAV, a loopback HTTP server for ICS
 * feeds. Server state is set up and checked with plain HTTP (test/support), never through rtseq.
 */
import assert from 'node:assert/strict';
import { after, before, describe, type TestContext, test } from 'node:test';
import { ExternalCalendarError } from '../../src/adapters/calendars/errors.ts';
import { ExternalCalendars } from '../../src/adapters/calendars/reader.ts';
import { OutboundGuard } from '../../src/adapters/net/outbound.ts';
import { serializeEvents } from '../../src/domain/icalendar/serialize.ts';
import type { CaldavCalendarRef, CaldavCredentials } from '../../src/ports/external-calendars.ts';
import { type IcsFeedServer, startIcsFeedServer } from '../support/ics-feed-server.ts';
import {
  createCalendar,
  listRawEvents,
  putRawEvent,
  type RadicaleServer,
  startRadicale,
} from '../support/radicale.ts';

/** Radicale and the feed servers listen on loopback: these suites run with the guard off. */
const LOOPBACK_ALLOWED = new OutboundGuard({ allowPrivate: true });

const TIMEOUT_MS = 2000;
const ms = (iso: string): number => Date.parse(iso);
const iso = (value: number): string => new Date(value).toISOString().replace('.000Z', 'Z');
const spans = (busy: readonly { start: number; end: number }[]): string[] =>
  busy.map((interval) => `${iso(interval.start)}/${iso(interval.end)}`);

function calendarText(...events: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//rtseq tests//EN', ...events, 'END:VCALENDAR', ''].join(
    '\r\n',
  );
}

function event(lines: string): string {
  return [
    'BEGIN:VEVENT',
    'DTSTAMP:20260101T000000Z',
    ...lines
      .trim()
      .split('\n')
      .map((line) => line.trim()),
    'END:VEVENT',
  ].join('\r\n');
}

const NEW_YORK_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:America/New_York',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:-0500',
  'TZOFFSETTO:-0400',
  'DTSTART:20070311T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:-0400',
  'TZOFFSETTO:-0500',
  'DTSTART:20071104T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ExternalCalendarError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ExternalCalendarError, `expected ExternalCalendarError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a rejection with code ${code}`);
}

/**
 * Starts `operation` against a server that accepts and never answers, with the clock mocked: once
 * the request has reached the server (the event that has to happen first), the operation is still
 * pending a tick before `timeoutMs` and has failed with `timeout` at it. Counted by the mocked
 * clock, never by timing the test.
 */
async function timesOutAtDeadline(
  t: TestContext,
  server: IcsFeedServer,
  timeoutMs: number,
  operation: () => Promise<unknown>,
): Promise<void> {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  t.mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const before = server.requestCount;
    let settled = false;
    const result = operation().finally(() => {
      settled = true;
    });
    result.catch(() => undefined);
    await server.received(before + 1);
    t.mock.timers.tick(timeoutMs - 1);
    await turn();
    assert.equal(settled, false, 'pending before the deadline');
    t.mock.timers.tick(1);
    await turn();
    assert.equal(settled, true, 'settled at the deadline');
    await rejectsWith(result, 'timeout');
  } finally {
    t.mock.timers.reset();
  }
}

describe('CalDAV against Radicale', () => {
  let server: RadicaleServer | null = null;
  let credentials: CaldavCredentials;
  let work: CaldavCalendarRef;
  const calendars = new ExternalCalendars({ outbound: LOOPBACK_ALLOWED, timeoutMs: TIMEOUT_MS });

  before(async () => {
    server = await startRadicale();
    if (server === null) return;
    credentials = { serverUrl: server.url, username: server.username, password: server.password };
    work = { kind: 'caldav', calendarUrl: await createCalendar(server, 'work', 'Work'), credentials };
    await createCalendar(server, 'personal', 'Personal');
  });
  after(async () => {
    await server?.stop();
  });

  test('discovery lists the account calendars', async (t) => {
    if (server === null) return t.skip('radicale not installed: apt-get install radicale');
    const found = await calendars.caldav.discoverCalendars(credentials);
    assert.deepEqual(
      found.map((calendar) => [calendar.displayName, calendar.calendarUrl, calendar.readOnly]).sort(),
      [
        ['Personal', new URL('alice/personal/', server.url).href, false],
        ['Work', new URL('alice/work/', server.url).href, false],
      ],
    );
  });

  test('a wrong password is a clear auth_failed error that does not echo the password', async (t) => {
    if (server === null) return t.skip('radicale not installed: apt-get install radicale');
    const wrong = { ...credentials, password: 'hunter2-wrong' };
    const error = await rejectsWith(calendars.caldav.discoverCalendars(wrong), 'auth_failed');
    assert.doesNotMatch(error.message, /hunter2/);
    await rejectsWith(
      calendars.readBusy({ ...work, credentials: wrong }, { start: 0, end: 1 }, 'UTC'),
      'auth_failed',
    );
  });

  test('events created in Radicale (single, recurring with EXDATE and override, all-day) read back as busy', async (t) => {
    if (server === null) return t.skip('radicale not installed: apt-get install radicale');
    const calendarUrl = await createCalendar(server, 'reading', 'Reading');
    const ref: CaldavCalendarRef = { kind: 'caldav', calendarUrl, credentials };
    await putRawEvent(
      server,
      calendarUrl,
      'single.ics',
      calendarText(
        event(`
      UID:single@test
      DTSTART:20261207T150000Z
      DTEND:20261207T160000Z`),
      ),
    );
    // Mondays 09:00 New York (EST in December, -05:00) = 14:00Z since 2024; 14 Dec excluded;
    // the 21 Dec instance moved to 11:00 EST (16:00Z).
    // Radicale refuses a TZID without its VTIMEZONE, so this one carries the definition.
    await putRawEvent(
      server,
      calendarUrl,
      'weekly.ics',
      calendarText(
        NEW_YORK_VTIMEZONE,
        event(`
        UID:weekly@test
        DTSTART;TZID=America/New_York:20240101T090000
        DTEND;TZID=America/New_York:20240101T093000
        RRULE:FREQ=WEEKLY;BYDAY=MO
        EXDATE;TZID=America/New_York:20261214T090000`),
        event(`
        UID:weekly@test
        RECURRENCE-ID;TZID=America/New_York:20261221T090000
        DTSTART;TZID=America/New_York:20261221T110000
        DTEND;TZID=America/New_York:20261221T113000`),
      ),
    );
    // An all-day event on 9 December: in calendar zone Europe/Berlin (+01:00) it is 23:00Z-23:00Z.
    await putRawEvent(
      server,
      calendarUrl,
      'allday.ics',
      calendarText(
        event(`
      UID:allday@test
      DTSTART;VALUE=DATE:20261209
      DTEND;VALUE=DATE:20261210`),
      ),
    );
    await putRawEvent(
      server,
      calendarUrl,
      'free.ics',
      calendarText(
        event(`
      UID:free@test
      DTSTART:20261208T100000Z
      DTEND:20261208T110000Z
      TRANSP:TRANSPARENT`),
      ),
    );
    // Outside the window entirely.
    await putRawEvent(
      server,
      calendarUrl,
      'later.ics',
      calendarText(
        event(`
      UID:later@test
      DTSTART:20270301T100000Z
      DTEND:20270301T110000Z`),
      ),
    );

    const { busy } = await calendars.readBusy(
      ref,
      { start: ms('2026-12-07T00:00:00Z'), end: ms('2026-12-28T00:00:00Z') },
      'Europe/Berlin',
    );
    assert.deepEqual(spans(busy), [
      '2026-12-07T14:00:00Z/2026-12-07T14:30:00Z',
      '2026-12-07T15:00:00Z/2026-12-07T16:00:00Z',
      '2026-12-08T23:00:00Z/2026-12-09T23:00:00Z',
      '2026-12-21T16:00:00Z/2026-12-21T16:30:00Z',
    ]);
  });

  test('a booking PUT appears in Radicale; a second PUT with the same UID replaces it; DELETE removes it', async (t) => {
    if (server === null) return t.skip('radicale not installed: apt-get install radicale');
    const uid = 'seq_abc-0@rtseq.test';
    const book = (start: string, end: string) =>
      serializeEvents(
        [{ uid, summary: 'Interview, round 1', start: ms(start), end: ms(end), tzid: 'Europe/London' }],
        {
          prodId: '-//rtseq//tests//EN',
          dtstamp: ms('2026-11-24T12:00:00Z'),
        },
      );
    await calendars.caldav.putEvent(work, uid, book('2026-12-10T10:00:00Z', '2026-12-10T11:00:00Z'));
    let stored = [...(await listRawEvents(server!, work.calendarUrl)).values()].filter((text) =>
      text.includes(uid),
    );
    assert.equal(stored.length, 1);
    assert.match(stored[0]!, /DTSTART;TZID=Europe\/London:20261210T100000/);
    assert.match(stored[0]!, /SUMMARY:Interview\\, round 1/);

    await calendars.caldav.putEvent(work, uid, book('2026-12-11T14:00:00Z', '2026-12-11T15:00:00Z'));
    stored = [...(await listRawEvents(server!, work.calendarUrl)).values()].filter((text) =>
      text.includes(uid),
    );
    assert.equal(stored.length, 1, 'still one event');
    assert.match(stored[0]!, /DTSTART;TZID=Europe\/London:20261211T140000/);
    const { busy } = await calendars.readBusy(
      work,
      { start: ms('2026-12-10T00:00:00Z'), end: ms('2026-12-12T00:00:00Z') },
      'UTC',
    );
    assert.deepEqual(spans(busy), ['2026-12-11T14:00:00Z/2026-12-11T15:00:00Z']);

    await calendars.caldav.deleteEvent(work, uid);
    await calendars.caldav.deleteEvent(work, uid);
    stored = [...(await listRawEvents(server!, work.calendarUrl)).values()].filter((text) =>
      text.includes(uid),
    );
    assert.equal(stored.length, 0);
  });

  test('a calendar that does not exist is not_found, never an empty (free) calendar', async (t) => {
    if (server === null) return t.skip('radicale not installed: apt-get install radicale');
    const missing: CaldavCalendarRef = {
      ...work,
      calendarUrl: new URL('alice/no-such-calendar/', server.url).href,
    };
    await rejectsWith(calendars.readBusy(missing, { start: 0, end: 1 }, 'UTC'), 'not_found');
    await rejectsWith(
      calendars.caldav.putEvent(missing, 'x', calendarText(event('UID:x\nDTSTART:20261201T100000Z'))),
      'not_found',
    );
  });

  test('a stopped server is unreachable, never an empty (free) calendar', async (t) => {
    if (server === null) return t.skip('radicale not installed: apt-get install radicale');
    const other = (await startRadicale())!;
    const calendarUrl = await createCalendar(other, 'work');
    const ref: CaldavCalendarRef = {
      kind: 'caldav',
      calendarUrl,
      credentials: { serverUrl: other.url, username: other.username, password: other.password },
    };
    await other.stop();
    const error = await rejectsWith(calendars.readBusy(ref, { start: 0, end: 1 }, 'UTC'), 'unreachable');
    assert.doesNotMatch(error.message, new RegExp(other.password));
  });

  test('a server that accepts the connection but never answers times out at timeoutMs', async (t) => {
    const hanging = await startIcsFeedServer();
    hanging.setHanging(true);
    try {
      const ref: CaldavCalendarRef = {
        kind: 'caldav',
        calendarUrl: new URL('/alice/work/', hanging.url).href,
        credentials: { serverUrl: new URL('/', hanging.url).href, username: 'alice', password: 'pw' },
      };
      const quick = new ExternalCalendars({ outbound: LOOPBACK_ALLOWED, timeoutMs: 300 });
      await timesOutAtDeadline(t, hanging, 300, () => quick.readBusy(ref, { start: 0, end: 1 }, 'UTC'));
      await timesOutAtDeadline(t, hanging, 300, () => quick.caldav.discoverCalendars(ref.credentials));
    } finally {
      await hanging.stop();
    }
  });
});

describe('ICS feed over loopback HTTP', () => {
  let feed: IcsFeedServer;
  const calendars = new ExternalCalendars({
    outbound: LOOPBACK_ALLOWED,
    timeoutMs: TIMEOUT_MS,
    maxFeedBytes: 64 * 1024,
  });
  const window = { start: ms('2026-12-07T00:00:00Z'), end: ms('2026-12-14T00:00:00Z') };

  before(async () => {
    feed = await startIcsFeedServer();
  });
  after(async () => {
    await feed.stop();
  });

  test('is fetched, expanded, and re-read on every call (no caching in the adapter)', async () => {
    // Daily 12:00 floating time in Asia/Kolkata (+05:30) = 06:30Z, three days from 8 December.
    feed.setBody(
      calendarText(
        event(`
      UID:daily@feed
      DTSTART:20261208T120000
      DURATION:PT45M
      RRULE:FREQ=DAILY;COUNT=3`),
      ),
    );
    const first = await calendars.readBusy({ kind: 'ics', feedUrl: feed.url }, window, 'Asia/Kolkata');
    assert.deepEqual(spans(first.busy), [
      '2026-12-08T06:30:00Z/2026-12-08T07:15:00Z',
      '2026-12-09T06:30:00Z/2026-12-09T07:15:00Z',
      '2026-12-10T06:30:00Z/2026-12-10T07:15:00Z',
    ]);
    feed.setBody(calendarText(event('UID:one@feed\nDTSTART:20261211T090000Z\nDTEND:20261211T100000Z')));
    const second = await calendars.readBusy({ kind: 'ics', feedUrl: feed.url }, window, 'Asia/Kolkata');
    assert.deepEqual(spans(second.busy), ['2026-12-11T09:00:00Z/2026-12-11T10:00:00Z']);
  });

  test('a hanging feed fails with timeout at timeoutMs', async (t) => {
    feed.setHanging(true);
    try {
      const quick = new ExternalCalendars({ outbound: LOOPBACK_ALLOWED, timeoutMs: 250 });
      await timesOutAtDeadline(t, feed, 250, () =>
        quick.readBusy({ kind: 'ics', feedUrl: feed.url }, window, 'UTC'),
      );
    } finally {
      feed.setHanging(false);
    }
  });

  test('HTTP errors, oversized feeds and non-iCalendar bodies fail instead of reading as free', async () => {
    feed.setStatus(404);
    await rejectsWith(calendars.readBusy({ kind: 'ics', feedUrl: feed.url }, window, 'UTC'), 'not_found');
    feed.setStatus(503);
    await rejectsWith(calendars.readBusy({ kind: 'ics', feedUrl: feed.url }, window, 'UTC'), 'bad_response');
    feed.setBody(
      calendarText(
        ...Array.from({ length: 1000 }, (_, index) => event(`UID:${index}\nDTSTART:20261208T120000Z`)),
      ),
    );
    await rejectsWith(calendars.readBusy({ kind: 'ics', feedUrl: feed.url }, window, 'UTC'), 'bad_response');
    feed.setBody('<!doctype html><title>Sign in</title>');
    await rejectsWith(calendars.readBusy({ kind: 'ics', feedUrl: feed.url }, window, 'UTC'), 'parse_failed');
  });
});
