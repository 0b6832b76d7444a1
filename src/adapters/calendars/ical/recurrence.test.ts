import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { wallMs } from '../../../domain/time/wall-clock.ts';
import { rruleOccurrences } from './recurrence.ts';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** Occurrences in (afterMs, untilMs) walking ical.js from the real DTSTART: the slow reference. */
function reference(rule: ICAL.Recur, dtstart: ICAL.Time, afterMs: number, untilMs: number): number[] {
  const iterator = rule.iterator(dtstart);
  const found: number[] = [];
  for (let next = iterator.next(); next; next = iterator.next()) {
    const localMs = wallMs(next);
    if (localMs >= untilMs) break;
    if (localMs > afterMs) found.push(localMs);
  }
  return found;
}

function fast(rule: ICAL.Recur, dtstart: ICAL.Time, afterMs: number, untilMs: number): number[] {
  const found: number[] = [];
  for (const localMs of rruleOccurrences(rule, dtstart, afterMs, 'test')) {
    if (localMs >= untilMs) break;
    if (localMs > afterMs) found.push(localMs);
  }
  return found;
}

const ruleText = fc.oneof(
  fc
    .record({
      freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'HOURLY'),
      interval: fc.integer({ min: 1, max: 4 }),
      count: fc.option(fc.integer({ min: 1, max: 80 }), { nil: null }),
    })
    .map(({ freq, interval, count }) => `FREQ=${freq};INTERVAL=${interval}${count ? `;COUNT=${count}` : ''}`),
  fc
    .record({
      interval: fc.integer({ min: 1, max: 3 }),
      days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 4 }),
      wkst: fc.constantFrom('MO', 'SU'),
      count: fc.option(fc.integer({ min: 1, max: 80 }), { nil: null }),
    })
    .map(
      ({ interval, days, wkst, count }) =>
        `FREQ=WEEKLY;INTERVAL=${interval};BYDAY=${days.join(',')};WKST=${wkst}${count ? `;COUNT=${count}` : ''}`,
    ),
  fc.constantFrom(
    'FREQ=MONTHLY;BYDAY=-1FR',
    'FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU',
    'FREQ=MONTHLY;BYMONTHDAY=1,15,-1',
    'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    'FREQ=YEARLY;BYMONTH=3,9;BYDAY=1SU',
    'FREQ=DAILY;BYDAY=MO,WE,FR',
    'FREQ=DAILY;INTERVAL=3;BYHOUR=9,17',
    'FREQ=WEEKLY;BYDAY=1MO',
  ),
);

describe('rruleOccurrences', () => {
  test('skipping ahead gives the same instances as walking from DTSTART', () => {
    fc.assert(
      fc.property(
        ruleText,
        fc.date({
          min: new Date('2022-01-01T00:00:00Z'),
          max: new Date('2025-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 900 }),
        (text, start, seekDays) => {
          const dtstart = ICAL.Time.fromDateTimeString(start.toISOString().slice(0, 19));
          const rule = ICAL.Recur.fromString(text);
          const afterMs = wallMs(dtstart) + seekDays * DAY_MS;
          const untilMs = afterMs + 40 * DAY_MS;
          assert.deepEqual(
            fast(rule, dtstart, afterMs, untilMs),
            reference(rule, dtstart, afterMs, untilMs),
            text,
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  test('a weekly series started two years ago is reached without walking its past', () => {
    const dtstart = ICAL.Time.fromDateTimeString('2024-11-25T09:00:00');
    const rule = ICAL.Recur.fromString('FREQ=WEEKLY;BYDAY=MO');
    const seek = Date.UTC(2026, 10, 20);
    const first = rruleOccurrences(rule, dtstart, seek, 'test')[Symbol.iterator]().next().value;
    // The first yielded instance is at most one period before the seek point.
    assert.ok(first !== undefined && first > seek - 7 * DAY_MS && first <= seek + 7 * DAY_MS);
  });
});
