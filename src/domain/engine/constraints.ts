/**
 * Availability constraints (SPEC 5.1, Cronofy's `availability_constraints`): at most `limit` events
 * per calendar day, ISO week or calendar month in a zone. Pure: the caller hands in the events that
 * count (the application's own, not cancelled, plus live holds) and the engine's window; the result
 * is prepared once per member and request and read by every slot test.
 */
import type { Interval } from '../time/intervals.ts';
import { startOfLocalDate } from '../time/wall-clock.ts';
import { localParts } from '../time/zones.ts';

export type ConstraintPeriod = 'day' | 'week' | 'month';

export const CONSTRAINT_PERIODS: readonly ConstraintPeriod[] = ['day', 'week', 'month'];

/** One item of a member's `availability_constraints`, validated. */
export type AvailabilityConstraint = {
  /** At least 1. */
  readonly limit: number;
  readonly period: ConstraintPeriod;
  /** A valid IANA zone (the wire default is UTC). */
  readonly tzid: string;
  /** When given (non-empty), only events carrying at least one of these values count. */
  readonly tags: readonly string[] | null;
};

/** An event as a constraint counts it: where it starts and its tag values. */
export type CountedEvent = { readonly startMs: number; readonly tags: readonly string[] };

/** One period of one constraint and how many more slots the member may take in it (≥ 0). */
export type LoadPeriod = { readonly start: number; readonly end: number; readonly remaining: number };

/** One constraint's periods over the window, ascending and contiguous. */
export type ConstraintLoad = {
  readonly constraint: AvailabilityConstraint;
  readonly periods: readonly LoadPeriod[];
};

/**
 * A member's load limits over one request's window. `full` is the union of the periods in which
 * the member can take no further slot (`remaining` 0 for some constraint): a slot may not start
 * there. `constraints` keeps every period with its remaining capacity, for options in which the
 * member takes several steps (each counts) and for explanations (`constraint_limit`).
 */
export type MemberLoad = {
  readonly constraints: readonly ConstraintLoad[];
  /** Sorted, disjoint, merged. */
  readonly full: readonly Interval[];
};

const DAY_MS = 86_400_000;

/**
 * The period of `period` in `tzid` that contains `instant`: a calendar day, an ISO week (Monday
 * 00:00 to the next Monday 00:00) or a calendar month, from local midnight to local midnight (a
 * midnight skipped by a transition starts the period at the transition, as all-day dates do).
 */
