/**
 * Time-zone helpers over `Intl` (no process zone is ever consulted: every function takes the zone).
 * One `Intl.DateTimeFormat` per zone is cached. Offsets are in milliseconds and positive east of
 * Greenwich: `wall clock = instant + offset`. Offset changes are found by offsets.ts's one search,
 * once per zone and UTC day.
 */

import { type OffsetStretch, offsetStretchesOf, stretchInstant } from './offsets.ts';
import type { PackedArena } from './packed-arena.ts';

export type { OffsetStretch } from './offsets.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC';
}

/**
 * True for a time-zone name `Intl` knows (IANA names such as `Europe/London`, and `UTC`).
 * Raw offsets such as `+05:30` are rejected: the API speaks IANA `tzid`s only.
 */
export function isValidTimeZone(tzid: string): boolean {
  if (typeof tzid !== 'string' || tzid.length === 0 || /^[+-]/.test(tzid)) return false;
  if (formatters.has(tzid)) return true;
  try {
    formatterFor(tzid);
    return true;
  } catch {
    return false;
  }
}

const dayOffsets = new Map<string, Map<number, number>>();
/** Bounds memory: a zone's day cache is dropped and rebuilt once it holds this many days. */
const MAX_CACHED_DAYS_PER_ZONE = 20_000;

/**
 * Offset of `zone` from UTC at `instant`, in ms (e.g. 19 800 000 for Asia/Kolkata). Cached per UTC
 * day: a day whose first and last second share an offset is stored as one number, so callers that
 * convert thousands of instants (recurrence expansion, rule expansion) pay a map lookup each; days
 * with a transition are answered exactly every time.
 */
export function zoneOffsetMs(zone: string, instant: number): number {
  if (isUtc(zone)) return 0;
  let days = dayOffsets.get(zone);
  if (days === undefined) {
    days = new Map();
    dayOffsets.set(zone, days);
  }
  const day = Math.floor(instant / DAY_MS);
  let offset = days.get(day);
  if (offset === undefined) {
    const first = rawZoneOffsetMs(zone, day * DAY_MS);
    const last = rawZoneOffsetMs(zone, day * DAY_MS + DAY_MS - 1000);
    offset = first === last ? first : Number.NaN;
    if (days.size >= MAX_CACHED_DAYS_PER_ZONE) days.clear();
    days.set(day, offset);
  }
  return Number.isNaN(offset) ? rawZoneOffsetMs(zone, instant) : offset;
}

function rawZoneOffsetMs(zone: string, instant: number): number {
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  const parts = formatterFor(zone).formatToParts(wholeSecond);
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of parts) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      case 'era':
        bc = part.value.startsWith('B');
        break;
    }
  }
  if (bc) year = 1 - year;
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  return wall.getTime() - wholeSecond;
}

/** Wall-clock fields of an instant in a zone. `weekday`: 0 = Sunday … 6 = Saturday. */
export type LocalParts = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly weekday: number;
  readonly offsetMs: number;
};

export function localParts(zone: string, instant: number): LocalParts {
  const offsetMs = zoneOffsetMs(zone, instant);
  const wall = new Date(instant + offsetMs);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    millisecond: wall.getUTCMilliseconds(),
    weekday: wall.getUTCDay(),
    offsetMs,
  };
}

/**
 * Transition-free stretches of each UTC day, per zone, memoised: a zone's offsets at an instant
 * never change while the process runs, and every query over the same days needs the same ones.
 * Bounded: cleared when it grows past MAX_CACHED_DAYS entries.
 */
const stretchesByDay = new Map<string, Map<number, OffsetStretch[]>>();
const MAX_CACHED_DAYS = 200_000;
let cachedDays = 0;

function dayStretches(zone: string, day: number): OffsetStretch[] {
  let days = stretchesByDay.get(zone);
  if (days === undefined) {
    days = new Map();
    stretchesByDay.set(zone, days);
  }
  let stretches = days.get(day);
  if (stretches !== undefined) return stretches;
  stretches = offsetStretchesOf((instant) => zoneOffsetMs(zone, instant), day * DAY_MS, (day + 1) * DAY_MS);
  if (cachedDays >= MAX_CACHED_DAYS) {
    stretchesByDay.clear();
    cachedDays = 0;
    days = new Map();
    stretchesByDay.set(zone, days);
  }
  days.set(day, stretches);
  cachedDays += 1;
  return stretches;
}

/**
 * Splits `[from, to)` into stretches of constant offset. Costs two `Intl` calls per UTC day the
 * first time a zone's day is seen (plus ~17 per transition, bisecting to the second), none after.
 */
