/**
 * The one offset-change search and the one wall-clock conversion (src/domain/time/offsets.ts),
 * held together across zones with DST of every kind: half-hour (Lord Howe), 45-minute offsets
 * (Chatham), negative DST (Dublin), midnight transitions (Santiago), none (Kolkata). Each reader
 * that uses them (IANA offsets and aligned starts, weekly rules' conversion, the serializer's
 * VTIMEZONE, the VTIMEZONE reader) is checked against a plain reference: Intl's offset per instant.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { busyIntervalsFromICalendar } from '../../src/adapters/calendars/ical/expand.ts';
import { serializeEvents } from '../../src/domain/icalendar/serialize.ts';
import { offsetStretchesOf, wallToInstant } from '../../src/domain/time/offsets.ts';
import { zoneOffsetAt } from '../../src/domain/time/wall-clock.ts';
import { alignedStarts, offsetStretches } from '../../src/domain/time/zones.ts';

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'America/Santiago',
  'America/Sao_Paulo',
] as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The reference: Intl's wall clock at an instant, read as UTC, without any cache of rtseq's. */
const referenceFormats = new Map<string, Intl.DateTimeFormat>();
function referenceWall(zone: string, instant: number): number {
  let format = referenceFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    referenceFormats.set(zone, format);
  }
  const parts = format.formatToParts(Math.floor(instant / 1000) * 1000);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}
const referenceOffset = (zone: string, instant: number) =>
  referenceWall(zone, instant) - Math.floor(instant / 1000) * 1000;

const zone = fc.constantFrom(...ZONES);
/** Whole seconds from 2000 to 2040, biased to within a day of March, April, October and November. */
const instant = fc.oneof(
  fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 }).map((s) => s * 1000),
  fc
    .tuple(
      fc.integer({ min: 2000, max: 2039 }),
      fc.constantFrom(2, 3, 8, 9, 10),
      fc.integer({ min: 0, max: 31 * 24 * 3600 }),
    )
    .map(([year, month, second]) => Date.UTC(year, month, 1) + second * 1000),
);

test('the search: stretches cover the window, adjacent, each with the reference offset throughout', () => {
  fc.assert(
    fc.property(zone, instant, fc.integer({ min: 1, max: 20 * DAY }), (z, from, length) => {
      const to = from + length;
      for (const stretches of [
        offsetStretches(z, from, to),
        offsetStretchesOf(zoneOffsetAt(z)!, from, to, DAY),
      ]) {
        assert.equal(stretches[0]!.start, from);
        assert.equal(stretches.at(-1)!.end, to);
        stretches.forEach((s, i) => {
          if (i > 0) assert.equal(s.start, stretches[i - 1]!.end);
          assert.ok(s.start < s.end);
          for (const at of [s.start, Math.floor((s.start + s.end) / 2), s.end - 1]) {
            assert.equal(s.offsetMs, referenceOffset(z, at), `${z} at ${new Date(at).toISOString()}`);
          }
          // A change is real: the second before a stretch still had the previous offset.
          if (i > 0) assert.equal(referenceOffset(z, s.start - 1000), stretches[i - 1]!.offsetMs);
        });
      }
    }),
    { numRuns: 150 },
  );
});

test('the conversion: every instant reads back, except the second occurrence of a repeated time', () => {
  fc.assert(
    fc.property(zone, instant, (z, t) => {
      const wall = referenceWall(z, t);
      const back = wallToInstant(wall, zoneOffsetAt(z)!);
      assert.equal(referenceWall(z, back), wall, 'the same wall time');
      if (back !== t) {
        // Only a fall-back repeats a wall time; the first occurrence is chosen (SPEC 5.1).
        assert.ok(back < t && t - back <= 2 * HOUR, `${z} ${new Date(t).toISOString()}`);
      }
    }),
    { numRuns: 400 },
  );
});

test('the conversion: a skipped wall time takes the offset before the gap', () => {
  fc.assert(
    fc.property(
      zone,
      fc.integer({ min: 2000, max: 2039 }),
      fc.nat(),
      fc.double({ min: 0.001, max: 0.999, noNaN: true }),
      (z, year, pick, within) => {
        const stretches = offsetStretches(z, Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1));
        const gaps = stretches.flatMap((s, i) =>
          i > 0 && s.offsetMs > stretches[i - 1]!.offsetMs
            ? [{ at: s.start, before: stretches[i - 1]!.offsetMs, after: s.offsetMs }]
            : [],
        );
        if (gaps.length === 0) return; // Kolkata, and years without DST
        const gap = gaps[pick % gaps.length]!;
        // A whole-second wall time strictly inside the skipped span [at + before, at + after).
        const span = (gap.after - gap.before) / 1000;
        const skipped = gap.at + gap.before + Math.max(1, Math.floor(span * within)) * 1000;
        assert.equal(wallToInstant(skipped, zoneOffsetAt(z)!), skipped - gap.before);
      },
    ),
    { numRuns: 200 },
  );
});

test('aligned starts are exactly the instants whose reference wall clock shows an aligned minute', () => {
  fc.assert(
    fc.property(zone, instant, fc.constantFrom(15, 30, 60), (z, from, interval) => {
      const to = from + DAY;
      const starts = Array.from(alignedStarts(z, interval, from, to));
      const expected: number[] = [];
      for (let t = Math.ceil(from / 60_000) * 60_000; t < to; t += 60_000) {
        const wall = referenceWall(z, t);
        if (wall % 60_000 === 0 && (wall / 60_000) % interval === 0) expected.push(t);
      }
      assert.deepEqual(starts, expected);
    }),
    { numRuns: 30 },
  );
});

test("the serializer's VTIMEZONE read back by the VTIMEZONE reader gives every event its instants", () => {
  fc.assert(
    fc.property(zone, instant, fc.integer({ min: 1, max: 600 }), (z, start, minutes) => {
      const end = start + minutes * 60_000;
      const text = serializeEvents([{ uid: 'u@rtseq', summary: 'x', start, end, tzid: z }], {
        prodId: '-//rtseq//test//EN',
        dtstamp: 0,
      });
      // A TZID no runtime knows: the reader must use the file's own VTIMEZONE.
      const custom = text.replaceAll(z, 'Custom/Zone');
      const window = { start: start - DAY, end: end + DAY };
      for (const ics of [text, custom]) {
        assert.deepEqual(busyIntervalsFromICalendar(ics, window, 'UTC'), [{ start, end }], ics);
      }
    }),
    { numRuns: 150 },
  );
});
