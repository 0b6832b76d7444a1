/**
 * Wall-clock ↔ instant conversion for the iCalendar expander. A zone is reduced to one function,
 * `offsetAtMs(instant) → ms east of UTC`; IANA zones get it from a cached Intl.DateTimeFormat,
 * VTIMEZONE definitions from vtimezone.ts. The gap/overlap rule lives here once for both.
 */
import { isValidTimeZone, zoneOffsetMs } from '../../../domain/time/zones.ts';

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

/** True when Intl knows the zone name (IANA names and aliases such as `US/Eastern`). */
export function isKnownZone(zone: string): boolean {
  return isValidTimeZone(zone);
}

/**
 * Offset function of an IANA zone, or null when Intl does not know the name. The domain's zone
 * helpers cache offsets per UTC day, so expanding thousands of occurrences stays cheap.
 */
export function ianaOffsetAt(zone: string): OffsetAt | null {
  if (!isValidTimeZone(zone)) return null;
  return (instantMs) => zoneOffsetMs(zone, instantMs);
}

export const utcOffsetAt: OffsetAt = () => 0;
