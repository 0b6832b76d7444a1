/**
 * The one wall-clock → instant conversion of rtseq (SPEC 5.1). Weekly availability rules, iCalendar
 * data (IANA zones and VTIMEZONE definitions alike), all-day dates and the booking page all read
 * local times through `wallToInstant`, so a DST gap or overlap means the same everywhere.
 *
 * A zone is reduced to one function, `offsetAt(instant) → ms east of UTC`.
 */
import { isValidTimeZone, localParts, zoneOffsetMs } from './zones.ts';

const DAY_MS = 86_400_000;

/** Offset (ms east of UTC, e.g. +3_600_000 for CET) of a zone at an instant. */
export type OffsetAt = (instantMs: number) => number;

/** Local calendar fields; month is 1-12. Out-of-range fields roll over as in `Date.UTC`. */
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
 * The instant a wall-clock time (`localMs`, see `wallMs`) denotes in a zone, following SPEC 5.1 and
 * RFC 5545 3.3.5: a time repeated by a fall-back transition means its **first** occurrence; a time
 * skipped by spring-forward is read with the offset in force **before** the gap (New York 02:30 on
 * spring-forward day → 07:30Z, which the clock shows as 03:30 EDT).
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
  // Either only the old offset reads back, or the time is skipped: the old offset either way.
  return early;
}

/** Offset function of an IANA zone name, or null when `Intl` does not know the name. */
export function zoneOffsetAt(zone: string): OffsetAt | null {
  if (!isValidTimeZone(zone)) return null;
  return (instantMs) => zoneOffsetMs(zone, instantMs);
}

export const utcOffsetAt: OffsetAt = () => 0;

/** `wallToInstant` for an IANA zone the caller has validated (unknown names read as UTC). */
export function zonedWallToInstant(zone: string, wall: WallTime): number {
  return wallToInstant(wallMs(wall), zoneOffsetAt(zone) ?? utcOffsetAt);
}

/**
 * First instant of a calendar date in a zone (all-day events, SPEC 5.1): its midnight read by
 * `wallToInstant`. Where a transition skips midnight (America/Santiago, America/Havana jump from
 * 23:59:59 to 01:00) that is the transition itself, the first instant of the date.
 */
export function startOfLocalDate(zone: string, year: number, month: number, day: number): number {
  return zonedWallToInstant(zone, { year, month, day, hour: 0, minute: 0, second: 0 });
}

/** First instant of the local calendar day that contains `instant` in `zone`. */
export function startOfLocalDay(zone: string, instant: number): number {
  const parts = localParts(zone, instant);
  return startOfLocalDate(zone, parts.year, parts.month, parts.day);
}
