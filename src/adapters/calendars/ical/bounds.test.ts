/** SPEC 8 bounds on expansion: FREQ=SECONDLY/MINUTELY ignored and reported; 20,000 intervals per read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExternalCalendarError } from '../errors.ts';
import { busyIntervalsFromICalendar, MAX_BUSY_PER_READ, newExpansionReport } from './expand.ts';

const ms = (iso: string): number => Date.parse(iso);
const iso = (value: number): string => new Date(value).toISOString().replace('.000Z', 'Z');

function feed(events: readonly { uid: string; start: string; end: string; rrule?: string }[]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//rtseq tests//EN'];
  for (const event of events) {
    lines.push('BEGIN:VEVENT', `UID:${event.uid}`, 'DTSTAMP:20260101T000000Z');
    lines.push(`DTSTART:${event.start}`, `DTEND:${event.end}`);
    if (event.rrule !== undefined) lines.push(`RRULE:${event.rrule}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR', '');
  return lines.join('\r\n');
}

const MONTH = { start: ms('2026-01-01T00:00:00Z'), end: ms('2026-01-31T00:00:00Z') };

test('FREQ=MINUTELY and FREQ=SECONDLY rules are ignored and reported; their first instance still counts', () => {
  const report = newExpansionReport();
  const busy = busyIntervalsFromICalendar(
    feed([
      { uid: 'every-minute', start: '20260105T090000Z', end: '20260105T090030Z', rrule: 'FREQ=MINUTELY' },
      { uid: 'every-second', start: '20260106T090000Z', end: '20260106T090001Z', rrule: 'FREQ=SECONDLY' },
      { uid: 'daily', start: '20260105T120000Z', end: '20260105T130000Z', rrule: 'FREQ=DAILY;COUNT=3' },
    ]),
    MONTH,
    'UTC',
    report,
  );
  assert.deepEqual(
    busy.map((b) => `${iso(b.start)}/${iso(b.end)}`),
    [
      '2026-01-05T09:00:00Z/2026-01-05T09:00:30Z',
      '2026-01-05T12:00:00Z/2026-01-05T13:00:00Z',
      '2026-01-06T09:00:00Z/2026-01-06T09:00:01Z',
      '2026-01-06T12:00:00Z/2026-01-06T13:00:00Z',
      '2026-01-07T12:00:00Z/2026-01-07T13:00:00Z',
    ],
  );
  assert.deepEqual(report.ignored.toSorted(), [
    'event every-minute: FREQ=MINUTELY rule ignored',
    'event every-second: FREQ=SECONDLY rule ignored',
  ]);
});

test('twenty MINUTELY events in a 30-day read cost next to nothing (each is one instance)', () => {
  const events = Array.from({ length: 20 }, (_, i) => ({
    uid: `minutely-${i}`,
    start: `202601${String(i + 1).padStart(2, '0')}T080000Z`,
    end: `202601${String(i + 1).padStart(2, '0')}T081500Z`,
    rrule: 'FREQ=MINUTELY;INTERVAL=1',
  }));
  const report = newExpansionReport();
  assert.equal(busyIntervalsFromICalendar(feed(events), MONTH, 'UTC', report).length, 20);
  assert.equal(report.ignored.length, 20);
});

test('a read with more than 20,000 busy intervals in the window fails as too_many_busy', () => {
  // Hourly events: 30 days × 24 = 720 instances each in the window.
  const hourly = (count: number) =>
    feed(
      Array.from({ length: count }, (_, i) => ({
        uid: `hourly-${i}`,
        start: '20260101T000000Z',
        end: '20260101T003000Z',
        rrule: 'FREQ=HOURLY',
      })),
    );
  const under = Math.floor(MAX_BUSY_PER_READ / 720); // 27 events: 19,440 intervals
  assert.equal(busyIntervalsFromICalendar(hourly(under), MONTH, 'UTC').length, under * 720);
  assert.throws(
    () => busyIntervalsFromICalendar(hourly(under + 1), MONTH, 'UTC'),
    (error: unknown) => error instanceof ExternalCalendarError && error.code === 'too_many_busy',
  );
  // The count is per read: two texts of one CalDAV read share one report.
  const report = newExpansionReport();
  busyIntervalsFromICalendar(hourly(15), MONTH, 'UTC', report);
  assert.throws(
    () => busyIntervalsFromICalendar(hourly(15), MONTH, 'UTC', report),
    (error: unknown) => error instanceof ExternalCalendarError && error.code === 'too_many_busy',
  );
});
