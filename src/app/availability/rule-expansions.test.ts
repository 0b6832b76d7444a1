import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Interval } from '../../domain/time/intervals.ts';
import { expandWeeklyRules, type WeeklyPeriod, type WeeklyRule } from '../../domain/time/weekly-rules.ts';
import { RuleExpansions } from './rule-expansions.ts';

const DAY = 86_400_000;
const ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/Santiago',
  'UTC',
];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const clock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Periods on 15-minute (and some 1-minute) wall times, often across 01:00-03:00 where changes happen. */
const periodArb: fc.Arbitrary<WeeklyPeriod> = fc
  .record({
    day: fc.constantFrom(...DAYS),
    start: fc.oneof(
      fc.integer({ min: 0, max: 95 }).map((q) => q * 15),
      fc.integer({ min: 0, max: 1439 }),
    ),
    length: fc.oneof(
      fc.integer({ min: 1, max: 96 }).map((q) => q * 15),
      fc.integer({ min: 1, max: 300 }),
    ),
  })
  .map(({ day, start, length }) => ({
    day,
    startTime: clock(start),
    endTime: clock(Math.min(1440, start + length)),
  }));

const ruleArb: fc.Arbitrary<WeeklyRule> = fc.record({
  tzid: fc.constantFrom(...ZONES),
  weeklyPeriods: fc.array(periodArb, { minLength: 0, maxLength: 8 }),
});

/** Windows around 2026-2028 (every zone's changes in reach), from minutes to a quarter year long. */
const windowArb: fc.Arbitrary<Interval> = fc
  .record({
    start: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }),
    length: fc.oneof(fc.integer({ min: -DAY, max: 3 * DAY }), fc.integer({ min: DAY, max: 95 * DAY })),
  })
  .map(({ start, length }) => ({ start, end: start + length }));

/** Windows near one another (so kept spans are reused and extended at both ends), or anywhere. */
const callsArb = fc.oneof(
  fc.array(fc.record({ rules: fc.array(ruleArb, { maxLength: 3 }), window: windowArb }), {
    minLength: 1,
    maxLength: 6,
  }),
  fc
    .tuple(
      fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }),
      fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
      fc.array(
        fc.tuple(fc.integer({ min: -60 * DAY, max: 60 * DAY }), fc.integer({ min: 0, max: 40 * DAY })),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
    )
    .map(([base, rules, offsets]) =>
      offsets.map(([offset, length]) => ({
        rules,
        window: { start: base + offset, end: base + offset + length },
      })),
    ),
);

test('cached expansion equals expandWeeklyRules for random rules, zones and windows, one cache across calls', () => {
  fc.assert(
    fc.property(callsArb, fc.integer({ min: 1, max: 4000 }), (calls, maxOccurrences) => {
      const cache = new RuleExpansions({ maxOccurrences, maxDaysPerRule: 200 });
      for (const { rules, window } of calls) {
        assert.deepEqual(
          expandWeeklyRules(rules, window, cache.occurrences),
          expandWeeklyRules(rules, window),
        );
      }
    }),
    { numRuns: 400 },
  );
});

test('a rule changed between calls is expanded anew (its key is its content)', () => {
  fc.assert(
    fc.property(ruleArb, ruleArb, windowArb, windowArb, (before, after, first, second) => {
      const cache = new RuleExpansions();
      // The same rule id's content changes between the two requests.
      assert.deepEqual(
        expandWeeklyRules([before], first, cache.occurrences),
        expandWeeklyRules([before], first),
      );
      assert.deepEqual(
        expandWeeklyRules([after], second, cache.occurrences),
        expandWeeklyRules([after], second),
      );
      assert.deepEqual(
        expandWeeklyRules([before], second, cache.occurrences),
        expandWeeklyRules([before], second),
      );
    }),
    { numRuns: 200 },
  );
});

const nineToFive: WeeklyRule = {
  tzid: 'Europe/London',
  weeklyPeriods: DAYS.slice(1, 6).map((day) => ({ day, startTime: '09:00', endTime: '17:00' })),
};

test('a window inside what a rule has kept expands nothing; an adjoining one only the new dates', () => {
  const cache = new RuleExpansions();
  const start = Date.UTC(2027, 2, 1);
  expandWeeklyRules([nineToFive], { start, end: start + 90 * DAY }, cache.occurrences);
  assert.equal(cache.expanded, 1);
  expandWeeklyRules([nineToFive], { start: start + 10 * DAY, end: start + 40 * DAY }, cache.occurrences);
  assert.equal(cache.expanded, 1, 'reused');
  const kept = cache.size;
  expandWeeklyRules([nineToFive], { start: start + 80 * DAY, end: start + 100 * DAY }, cache.occurrences);
  assert.equal(cache.expanded, 2);
  assert.ok(cache.size > kept && cache.size <= kept + 10 * 5, 'only the ten new days were added');
  // Same content under another name (another account's rule) shares the entry.
  expandWeeklyRules([{ ...nineToFive }], { start, end: start + 30 * DAY }, cache.occurrences);
  assert.equal(cache.expanded, 2);
  assert.equal(cache.rules, 1);
});

test('the cache keeps at most its bounds, dropping the least recently used rule first', () => {
  const cache = new RuleExpansions({ maxOccurrences: 200, maxRules: 3 });
  const start = Date.UTC(2027, 0, 4);
  const window = { start, end: start + 14 * DAY };
  const rule = (hour: number): WeeklyRule => ({
    tzid: 'America/New_York',
    weeklyPeriods: [{ day: 'monday', startTime: clock(hour * 60), endTime: clock(hour * 60 + 30) }],
  });
  for (let hour = 0; hour < 5; hour++) expandWeeklyRules([rule(hour)], window, cache.occurrences);
  assert.equal(cache.rules, 3);
  expandWeeklyRules([rule(4)], window, cache.occurrences);
  assert.equal(cache.expanded, 5, 'the most recent rule is still kept');
  expandWeeklyRules([rule(0)], window, cache.occurrences);
  assert.equal(cache.expanded, 6, 'the oldest was dropped');

  const small = new RuleExpansions({ maxOccurrences: 20 });
  const big = expandWeeklyRules([nineToFive], { start, end: start + 60 * DAY }, small.occurrences);
  assert.equal(big.length, 44, 'answered');
  assert.equal(small.rules, 0, 'but a rule over the whole budget is not kept');
  expandWeeklyRules([rule(1)], window, small.occurrences);
  assert.equal(small.rules, 1);
  assert.ok(small.size <= 20);
});
