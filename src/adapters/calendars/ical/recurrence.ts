import ICAL from 'ical.js';
import { wallMs } from '../../../domain/time/wall-clock.ts';
import { ExternalCalendarError } from '../errors.ts';

/**
 * RRULE occurrences as wall-clock milliseconds (local fields read as UTC, see wallMs), ascending,
 * starting near `seekLocalMs` instead of at DTSTART. UNTIL is left to the caller, which knows
 * which zone turns wall time into instants; COUNT is honoured here.
 *
 * Two strategies, chosen per rule (docs/external-calendars.md):
 * - simple rules (DAILY/WEEKLY with plain BYDAY, MONTHLY/YEARLY without BY parts, any INTERVAL and
 *   COUNT) are computed arithmetically: the first period at or after the seek point is found by
 *   division, so a series that began years ago costs the same as a new one;
 * - any other rule goes through ical.js's iterator, whose DTSTART is first moved forward by a
 *   whole number of INTERVAL periods (only without COUNT, which needs every earlier instance).
 */
export function rruleOccurrences(
  rule: ICAL.Recur,
  dtstart: ICAL.Time,
  seekLocalMs: number,
  uid: string,
): Iterable<number> {
  return simpleOccurrences(rule, dtstart, seekLocalMs) ?? icalOccurrences(rule, dtstart, seekLocalMs, uid);
}

const DAY_MS = 86_400_000;
/** Stops rules that would yield absurdly many instants (FREQ=SECONDLY for a year) or none at all. */
export const MAX_ITERATIONS_PER_RULE = 200_000;

const PLAIN_WEEKDAYS: Record<string, number> = { SU: 0, MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6 };

function byParts(rule: ICAL.Recur): string[] {
  return Object.keys(rule.parts).filter(
    (name) => (rule.parts as Record<string, unknown[]>)[name]!.length > 0,
  );
}

function simpleOccurrences(
  rule: ICAL.Recur,
  dtstart: ICAL.Time,
  seekLocalMs: number,
): Iterable<number> | null {
  const parts = byParts(rule);
  const interval = Math.max(1, rule.interval || 1);
  const count = rule.count ?? Number.POSITIVE_INFINITY;
  const startMs = wallMs(dtstart);
  switch (rule.freq) {
    case 'DAILY':
      if (parts.length > 0) return null;
      return stepByDays(startMs, interval, count, seekLocalMs);
    case 'WEEKLY': {
      if (parts.some((name) => name !== 'BYDAY')) return null;
      const startWeekday = new Date(startMs).getUTCDay();
      const days = rule.parts.BYDAY ?? [];
      if (days.some((day) => !(day in PLAIN_WEEKDAYS))) return null;
      const weekdays = days.length === 0 ? [startWeekday] : days.map((day) => PLAIN_WEEKDAYS[day]!);
      // An unsynchronised DTSTART (not one of the BYDAY days) is left to ical.js and the caller.
      if (!weekdays.includes(startWeekday)) return null;
      return stepByWeeks(startMs, interval, count, seekLocalMs, weekdays, rule.wkst - 1);
    }
    case 'MONTHLY':
      if (parts.length > 0 || dtstart.day > 28) return null;
      return stepByMonths(startMs, interval, count, seekLocalMs);
    case 'YEARLY':
      if (parts.length > 0 || (dtstart.month === 2 && dtstart.day === 29)) return null;
      return stepByMonths(startMs, interval * 12, count, seekLocalMs);
    default:
      return null;
  }
}

function* stepByDays(
  startMs: number,
  interval: number,
  count: number,
  seekLocalMs: number,
): Iterable<number> {
  const periodMs = interval * DAY_MS;
  const first = Math.max(0, Math.floor((seekLocalMs - startMs) / periodMs));
  for (let index = first; index < count; index++) yield startMs + index * periodMs;
}

function* stepByWeeks(
  startMs: number,
  interval: number,
  count: number,
  seekLocalMs: number,
  weekdays: readonly number[],
  weekStartDay: number,
): Iterable<number> {
  const startDay = Math.floor(startMs / DAY_MS);
  const timeOfDayMs = startMs - startDay * DAY_MS;
  const firstWeekStartDay = startDay - ((new Date(startMs).getUTCDay() - weekStartDay + 7) % 7);
  const offsets = [...new Set(weekdays.map((day) => (day - weekStartDay + 7) % 7))].sort((a, b) => a - b);
  const inFirstPeriod = offsets.filter((offset) => firstWeekStartDay + offset >= startDay).length;
  const periodDays = 7 * interval;
  const firstPeriod = Math.max(
    0,
    Math.floor((seekLocalMs - firstWeekStartDay * DAY_MS) / (periodDays * DAY_MS)),
  );
  for (let period = firstPeriod; ; period++) {
    const periodStartDay = firstWeekStartDay + period * periodDays;
    for (let slot = 0; slot < offsets.length; slot++) {
      const day = periodStartDay + offsets[slot]!;
      if (day < startDay) continue;
      const ordinal =
        period === 0
          ? slot - (offsets.length - inFirstPeriod)
          : inFirstPeriod + (period - 1) * offsets.length + slot;
      if (ordinal >= count) return;
      yield day * DAY_MS + timeOfDayMs;
    }
  }
}

