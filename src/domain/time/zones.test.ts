import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  alignedStarts,
  isAlignedStart,
  isValidTimeZone,
  localParts,
  nextAlignedStart,
  zoneOffsetMs,
} from './zones.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const iso = (t: number) => new Date(t).toISOString().replace('.000', '');
const isoList = (ts: ArrayLike<number>) => Array.from(ts, iso);

test('offsets of :30 and :45 zones and of the 30-minute Lord Howe shift', () => {
  const june = Date.UTC(2026, 5, 10);
  assert.equal(zoneOffsetMs('Asia/Kolkata', june), 5.5 * HOUR);
  assert.equal(zoneOffsetMs('Asia/Kathmandu', june), 5.75 * HOUR);
  assert.equal(zoneOffsetMs('Australia/Adelaide', june), 9.5 * HOUR);
  assert.equal(zoneOffsetMs('Australia/Adelaide', Date.UTC(2026, 0, 10)), 10.5 * HOUR);
  assert.equal(zoneOffsetMs('Australia/Lord_Howe', june), 10.5 * HOUR);
  assert.equal(zoneOffsetMs('Australia/Lord_Howe', Date.UTC(2026, 0, 10)), 11 * HOUR);
  assert.equal(zoneOffsetMs('America/New_York', Date.UTC(2026, 0, 10)), -5 * HOUR);
  assert.equal(zoneOffsetMs('UTC', june), 0);
});

test('isValidTimeZone accepts IANA names and rejects the rest', () => {
  assert.equal(isValidTimeZone('Europe/London'), true);
  assert.equal(isValidTimeZone('UTC'), true);
  assert.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
  assert.equal(isValidTimeZone(''), false);
  assert.equal(isValidTimeZone('+05:30'), false);
});

test('localParts reads the wall clock of the zone, not of the process', () => {
  const parts = localParts('Asia/Kathmandu', Date.UTC(2026, 5, 10, 23, 0));
  assert.deepEqual(
    [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.weekday],
    [2026, 6, 11, 4, 45, 4],
  );
});

test('5.3 fall-back day offers both occurrences of 01:30 in America/New_York', () => {
  const starts = alignedStarts('America/New_York', 30, Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 10, 1, 8));
  // Local: 00:00 01:00 01:30 (EDT) 01:00 01:30 (EST) 02:00 ...
  assert.deepEqual(isoList(starts), [
    '2026-11-01T04:00:00Z',
    '2026-11-01T04:30:00Z',
    '2026-11-01T05:00:00Z',
    '2026-11-01T05:30:00Z',
    '2026-11-01T06:00:00Z',
    '2026-11-01T06:30:00Z',
    '2026-11-01T07:00:00Z',
    '2026-11-01T07:30:00Z',
  ]);
});

test('5.3 spring-forward day offers no start between 02:00 and 03:00 in America/New_York', () => {
  const starts = alignedStarts('America/New_York', 30, Date.UTC(2026, 2, 8, 6), Date.UTC(2026, 2, 8, 8));
  // 06:00Z = 01:00 EST, 06:30Z = 01:30 EST, 07:00Z = 03:00 EDT, 07:30Z = 03:30 EDT.
  assert.deepEqual(isoList(starts), [
    '2026-03-08T06:00:00Z',
    '2026-03-08T06:30:00Z',
    '2026-03-08T07:00:00Z',
    '2026-03-08T07:30:00Z',
  ]);
});

test('5.3 Europe/London: 01:xx repeats on the fall-back day and is skipped on the spring-forward day', () => {
  const fall = alignedStarts('Europe/London', 60, Date.UTC(2026, 9, 24, 23), Date.UTC(2026, 9, 25, 3));
  assert.deepEqual(isoList(fall), [
    '2026-10-24T23:00:00Z', // 00:00 BST
    '2026-10-25T00:00:00Z', // 01:00 BST
    '2026-10-25T01:00:00Z', // 01:00 GMT
    '2026-10-25T02:00:00Z', // 02:00 GMT
  ]);
  const spring = alignedStarts('Europe/London', 60, Date.UTC(2026, 2, 29, 0), Date.UTC(2026, 2, 29, 3));
  assert.deepEqual(isoList(spring), ['2026-03-29T00:00:00Z', '2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z']);
  assert.deepEqual(
    Array.from(spring, (t) => localParts('Europe/London', t).hour),
    [0, 2, 3],
  );
});

