/**
 * Wall-clock ↔ instant conversion for the iCalendar expander. A zone is reduced to one function,
 * `offsetAtMs(instant) → ms east of UTC`; IANA zones get it from a cached Intl.DateTimeFormat,
 * VTIMEZONE definitions from vtimezone.ts. The gap/overlap rule lives here once for both.
 */

const DAY_MS = 86_400_000;

/** Offset (ms east of UTC, e.g. +3_600_000 for CET) of a zone at an instant. */
export type OffsetAt = (instantMs: number) => number;

/** Local calendar fields; month is 1-12. */
export type WallTime = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
};

/** The wall-clock fields read as if they were UTC: a plain number that sorts like wall time. */
export function wallMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/**
 * The instant a wall-clock time denotes in a zone, following RFC 5545 3.3.5: a time repeated by
 * a fall-back transition means its first occurrence; a time skipped by spring-forward is read
 * with the offset in force before the gap (New York 02:30 on spring-forward day → 03:30 EDT).
 * Assumes no two transitions lie within two days of each other, true of every real zone.
 */
export function wallToInstant(localMs: number, offsetAt: OffsetAt): number {
  const before = offsetAt(localMs - DAY_MS);
  const after = offsetAt(localMs + DAY_MS);
  if (before === after) return localMs - before;
  const early = localMs - before;
  const late = localMs - after;
  const earlyValid = offsetAt(early) === before;
  const lateValid = offsetAt(late) === after;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (lateValid) return late;
  return early;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();
const zoneDayOffsets = new Map<string, Map<number, number>>();
/** Bounds memory: a zone's day cache is dropped and rebuilt once it holds this many days. */
const MAX_CACHED_DAYS_PER_ZONE = 20_000;
const MIXED_DAY = Number.NaN;

function formatterFor(zone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      formatter = null;
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True when Intl knows the zone name (IANA names and aliases such as `US/Eastern`). */
export function isKnownZone(zone: string): boolean {
  return formatterFor(zone) !== null;
}

function rawOffset(formatter: Intl.DateTimeFormat, instantMs: number): number {
  // Whole seconds only: formatToParts drops milliseconds.
  const secondMs = Math.floor(instantMs / 1000) * 1000;
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(secondMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const local = Date.UTC(
    fields.year!,
    fields.month! - 1,
    fields.day!,
    fields.hour!,
    fields.minute!,
    fields.second!,
  );
  return local - secondMs;
}

/**
 * Offset function of an IANA zone, or null when Intl does not know the name. Offsets are cached
 * per UTC day: a day whose first and last second share an offset is stored as one number, so
 * expanding thousands of occurrences costs a map lookup each instead of a formatToParts call.
 */
export function ianaOffsetAt(zone: string): OffsetAt | null {
  const formatter = formatterFor(zone);
  if (formatter === null) return null;
  let days = zoneDayOffsets.get(zone);
  if (days === undefined) {
    days = new Map();
    zoneDayOffsets.set(zone, days);
  }
  const cache = days;
  return (instantMs) => {
    const day = Math.floor(instantMs / DAY_MS);
    let offset = cache.get(day);
    if (offset === undefined) {
      const first = rawOffset(formatter, day * DAY_MS);
      const last = rawOffset(formatter, day * DAY_MS + DAY_MS - 1000);
      offset = first === last ? first : MIXED_DAY;
      if (cache.size >= MAX_CACHED_DAYS_PER_ZONE) cache.clear();
      cache.set(day, offset);
    }
    return Number.isNaN(offset) ? rawOffset(formatter, instantMs) : offset;
  };
}

export const utcOffsetAt: OffsetAt = () => 0;