function* stepByMonths(
  startMs: number,
  interval: number,
  count: number,
  seekLocalMs: number,
): Iterable<number> {
  const start = new Date(startMs);
  const seek = new Date(seekLocalMs);
  const monthsToSeek =
    (seek.getUTCFullYear() - start.getUTCFullYear()) * 12 + seek.getUTCMonth() - start.getUTCMonth() - 1;
  const first = Math.max(0, Math.floor(monthsToSeek / interval));
  for (let index = first; index < count; index++) {
    yield Date.UTC(
      start.getUTCFullYear(),
      start.getUTCMonth() + index * interval,
      start.getUTCDate(),
      start.getUTCHours(),
      start.getUTCMinutes(),
      start.getUTCSeconds(),
    );
  }
}

function* icalOccurrences(
  rule: ICAL.Recur,
  dtstart: ICAL.Time,
  seekLocalMs: number,
  uid: string,
): Iterable<number> {
  const unbounded = rule.clone();
  unbounded.until = null;
  let iterator: ICAL.RecurIterator;
  try {
    iterator = unbounded.iterator(fastForward(rule, dtstart, seekLocalMs));
  } catch (cause) {
    throw new ExternalCalendarError('parse_failed', `event ${uid}: invalid RRULE`, { cause });
  }
  for (let iteration = 0; iteration < MAX_ITERATIONS_PER_RULE; iteration++) {
    let next: ICAL.Time | null;
    try {
      next = iterator.next();
    } catch (cause) {
      throw new ExternalCalendarError('parse_failed', `event ${uid}: RRULE cannot be expanded`, { cause });
    }
    if (!next) return;
    yield wallMs(next);
  }
  throw new ExternalCalendarError('parse_failed', `event ${uid}: RRULE yields too many occurrences`);
}

/**
 * DTSTART moved forward by whole INTERVAL periods to at most `seekLocalMs`. The set of instances
 * after the moved start is unchanged because every BY part is evaluated relative to the period
 * (day, week from WKST, month, year), which a whole-period shift preserves; instances skipped
 * (and the moved DTSTART itself, which ical.js may yield even when unsynchronised) lie before the
 * seek point, which the caller puts a full event duration plus slack before the window.
 * Defaults taken from DTSTART (BYMONTHDAY for MONTHLY, BYMONTH+BYMONTHDAY for YEARLY) would change
 * if the day of month did not survive the move, so such starts are not moved.
 */
function fastForward(rule: ICAL.Recur, dtstart: ICAL.Time, seekLocalMs: number): ICAL.Time {
  if (rule.count !== null && rule.count !== undefined) return dtstart;
  const startMs = wallMs(dtstart);
  if (startMs >= seekLocalMs) return dtstart;
  const interval = Math.max(1, rule.interval || 1);
  const noByParts = byParts(rule).length === 0;
  let shiftedMs: number;
  switch (rule.freq) {
    case 'SECONDLY':
    case 'MINUTELY':
    case 'HOURLY': {
      if (!noByParts) return dtstart;
      const unitMs = rule.freq === 'SECONDLY' ? 1000 : rule.freq === 'MINUTELY' ? 60_000 : 3_600_000;
      shiftedMs = startMs + Math.floor((seekLocalMs - startMs) / (unitMs * interval)) * unitMs * interval;
      break;
    }
    case 'DAILY':
    case 'WEEKLY': {
      const periodMs = (rule.freq === 'DAILY' ? 1 : 7) * interval * DAY_MS;
      shiftedMs = startMs + Math.floor((seekLocalMs - startMs) / periodMs) * periodMs;
      break;
    }
    case 'MONTHLY':
    case 'YEARLY': {
      if (dtstart.day > 28) return dtstart;
      const start = new Date(startMs);
      const seek = new Date(seekLocalMs);
      const months =
        (seek.getUTCFullYear() - start.getUTCFullYear()) * 12 + seek.getUTCMonth() - start.getUTCMonth() - 1;
      const periodMonths = rule.freq === 'MONTHLY' ? interval : 12 * interval;
      const periods = Math.floor(months / periodMonths);
      if (periods <= 0) return dtstart;
      shiftedMs = Date.UTC(
        start.getUTCFullYear(),
        start.getUTCMonth() + periods * periodMonths,
        start.getUTCDate(),
        start.getUTCHours(),
        start.getUTCMinutes(),
        start.getUTCSeconds(),
      );
      break;
    }
    default:
      return dtstart;
  }
  const shifted = new Date(shiftedMs);
  return new ICAL.Time(
    {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: shifted.getUTCHours(),
      minute: shifted.getUTCMinutes(),
      second: shifted.getUTCSeconds(),
      isDate: dtstart.isDate,
    },
    dtstart.zone,
  );
}
