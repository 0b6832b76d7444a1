import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { serializeEvents } from '../../../domain/icalendar/serialize.ts';
import { ExternalCalendarError } from '../errors.ts';
import { busyIntervalsFromICalendar } from './expand.ts';

const fixtures = new URL('../../../../test/fixtures/ical/', import.meta.url);

function fixture(name: string): string {
  return readFileSync(new URL(name, fixtures), 'utf8');
}

const ms = (iso: string): number => Date.parse(iso);
const iso = (value: number): string => new Date(value).toISOString().replace('.000Z', 'Z');

/** Busy intervals of a fixture in a window, as `start/end` UTC strings for readable diffs. */
function busy(name: string, from: string, to: string, calendarZone = 'UTC'): string[] {
  return busyIntervalsFromICalendar(fixture(name), { start: ms(from), end: ms(to) }, calendarZone).map(
    (interval) => `${iso(interval.start)}/${iso(interval.end)}`,
  );
}

describe('busyIntervalsFromICalendar', () => {
  describe('VTIMEZONE defined in the file (Outlook-style TZID, rules from 1601)', () => {
    test('spring forward: GMT Mondays then BST Mondays; a skipped 01:30 uses the offset before the gap', () => {
      // Europe/London 2026: BST starts Sun 29 March at 01:00 UTC (01:00 GMT → 02:00 BST).
      // 09:00 GMT on 16 and 23 March = 09:00Z; 09:00 BST on 30 March and 6 April = 08:00Z.
      // 01:30 on 29 March does not exist; RFC 5545 reads it with the offset before (+00:00): 01:30Z.
      assert.deepEqual(busy('london-vtimezone.ics', '2026-03-16T00:00:00Z', '2026-04-07T00:00:00Z'), [
        '2026-03-16T09:00:00Z/2026-03-16T10:00:00Z',
        '2026-03-23T09:00:00Z/2026-03-23T10:00:00Z',
        '2026-03-29T01:30:00Z/2026-03-29T02:00:00Z',
        '2026-03-30T08:00:00Z/2026-03-30T09:00:00Z',
        '2026-04-06T08:00:00Z/2026-04-06T09:00:00Z',
      ]);
    });

    test('fall back: BST Monday then GMT Mondays; a repeated 01:30 means its first (BST) occurrence', () => {
      // BST ends Sun 25 October 2026 at 01:00 UTC (02:00 BST → 01:00 GMT), so 01:30 happens at
      // 00:30Z (BST) and again at 01:30Z (GMT); the first is meant: 00:30Z.
      // 09:00 BST on 19 October = 08:00Z; 09:00 GMT on 26 October and 2 November = 09:00Z.
      assert.deepEqual(busy('london-vtimezone.ics', '2026-10-19T00:00:00Z', '2026-11-03T00:00:00Z'), [
        '2026-10-19T08:00:00Z/2026-10-19T09:00:00Z',
        '2026-10-25T00:30:00Z/2026-10-25T01:00:00Z',
        '2026-10-26T09:00:00Z/2026-10-26T10:00:00Z',
        '2026-11-02T09:00:00Z/2026-11-02T10:00:00Z',
      ]);
    });
  });

  describe('IANA TZID without VTIMEZONE', () => {
    test('America/New_York spring forward (Sun 8 March 2026, 02:00 EST → 03:00 EDT)', () => {
      // 09:00 EST (-05:00) on 6 and 7 March = 14:00Z; 09:00 EDT (-04:00) from 8 March = 13:00Z.
      // COUNT=5 ends on 10 March. 02:30 on 8 March does not exist: read with EST → 07:30Z
      // (= 03:30 EDT, the RFC 5545 example); it ends at 04:00 EDT = 08:00Z.
      assert.deepEqual(busy('new-york-iana.ics', '2026-03-01T00:00:00Z', '2026-03-15T00:00:00Z'), [
        '2026-03-06T14:00:00Z/2026-03-06T14:30:00Z',
        '2026-03-07T14:00:00Z/2026-03-07T14:30:00Z',
        '2026-03-08T07:30:00Z/2026-03-08T08:00:00Z',
        '2026-03-08T13:00:00Z/2026-03-08T13:30:00Z',
        '2026-03-09T13:00:00Z/2026-03-09T13:30:00Z',
        '2026-03-10T13:00:00Z/2026-03-10T13:30:00Z',
      ]);
    });

    test('America/New_York fall back (Sun 1 November 2026, 02:00 EDT → 01:00 EST)', () => {
      // 09:00 EDT on 30 and 31 October = 13:00Z; 09:00 EST on 1 and 2 November = 14:00Z.
      // 01:30 on 1 November happens at 05:30Z (EDT) and 06:30Z (EST): the first, 05:30Z.
      assert.deepEqual(busy('new-york-iana.ics', '2026-10-29T00:00:00Z', '2026-11-03T00:00:00Z'), [
        '2026-10-30T13:00:00Z/2026-10-30T13:30:00Z',
        '2026-10-31T13:00:00Z/2026-10-31T13:30:00Z',
        '2026-11-01T05:30:00Z/2026-11-01T06:00:00Z',
        '2026-11-01T14:00:00Z/2026-11-01T14:30:00Z',
        '2026-11-02T14:00:00Z/2026-11-02T14:30:00Z',
      ]);
    });

    test('half-hour zones: Asia/Kolkata (+05:30) and Australia/Adelaide leaving DST (+10:30 → +09:30)', () => {
      // Kolkata: Fridays 10:00 IST = 04:30Z, from 24 April.
      // Adelaide: DST ends Sun 5 April 2026 at 03:00 ACDT. 09:00 ACDT (+10:30) on 3 and 4 April =
      // 22:30Z the day before; 09:00 ACST (+09:30) on 5 and 6 April = 23:30Z the day before.
      assert.deepEqual(busy('half-hour-zones.ics', '2026-04-02T00:00:00Z', '2026-05-09T00:00:00Z'), [
        '2026-04-02T22:30:00Z/2026-04-02T23:30:00Z',
        '2026-04-03T22:30:00Z/2026-04-03T23:30:00Z',
        '2026-04-04T23:30:00Z/2026-04-05T00:30:00Z',
        '2026-04-05T23:30:00Z/2026-04-06T00:30:00Z',
        '2026-04-24T04:30:00Z/2026-04-24T05:30:00Z',
        '2026-05-01T04:30:00Z/2026-05-01T05:30:00Z',
        '2026-05-08T04:30:00Z/2026-05-08T05:30:00Z',
      ]);
    });
  });

  describe('RRULE', () => {
    test('MONTHLY BYDAY=-1FR, MONTHLY BYMONTHDAY=15,-1, YEARLY BYMONTH+BYMONTHDAY, plain YEARLY', () => {
      // Last Fridays: 29 May, 26 June 2026. 15th and last day: 15 and 31 May, 15 and 30 June.
      // June 1st yearly since 2020 and 30 May yearly since 2019, all in UTC.
      assert.deepEqual(busy('monthly-yearly.ics', '2026-05-01T00:00:00Z', '2026-07-01T00:00:00Z'), [
        '2026-05-15T07:00:00Z/2026-05-15T07:15:00Z',
        '2026-05-29T15:00:00Z/2026-05-29T16:00:00Z',
        '2026-05-30T08:00:00Z/2026-05-30T09:00:00Z',
        '2026-05-31T07:00:00Z/2026-05-31T07:15:00Z',
        '2026-06-01T12:00:00Z/2026-06-01T13:00:00Z',
        '2026-06-15T07:00:00Z/2026-06-15T07:15:00Z',
        '2026-06-26T15:00:00Z/2026-06-26T16:00:00Z',
        '2026-06-30T07:00:00Z/2026-06-30T07:15:00Z',
      ]);
    });

    test('WEEKLY INTERVAL=2 BYDAY=TU,TH with a UTC UNTIL that equals the last instance', () => {
      // Europe/Berlin in winter is +01:00, so 10:00 local = 09:00Z. Weeks (from Monday) of 5 Jan,
      // 19 Jan and 2 Feb: 6, 8, 20, 22 Jan and 3 Feb. UNTIL=20260203T090000Z is exactly the
      // 3 Feb instance, and UNTIL is inclusive; 5 Feb is after it.
      assert.deepEqual(busy('weekly-interval-until.ics', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'), [
        '2026-01-06T09:00:00Z/2026-01-06T10:00:00Z',
        '2026-01-08T09:00:00Z/2026-01-08T10:00:00Z',
        '2026-01-20T09:00:00Z/2026-01-20T10:00:00Z',
        '2026-01-22T09:00:00Z/2026-01-22T10:00:00Z',
        '2026-02-03T09:00:00Z/2026-02-03T10:00:00Z',
      ]);
    });

    test('HOURLY INTERVAL=6 COUNT=4; MINUTELY INTERVAL=30 COUNT=3 is ignored (SPEC 8) but for DTSTART', () => {
      assert.deepEqual(busy('sub-daily.ics', '2026-06-01T00:00:00Z', '2026-06-03T00:00:00Z'), [
        '2026-06-01T00:00:00Z/2026-06-01T00:10:00Z',
        '2026-06-01T06:00:00Z/2026-06-01T06:10:00Z',
        '2026-06-01T12:00:00Z/2026-06-01T12:10:00Z',
        '2026-06-01T18:00:00Z/2026-06-01T18:10:00Z',
        '2026-06-02T09:00:00Z/2026-06-02T09:05:00Z',
      ]);
    });

    test('EXDATE (local and UTC forms) removes instances; RDATE (local list and PERIOD) adds them', () => {
      // Tuesdays 14:00 EDT (-04:00) = 18:00Z. 14 April is excluded by a local EXDATE, 28 April by
      // the UTC form of the same instant (18:00Z). RDATEs 16 and 18 April 10:00 EDT = 14:00Z last
      // the series' hour; the PERIOD RDATE carries its own two hours.
      assert.deepEqual(busy('exdate-rdate.ics', '2026-04-01T00:00:00Z', '2026-05-06T00:00:00Z'), [
        '2026-04-07T18:00:00Z/2026-04-07T19:00:00Z',
        '2026-04-16T14:00:00Z/2026-04-16T15:00:00Z',
        '2026-04-18T14:00:00Z/2026-04-18T15:00:00Z',
        '2026-04-19T12:00:00Z/2026-04-19T14:00:00Z',
        '2026-04-21T18:00:00Z/2026-04-21T19:00:00Z',
        '2026-05-05T18:00:00Z/2026-05-05T19:00:00Z',
      ]);
    });
  });

  describe('RECURRENCE-ID overrides', () => {
    test('a moved instance, a cancelled instance and an instance moved from outside the window', () => {
      // Daily 09:00 BST (+01:00) = 08:00Z, 1-10 June. 2 June moved to 15:00-16:30 BST
      // (14:00Z-15:30Z). 3 June (RECURRENCE-ID written in UTC, 08:00Z) cancelled. 10 June moved
      // to 4 June 12:00 BST = 11:00Z, without DTEND: it keeps the series' one hour.
      assert.deepEqual(busy('overrides.ics', '2026-06-01T00:00:00Z', '2026-06-12T00:00:00Z'), [
        '2026-06-01T08:00:00Z/2026-06-01T09:00:00Z',
        '2026-06-02T14:00:00Z/2026-06-02T15:30:00Z',
        '2026-06-04T08:00:00Z/2026-06-04T09:00:00Z',
        '2026-06-04T11:00:00Z/2026-06-04T12:00:00Z',
        '2026-06-05T08:00:00Z/2026-06-05T09:00:00Z',
        '2026-06-06T08:00:00Z/2026-06-06T09:00:00Z',
        '2026-06-07T08:00:00Z/2026-06-07T09:00:00Z',
        '2026-06-08T08:00:00Z/2026-06-08T09:00:00Z',
        '2026-06-09T08:00:00Z/2026-06-09T09:00:00Z',
      ]);
      assert.deepEqual(busy('overrides.ics', '2026-06-04T10:00:00Z', '2026-06-04T12:30:00Z'), [
        '2026-06-04T11:00:00Z/2026-06-04T12:00:00Z',
      ]);
    });
  });

  describe('all-day (DATE) events cover their dates in the calendar zone', () => {
    test('in America/New_York (EDT, -04:00 in May; the 8 March day is 23 hours long)', () => {
      // 4 May → 04:00Z to 04:00Z; 6-8 May (DTEND 9 May exclusive); 11 May without DTEND lasts one
      // day; the yearly birthday (since 1990) on 12 May. 8 March 2026 starts at 05:00Z (EST) and
      // ends at 04:00Z on 9 March (EDT).
      assert.deepEqual(
        busy('all-day.ics', '2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z', 'America/New_York'),
        [
          '2026-03-08T05:00:00Z/2026-03-09T04:00:00Z',
          '2026-05-04T04:00:00Z/2026-05-05T04:00:00Z',
          '2026-05-06T04:00:00Z/2026-05-09T04:00:00Z',
          '2026-05-11T04:00:00Z/2026-05-12T04:00:00Z',
          '2026-05-12T04:00:00Z/2026-05-13T04:00:00Z',
        ],
      );
    });

    test('in Asia/Kolkata (+05:30) the same dates start at 18:30Z the day before', () => {
      assert.deepEqual(busy('all-day.ics', '2026-05-03T00:00:00Z', '2026-05-06T00:00:00Z', 'Asia/Kolkata'), [
        '2026-05-03T18:30:00Z/2026-05-04T18:30:00Z',
        '2026-05-05T18:30:00Z/2026-05-08T18:30:00Z',
      ]);
    });

    test('a DATE EXDATE removes that year of a yearly all-day series', () => {
      assert.deepEqual(
        busy('all-day.ics', '2025-05-01T00:00:00Z', '2025-06-01T00:00:00Z', 'America/New_York'),
        [],
      );
      assert.deepEqual(
        busy('all-day.ics', '2024-05-01T00:00:00Z', '2024-06-01T00:00:00Z', 'America/New_York'),
        ['2024-05-12T04:00:00Z/2024-05-13T04:00:00Z'],
      );
    });
  });

  test('floating times are read in the calendar zone', () => {
    // 12:00 floating in Europe/Berlin (CEST, +02:00) = 10:00Z; in America/Los_Angeles (PDT, -07:00) = 19:00Z.
    assert.deepEqual(busy('floating.ics', '2026-07-01T00:00:00Z', '2026-08-01T00:00:00Z', 'Europe/Berlin'), [
      '2026-07-10T10:00:00Z/2026-07-10T11:00:00Z',
      '2026-07-11T10:00:00Z/2026-07-11T11:00:00Z',
    ]);
    assert.deepEqual(
      busy('floating.ics', '2026-07-01T00:00:00Z', '2026-08-01T00:00:00Z', 'America/Los_Angeles'),
      ['2026-07-10T19:00:00Z/2026-07-10T20:00:00Z', '2026-07-11T19:00:00Z/2026-07-11T20:00:00Z'],
    );
  });

  test('CANCELLED and TRANSPARENT are free, TENTATIVE and VFREEBUSY busy periods are busy, VTODO ignored', () => {
    assert.deepEqual(busy('status-transp.ics', '2026-08-01T00:00:00Z', '2026-08-02T00:00:00Z'), [
      '2026-08-01T09:00:00Z/2026-08-01T10:00:00Z',
      '2026-08-01T11:00:00Z/2026-08-01T12:00:00Z',
      '2026-08-01T20:00:00Z/2026-08-01T20:30:00Z',
    ]);
  });

  test('DURATION: hours are exact, days are nominal (P1D across spring forward lasts 23 hours)', () => {
    // 27 March 12:00 GMT + 1h30 → 12:00Z-13:30Z. 28 March 12:00 GMT + P1D → 29 March 12:00 BST =
    // 11:00Z. 28 March 18:00 GMT + PT24H → 29 March 18:00Z (19:00 BST).
    assert.deepEqual(busy('duration.ics', '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'), [
      '2026-03-27T12:00:00Z/2026-03-27T13:30:00Z',
      '2026-03-28T12:00:00Z/2026-03-29T11:00:00Z',
      '2026-03-28T18:00:00Z/2026-03-29T18:00:00Z',
    ]);
  });

  test('intervals overlapping the window edges are returned whole; touching ones are not', () => {
    // The 09:00Z-10:00Z instance on 16 March overlaps a window starting 09:30Z; one ending at
    // 09:00Z only touches it.
    assert.deepEqual(busy('london-vtimezone.ics', '2026-03-16T09:30:00Z', '2026-03-17T00:00:00Z'), [
      '2026-03-16T09:00:00Z/2026-03-16T10:00:00Z',
    ]);
    assert.deepEqual(busy('london-vtimezone.ics', '2026-03-16T00:00:00Z', '2026-03-16T09:00:00Z'), []);
  });

  test('events written by serializeEvents read back as the same intervals, in every zone form', () => {
    const events = [
      {
        uid: 'a',
        summary: 'London',
        start: ms('2026-03-30T08:00:00Z'),
        end: ms('2026-03-30T09:00:00Z'),
        tzid: 'Europe/London',
      },
      {
        uid: 'b',
        summary: 'Kolkata',
        start: ms('2026-04-24T04:30:00Z'),
        end: ms('2026-04-24T05:30:00Z'),
        tzid: 'Asia/Kolkata',
      },
      // 01:30 EDT to 01:30 EST on New York's fall-back day: the end is written in UTC.
      {
        uid: 'c',
        summary: 'NY',
        start: ms('2026-11-01T05:30:00Z'),
        end: ms('2026-11-01T06:30:00Z'),
        tzid: 'America/New_York',
      },
      { uid: 'd', summary: 'UTC', start: ms('2026-12-01T10:00:00Z'), end: ms('2026-12-01T11:00:00Z') },
    ];
    const text = serializeEvents(events, { prodId: '-//rtseq//tests//EN', dtstamp: 0 });
    const read = busyIntervalsFromICalendar(
      text,
      { start: ms('2026-01-01T00:00:00Z'), end: ms('2027-01-01T00:00:00Z') },
      'Pacific/Auckland',
    );
    assert.deepEqual(
      read,
      events.map(({ start, end }) => ({ start, end })),
    );
  });

  test('text that is not iCalendar fails with parse_failed instead of reading as free', () => {
    for (const text of ['<html><body>Sign in</body></html>', '', 'BEGIN:VCARD\nVERSION:4.0\nEND:VCARD']) {
      assert.throws(
        () => busyIntervalsFromICalendar(text, { start: 0, end: 1 }, 'UTC'),
        (error: unknown) => error instanceof ExternalCalendarError && error.code === 'parse_failed',
      );
    }
  });
});