test('5.3 alignment follows :30 and :45 offsets (Asia/Kolkata, Asia/Kathmandu, Australia/Adelaide)', () => {
  const day = Date.UTC(2026, 5, 10, 0);
  assert.deepEqual(isoList(alignedStarts('Asia/Kolkata', 60, day, day + 2 * HOUR)), [
    '2026-06-10T00:30:00Z',
    '2026-06-10T01:30:00Z',
  ]);
  assert.deepEqual(isoList(alignedStarts('Asia/Kathmandu', 60, day, day + 2 * HOUR)), [
    '2026-06-10T00:15:00Z',
    '2026-06-10T01:15:00Z',
  ]);
  // 00:00Z is 09:30 local (minute 570, not a multiple of 45); 09:45 (minute 585) is.
  assert.deepEqual(isoList(alignedStarts('Australia/Adelaide', 45, day, day + HOUR)), [
    '2026-06-10T00:15:00Z',
  ]);
});

test('5.3 Australia/Lord_Howe 30-minute fall back repeats 01:30-02:00 only', () => {
  const from = Date.UTC(2026, 3, 4, 14, 0); // 01:00 +11
  const starts = alignedStarts('Australia/Lord_Howe', 30, from, from + 2 * HOUR);
  assert.deepEqual(
    Array.from(starts, (t) => {
      const p = localParts('Australia/Lord_Howe', t);
      return `${p.hour}:${String(p.minute).padStart(2, '0')}`;
    }),
    ['1:00', '1:30', '1:30', '2:00'],
  );
});

test('5.3 an interval that does not divide the day restarts at local midnight', () => {
  const from = Date.UTC(2026, 5, 10, 23, 50);
  assert.deepEqual(isoList(alignedStarts('UTC', 7, from, from + 20 * MINUTE)), [
    '2026-06-10T23:55:00Z',
    '2026-06-11T00:00:00Z',
    '2026-06-11T00:07:00Z',
  ]);
  assert.equal(iso(nextAlignedStart('UTC', 7, Date.UTC(2026, 5, 10, 23, 55, 1))), '2026-06-11T00:00:00Z');
});

test('5.3 alignedStarts equals a minute-by-minute wall-clock scan (property)', () => {
  const zones = [
    'UTC',
    'Europe/London',
    'America/New_York',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
  ];
  const days = [
    Date.UTC(2026, 2, 8),
    Date.UTC(2026, 2, 29),
    Date.UTC(2026, 3, 4),
    Date.UTC(2026, 9, 25),
    Date.UTC(2026, 10, 1),
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.constantFrom(...days),
      fc.integer({ min: -720, max: 720 }),
      fc.integer({ min: 0, max: 36 * 60 }),
      fc.constantFrom(1, 5, 7, 15, 30, 45, 60, 90, 1440),
      (zone, day, offsetMinutes, lengthMinutes, interval) => {
        const from = day + offsetMinutes * MINUTE + 17_000;
        const to = from + lengthMinutes * MINUTE;
        const expected: number[] = [];
        for (let t = Math.ceil(from / MINUTE) * MINUTE; t < to; t += MINUTE) {
          const p = localParts(zone, t);
          if (p.second === 0 && (p.hour * 60 + p.minute) % interval === 0) expected.push(t);
        }
        const actual = Array.from(alignedStarts(zone, interval, from, to));
        assert.deepEqual(actual, expected);
        for (const t of actual) assert.ok(isAlignedStart(zone, interval, t));
      },
    ),
    { numRuns: 200 },
  );
});

test('alignedStarts over 90 days at 1 minute costs no Intl call per start', (t) => {
  // Counted, not timed: two Intl calls per UTC day first seen, about 20 per offset change.
  const formatToParts = t.mock.method(Intl.DateTimeFormat.prototype, 'formatToParts');
  const from = Date.UTC(2031, 0, 1);
  const starts = alignedStarts('America/New_York', 1, from, from + 90 * 24 * HOUR);
  assert.equal(starts.length, 90 * 1440);
  assert.ok(formatToParts.mock.callCount() > 0);
  assert.ok(formatToParts.mock.callCount() <= 2 * 90 + 40, `${formatToParts.mock.callCount()} calls`);
});
