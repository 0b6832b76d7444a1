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
 * The intervals of `rules` that meet `window`, merged (sorted, disjoint, non-touching). Periods are
 * whole (not clipped to the window). Costs O(rules × days in the window), plus a few cached offset
 * lookups per occurrence.
 */
export function expandWeeklyRules(rules: readonly WeeklyRule[], window: Interval): Interval[] {
  if (!(window.start < window.end)) return [];
  const out: Interval[] = [];
  for (const rule of rules) {
    const offsetAt = zoneOffsetAt(rule.tzid) ?? utcOffsetAt;
    const byWeekday = WEEKDAYS.map((day) =>
      rule.weeklyPeriods
        .filter((p) => p.day === day)
        .map((p) => ({ start: minutesOf(p.startTime), end: minutesOf(p.endTime) })),
    );
    // An occurrence on local date D lies within D's wall day (at most ~26 real hours with a change),
    // so the local dates of window.start - 1 day to window.end + 1 day cover every one that meets it.
    const first = localParts(rule.tzid, window.start - DAY_MS);
    const last = localParts(rule.tzid, window.end + DAY_MS);
    const lastDateMs = Date.UTC(last.year, last.month - 1, last.day);
    for (
      let dateMs = Date.UTC(first.year, first.month - 1, first.day);
      dateMs <= lastDateMs;
      dateMs += DAY_MS
    ) {
      for (const period of byWeekday[new Date(dateMs).getUTCDay()]!) {
        const start = wallToInstant(dateMs + period.start * MINUTE_MS, offsetAt);
        const end = wallToInstant(dateMs + period.end * MINUTE_MS, offsetAt);
        if (start < end && start < window.end && end > window.start) out.push({ start, end });
      }
    }
  }
  return mergeIntervals(out);
}
