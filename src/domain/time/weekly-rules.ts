/**
 * Weekly availability rules (reference 8.1) as instants: pure time algebra over the one wall-clock
 * conversion (SPEC 5.1). Each period's start and end are wall times of one local date, each read by
 * `wallToInstant`: a skipped time takes the offset before the change, a repeated one its first
 * occurrence. So on New York's spring-forward day 02:00-04:00 is 07:00Z-08:00Z and 01:30-02:30 is
 * 06:30Z-07:30Z; a period whose ends collapse or cross is empty that day.
 */
import { type Interval, mergeIntervals } from './intervals.ts';
import { utcOffsetAt, wallToInstant, zoneOffsetAt } from './wall-clock.ts';
import { localParts } from './zones.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** `startTime`/`endTime` are `HH:MM` wall times; `endTime` may be `24:00` (the next midnight). */
export type WeeklyPeriod = { readonly day: string; readonly startTime: string; readonly endTime: string };

export type WeeklyRule = { readonly tzid: string; readonly weeklyPeriods: readonly WeeklyPeriod[] };

const WEEKDAYS: readonly string[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/**
 * The occurrences of one rule that meet a window, whole and unmerged, in any order. The uncached
 * form is `ruleOccurrencesIn`; app/availability/rule-expansions.ts keeps them per rule content, so a rule is
 * expanded once and each request only picks the occurrences its window needs.
 */
export type RuleOccurrences = (rule: WeeklyRule, window: Interval) => readonly Interval[];

/** The first and last local dates (as `Date.UTC` of the date) whose occurrences may meet `window`. */
export function localDatesAround(tzid: string, window: Interval): { first: number; last: number } {
  // An occurrence on local date D lies within D's wall day (at most ~26 real hours with a change),
  // so the local dates of window.start - 1 day to window.end + 1 day cover every one that meets it.
  const first = localParts(tzid, window.start - DAY_MS);
  const last = localParts(tzid, window.end + DAY_MS);
  return {
    first: Date.UTC(first.year, first.month - 1, first.day),
    last: Date.UTC(last.year, last.month - 1, last.day),
  };
}

/**
 * Every non-empty occurrence of `rule` on the local dates `firstDateMs` to `lastDateMs` (each a
 * `Date.UTC` of a date), sorted by start (a skipped wall time reads with the offset before the
 * change, so local order and instant order can differ within a day).
 */
export function occurrencesOnDates(rule: WeeklyRule, firstDateMs: number, lastDateMs: number): Interval[] {
  const offsetAt = zoneOffsetAt(rule.tzid) ?? utcOffsetAt;
  const byWeekday = WEEKDAYS.map((day) =>
    rule.weeklyPeriods
      .filter((p) => p.day === day)
      .map((p) => ({ start: minutesOf(p.startTime), end: minutesOf(p.endTime) })),
  );
  const out: Interval[] = [];
  for (let dateMs = firstDateMs; dateMs <= lastDateMs; dateMs += DAY_MS) {
    for (const period of byWeekday[new Date(dateMs).getUTCDay()]!) {
      const start = wallToInstant(dateMs + period.start * MINUTE_MS, offsetAt);
      const end = wallToInstant(dateMs + period.end * MINUTE_MS, offsetAt);
      if (start < end) out.push({ start, end });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The occurrences of `rule` that meet `window`, computed now (the uncached `RuleOccurrences`). */
export const ruleOccurrencesIn: RuleOccurrences = (rule, window) => {
  if (!(window.start < window.end)) return [];
  const dates = localDatesAround(rule.tzid, window);
  return occurrencesOnDates(rule, dates.first, dates.last).filter(
    (o) => o.start < window.end && o.end > window.start,
  );
};

/**
 * The intervals of `rules` that meet `window`, merged (sorted, disjoint, non-touching). Periods are
 * whole (not clipped to the window). Uncached it costs O(rules × days in the window), plus a few
 * cached offset lookups per occurrence; `occurrences` may answer from a cache instead.
 */
export function expandWeeklyRules(
  rules: readonly WeeklyRule[],
  window: Interval,
  occurrences: RuleOccurrences = ruleOccurrencesIn,
): Interval[] {
  if (!(window.start < window.end)) return [];
  const out: Interval[] = [];
  for (const rule of rules) for (const o of occurrences(rule, window)) out.push(o);
  return mergeIntervals(out);
}
