/**
 * Wall-clock times and zones for the readers of local times: weekly availability rules, iCalendar
 * data (IANA zones and VTIMEZONE definitions alike), all-day dates and the booking page's days.
 * The conversion itself is offsets.ts's `wallToInstant` (SPEC 5.1), re-exported here; a zone is
 * reduced to one function, `offsetAt(instant) → ms east of UTC`.
 */
import { type OffsetAt, wallToInstant } from './offsets.ts';
import { isValidTimeZone, localParts, zoneOffsetMs } from './zones.ts';

export { fixedOffset, type OffsetAt, wallToInstant } from './offsets.ts';

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