export function offsetStretches(zone: string, from: number, to: number): OffsetStretch[] {
  if (!(from < to)) return [];
  if (isUtc(zone)) return [{ start: from, end: to, offsetMs: 0 }];
  const out: { start: number; end: number; offsetMs: number }[] = [];
  const lastDay = Math.floor((to - 1) / DAY_MS);
  for (let day = Math.floor(from / DAY_MS); day <= lastDay; day++) {
    for (const stretch of dayStretches(zone, day)) {
      const start = Math.max(stretch.start, from);
      const end = Math.min(stretch.end, to);
      if (!(start < end)) continue;
      const previous = out[out.length - 1];
      if (previous !== undefined && previous.offsetMs === stretch.offsetMs && previous.end === start)
        previous.end = end;
      else out.push({ start, end, offsetMs: stretch.offsetMs });
    }
  }
  return out;
}

/**
 * Every instant in `[from, to)` at which the wall clock of `zone` shows zero seconds and a
 * minute-of-day that is a multiple of `intervalMinutes` (SPEC 5.3), ascending. A repeated wall
 * time (fall back) yields both instants; a skipped one (spring forward) yields none. The count of
 * `Intl` calls does not depend on the number of starts: within each transition-free stretch the
 * aligned wall times are walked arithmetically.
 */
export function alignedStarts(
  zone: string,
  intervalMinutes: number,
  from: number,
  to: number,
  arena?: PackedArena,
): Float64Array {
  const stretches = offsetStretches(zone, from, to);
  // Written straight into one typed array (this runs for every query period of every request):
  // a stretch holds at most one start per interval, one more, and one more per midnight crossed
  // (minutes of the day restart there when the interval does not divide the day).
  let capacity = 0;
  for (const stretch of stretches) {
    const length = stretch.end - stretch.start;
    capacity += Math.floor(length / (intervalMinutes * MINUTE_MS)) + Math.ceil(length / DAY_MS) + 3;
  }
  const out = arena === undefined ? new Float64Array(capacity) : arena.alloc(capacity);
  let count = 0;
  for (const stretch of stretches) count = writeAlignedInStretch(out, count, intervalMinutes, stretch);
  return count === capacity ? out : out.subarray(0, count);
}

/** Writes the stretch's aligned wall times from `at`, each read as an instant by `stretchInstant`; returns the new count. */
function writeAlignedInStretch(
  out: Float64Array,
  at: number,
  interval: number,
  stretch: OffsetStretch,
): number {
  const localFrom = stretch.start + stretch.offsetMs;
  let localMinute = Math.ceil(localFrom / MINUTE_MS);
  let dayIndex = Math.floor(localMinute / MINUTES_PER_DAY);
  let minuteOfDay = localMinute - dayIndex * MINUTES_PER_DAY;
  minuteOfDay = Math.ceil(minuteOfDay / interval) * interval;
  if (minuteOfDay >= MINUTES_PER_DAY) {
    dayIndex++;
    minuteOfDay = 0;
  }
  let count = at;
  for (;;) {
    localMinute = dayIndex * MINUTES_PER_DAY + minuteOfDay;
    const instant = stretchInstant(stretch, localMinute * MINUTE_MS);
    if (Number.isNaN(instant)) return count; // past the stretch's end
    out[count++] = instant;
    minuteOfDay += interval;
    if (minuteOfDay >= MINUTES_PER_DAY) {
      dayIndex++;
      minuteOfDay = 0;
    }
  }
}

/** True when `instant` is an aligned start time (SPEC 5.3) in `zone` for `intervalMinutes`. */
export function isAlignedStart(zone: string, intervalMinutes: number, instant: number): boolean {
  const local = instant + zoneOffsetMs(zone, instant);
  if (local % MINUTE_MS !== 0) return false;
  const localMinute = local / MINUTE_MS;
  const minuteOfDay = localMinute - Math.floor(localMinute / MINUTES_PER_DAY) * MINUTES_PER_DAY;
  return minuteOfDay % intervalMinutes === 0;
}

/** The first aligned start time at or after `instant`. */
export function nextAlignedStart(zone: string, intervalMinutes: number, instant: number): number {
  for (let from = instant; ; from += 3 * DAY_MS) {
    const starts = alignedStarts(zone, intervalMinutes, from, from + 3 * DAY_MS);
    if (starts.length > 0) return starts[0]!;
  }
}

/** The first aligned start time in `[from, to)`, or `null` when there is none. */
export function firstAlignedStartIn(
  zone: string,
  intervalMinutes: number,
  from: number,
  to: number,
): number | null {
  for (let chunkStart = from; chunkStart < to; chunkStart += 2 * DAY_MS) {
    const starts = alignedStarts(zone, intervalMinutes, chunkStart, Math.min(to, chunkStart + 2 * DAY_MS));
    if (starts.length > 0) return starts[0]!;
  }
  return null;
}
