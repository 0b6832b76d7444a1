/**
 * A zone as offsets (SPEC 5.1), and the two things every time-zone reader of rtseq shares:
 *  - `offsetStretchesOf`, the one offset-change search: probes, then bisects to the second;
 *  - `stretchInstant` and `wallToInstant`, the one wall-clock → instant conversion built on it.
 * IANA zones (zones.ts: aligned starts, the page's clock), VTIMEZONE definitions
 * (adapters/calendars/ical/vtimezone.ts), weekly rules, iCalendar data, all-day dates and the
 * serializer all go through these, so a DST gap or overlap means the same everywhere. A property
 * test across DST zones (offsets.test.ts) holds them together.
 */

const DAY_MS = 86_400_000;

/** Offset (ms east of UTC, e.g. +3_600_000 for CET) of a zone at an instant. */
export type OffsetAt = (instantMs: number) => number;

/** A transition-free stretch `[start, end)` of a zone with its constant offset. */
export type OffsetStretch = { readonly start: number; readonly end: number; readonly offsetMs: number };

/** A zone that never changes offset (a VTIMEZONE onset is read in its TZOFFSETFROM). */
export const fixedOffset =
  (offsetMs: number): OffsetAt =>
  () =>
    offsetMs;

/**
 * The stretches of constant offset covering `[from, to)`, ascending and adjacent. Probes the
 * offset every `probeMs` (and at the end) and bisects to the whole second where two probes differ:
 * offsets change only on whole seconds. Two changes that cancel out between two probes would be
 * missed; no zone has two changes within a day (the closest pairs are weeks apart).
 */
export function offsetStretchesOf(
  offsetAt: OffsetAt,
  from: number,
  to: number,
  probeMs: number = DAY_MS,
): OffsetStretch[] {
  if (!(from < to)) return [];
  const stretches: OffsetStretch[] = [];
  let stretchStart = from;
  let stretchOffset = offsetAt(from);
  for (let probe = from; probe < to; ) {
    const next = Math.min(probe + probeMs, to - 1);
    if (next <= probe) break;
    while (offsetAt(next) !== stretchOffset) {
      // The first whole second in (stretchStart, next] with another offset.
      let lo = Math.floor(Math.max(stretchStart, probe) / 1000);
      let hi = Math.floor(next / 1000);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(mid * 1000) === stretchOffset) lo = mid;
        else hi = mid;
      }
      stretches.push({ start: stretchStart, end: hi * 1000, offsetMs: stretchOffset });
      stretchStart = hi * 1000;
      stretchOffset = offsetAt(stretchStart);
    }
    probe = next;
  }
  stretches.push({ start: stretchStart, end: to, offsetMs: stretchOffset });
  return stretches;
}

/**
 * The instant the wall clock (`localMs`, local fields read as UTC) names within one stretch:
 * `localMs - offset` when that lies in the stretch, else NaN. Every wall-clock reading goes
 * through here: aligned starts walk a stretch's wall times with it, `wallToInstant` picks among
 * the stretches around a wall time with it.
 */
export function stretchInstant(stretch: OffsetStretch, localMs: number): number {
  const instant = localMs - stretch.offsetMs;
  return instant >= stretch.start && instant < stretch.end ? instant : Number.NaN;
}

/**
 * The instant a wall-clock time (`localMs`) denotes in a zone, following SPEC 5.1 and RFC 5545
 * 3.3.5: a time repeated by a fall-back transition means its **first** occurrence; a time skipped
 * by spring-forward is read with the offset in force **before** the gap (New York 02:30 on
 * spring-forward day → 07:30Z, which the clock shows as 03:30 EDT). Offsets are within a day of
 * UTC, so the instant lies within a day of `localMs`.
 */
export function wallToInstant(localMs: number, offsetAt: OffsetAt): number {
  // One probe each side: no zone changes offset twice within two days.
  const stretches = offsetStretchesOf(offsetAt, localMs - DAY_MS, localMs + DAY_MS, 2 * DAY_MS);
  for (const stretch of stretches) {
    const instant = stretchInstant(stretch, localMs);
    if (!Number.isNaN(instant)) return instant; // ascending: the first occurrence
  }
  // Skipped (a gap): the offset of the stretch the wall time has run past.
  for (let i = stretches.length - 1; i >= 0; i--) {
    const stretch = stretches[i]!;
    if (localMs - stretch.offsetMs >= stretch.end) return localMs - stretch.offsetMs;
  }
  return localMs - stretches[0]!.offsetMs;
}