export function constraintPeriodAt(period: ConstraintPeriod, tzid: string, instant: number): Interval {
  const local = localParts(tzid, instant);
  let year = local.year;
  let month = local.month;
  let day = local.day;
  if (period === 'month') day = 1;
  if (period === 'week') day -= (local.weekday + 6) % 7; // weekday 0 is Sunday; ISO weeks start Monday
  // Date.UTC normalises day and month overflow (day 0, day 32, month 13), so the arithmetic above and
  // below stays on real dates.
  const first = new Date(Date.UTC(year, month - 1, day));
  year = first.getUTCFullYear();
  month = first.getUTCMonth() + 1;
  day = first.getUTCDate();
  const next =
    period === 'month'
      ? new Date(Date.UTC(year, month, 1))
      : new Date(Date.UTC(year, month - 1, day + (period === 'week' ? 7 : 1)));
  const start = startOfLocalDate(tzid, year, month, day);
  const end = startOfLocalDate(tzid, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
  // A zone that skipped a whole date (Pacific/Kiritimati on 1994-12-31) still yields a non-empty
  // period containing the instant.
  return end > instant ? { start, end } : { start, end: start + DAY_MS };
}

/** At most this many periods per constraint (requests span at most 90 days; this stops a runaway). */
const MAX_PERIODS = 4000;

/**
 * Periods by (period, zone, instant) for instants that were a period's end: every member of a
 * request, and the next request over a window starting a little later, walks the same boundaries,
 * and finding them (zone offsets around two local midnights) is most of the cost of preparing a
 * member's load. Keyed by value, so sharing them is invisible to callers; oldest out first.
 */
const periodMemo = new Map<string, Interval>();
const PERIOD_MEMO_MAX = 8192;

/** The periods of the last few windows asked for (every member of a request shares one). */
const coveringMemo = new Map<string, readonly Interval[]>();
const COVERING_MEMO_MAX = 64;

function periodStartingAt(period: ConstraintPeriod, tzid: string, at: number): Interval {
  const key = `${period}|${tzid}|${at}`;
  const known = periodMemo.get(key);
  if (known !== undefined) return known;
  const found = constraintPeriodAt(period, tzid, at);
  if (periodMemo.size >= PERIOD_MEMO_MAX) periodMemo.delete(periodMemo.keys().next().value!);
  periodMemo.set(key, found);
  return found;
}

/**
 * Every period of `period` in `tzid` meeting `[window.start, window.end)`, ascending and touching.
 */
export function constraintPeriodsCovering(
  period: ConstraintPeriod,
  tzid: string,
  window: Interval,
): readonly Interval[] {
  const key = `${period}|${tzid}|${window.start}|${window.end}`;
  const known = coveringMemo.get(key);
  if (known !== undefined) return known;
  const out: Interval[] = [];
  if (coveringMemo.size >= COVERING_MEMO_MAX) coveringMemo.delete(coveringMemo.keys().next().value!);
  coveringMemo.set(key, out);
  if (!(window.start < window.end)) return out;
  let current = constraintPeriodAt(period, tzid, window.start);
  out.push(current);
  while (current.end < window.end && out.length < MAX_PERIODS) {
    current = periodStartingAt(period, tzid, current.end);
    out.push(current);
  }
  return out;
}

/** The values of a wire `tags` object (`{"private": [{"value": …}]}`), as events store it. */
export function tagValuesOf(tags: unknown): string[] | null {
  if (typeof tags !== 'object' || tags === null) return null;
  const list = (tags as { private?: unknown }).private;
  if (!Array.isArray(list)) return null;
  const values = list
    .map((item) =>
      typeof item === 'object' && item !== null ? (item as { value?: unknown }).value : undefined,
    )
    .filter((value): value is string => typeof value === 'string');
  return values.length === 0 ? null : values;
}

/** Whether an event with these tag values counts for the constraint. */
export function countsFor(constraint: AvailabilityConstraint, tags: readonly string[]): boolean {
  if (constraint.tags === null || constraint.tags.length === 0) return true;
  for (const tag of tags) if (constraint.tags.includes(tag)) return true;
  return false;
}

/** The window the counted events must be read for: `window` widened to whole periods of every constraint. */
export function countingWindow(constraints: readonly AvailabilityConstraint[], window: Interval): Interval {
  let start = window.start;
  let end = window.end;
  if (!(window.start < window.end)) return window;
  for (const constraint of constraints) {
    start = Math.min(start, constraintPeriodAt(constraint.period, constraint.tzid, window.start).start);
    end = Math.max(end, constraintPeriodAt(constraint.period, constraint.tzid, window.end - 1).end);
  }
  return { start, end };
}

/**
 * Prepares a member's load limits once per request: for each constraint, every period meeting
 * `window` with `limit − counted events starting in it` (never below 0), and the union of the full
 * periods. `null` when there are no constraints (the engine's fast path).
 */
export function prepareMemberLoad(
  constraints: readonly AvailabilityConstraint[],
  events: readonly CountedEvent[],
  window: Interval,
): MemberLoad | null {
  if (constraints.length === 0) return null;
  const starts = events.map((event) => event.startMs);
  const order = starts.map((_, i) => i).sort((a, b) => starts[a]! - starts[b]!);
  const loads: ConstraintLoad[] = [];
  const full: Interval[] = [];
  for (const constraint of constraints) {
    const periods: LoadPeriod[] = [];
    let cursor = 0;
    for (const period of constraintPeriodsCovering(constraint.period, constraint.tzid, window)) {
      while (cursor < order.length && starts[order[cursor]!]! < period.start) cursor++;
      let counted = 0;
      for (let k = cursor; k < order.length && starts[order[k]!]! < period.end; k++) {
        if (countsFor(constraint, events[order[k]!]!.tags)) counted++;
      }
      const remaining = Math.max(0, constraint.limit - counted);
      periods.push({ start: period.start, end: period.end, remaining });
      if (remaining === 0) full.push(period);
    }
    loads.push({ constraint, periods });
  }
  return { constraints: loads, full: mergeSorted(full) };
}

function mergeSorted(intervals: Interval[]): Interval[] {
  intervals.sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const interval of intervals) {
    const last = out[out.length - 1];
    if (last !== undefined && interval.start <= last.end) {
      if (interval.end > last.end) out[out.length - 1] = { start: last.start, end: interval.end };
    } else out.push(interval);
  }
  return out;
}

/** The period of `load` containing `instant`, or undefined outside the prepared window. */
export function loadPeriodAt(load: ConstraintLoad, instant: number): LoadPeriod | undefined {
  const periods = load.periods;
  let lo = 0;
  let hi = periods.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (periods[mid]!.end <= instant) lo = mid + 1;
    else hi = mid;
  }
  const found = periods[lo];
  return found !== undefined && found.start <= instant ? found : undefined;
}

/**
 * Whether a member may take slots starting at every one of `starts` (the starts of the steps of one
 * option it takes part in): for each constraint, the slots starting in one period stay within that
 * period's remaining capacity. A start outside the prepared window does not fit (its period was
 * not counted).
 */
export function fitsLoad(load: MemberLoad, starts: readonly number[]): boolean {
  for (const constraintLoad of load.constraints) {
    const taken = new Map<LoadPeriod, number>();
    for (const start of starts) {
      const period = loadPeriodAt(constraintLoad, start);
      if (period === undefined) return false;
      const count = (taken.get(period) ?? 0) + 1;
      if (count > period.remaining) return false;
      taken.set(period, count);
    }
  }
  return true;
}
