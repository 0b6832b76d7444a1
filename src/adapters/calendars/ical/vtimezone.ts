import ICAL from 'ical.js';
import { fixedOffset, type OffsetAt, wallMs, wallToInstant } from '../../../domain/time/wall-clock.ts';

type Transition = { readonly atMs: number; readonly offsetMs: number };

/** Onsets per STANDARD/DAYLIGHT rule; guards against rules that would never reach the target year. */
const MAX_ONSETS_PER_RULE = 5_000;
const MAX_CACHED_ZONES = 256;
const cache = new Map<string, { readonly coversYear: number; readonly offsetAt: OffsetAt }>();

function offsetMs(value: unknown): number | null {
  return value instanceof ICAL.UtcOffset ? value.toSeconds() * 1000 : null;
}

function cacheKey(vtimezone: ICAL.Component): string {
  const parts: string[] = [String(vtimezone.getFirstPropertyValue('tzid'))];
  for (const rule of vtimezone.getAllSubcomponents()) {
    parts.push(rule.name);
    for (const name of ['dtstart', 'tzoffsetfrom', 'tzoffsetto', 'rrule', 'rdate']) {
      for (const prop of rule.getAllProperties(name)) parts.push(prop.getValues().map(String).join(','));
    }
  }
  return parts.join('|');
}

/**
 * Offset function defined by a VTIMEZONE component, covering onsets up to the end of
 * `throughYear`. Computed from the component's own rules (RFC 5545 3.6.5): each onset is a
 * local time in TZOFFSETFROM, so its instant is that wall time minus TZOFFSETFROM. Returns null
 * for a component without usable rules.
 */
export function vtimezoneOffsetAt(vtimezone: ICAL.Component, throughYear: number): OffsetAt | null {
  const key = cacheKey(vtimezone);
  const cached = cache.get(key);
  if (cached !== undefined && cached.coversYear >= throughYear) return cached.offsetAt;

  const transitions: Transition[] = [];
  const endWallMs = Date.UTC(throughYear + 1, 0, 1);
  for (const rule of vtimezone.getAllSubcomponents()) {
    if (rule.name !== 'standard' && rule.name !== 'daylight') continue;
    const from = offsetMs(rule.getFirstPropertyValue('tzoffsetfrom'));
    const to = offsetMs(rule.getFirstPropertyValue('tzoffsetto'));
    const dtstart = rule.getFirstPropertyValue('dtstart');
    if (from === null || to === null || !(dtstart instanceof ICAL.Time)) continue;
    const onsets: number[] = [wallMs(dtstart)];
    for (const prop of rule.getAllProperties('rdate')) {
      for (const value of prop.getValues()) {
        if (value instanceof ICAL.Time) onsets.push(wallMs(value));
        else if (value instanceof ICAL.Period) onsets.push(wallMs(value.start));
      }
    }
    const recur = rule.getFirstPropertyValue('rrule');
    if (recur instanceof ICAL.Recur) {
      const until = recur.until;
      // UNTIL is UTC (or, from some producers, local); compare it in the same terms.
      const untilLocalMs =
        until === null ? Number.POSITIVE_INFINITY : wallMs(until) + (until.zone?.tzid === 'UTC' ? from : 0);
      const unbounded = recur.clone();
      unbounded.until = null;
      const iterator = unbounded.iterator(dtstart);
      for (let index = 0; index < MAX_ONSETS_PER_RULE; index++) {
        const next = iterator.next();
        if (!next) break;
        const localMs = wallMs(next);
        if (localMs > untilLocalMs || localMs >= endWallMs) break;
        onsets.push(localMs);
      }
    }
    // Each onset is a wall time in TZOFFSETFROM, read by the one conversion.
    const before = fixedOffset(from);
    for (const localMs of onsets) transitions.push({ atMs: wallToInstant(localMs, before), offsetMs: to });
  }
  if (transitions.length === 0) return null;
  transitions.sort((a, b) => a.atMs - b.atMs);
  const firstFromOffset = offsetBeforeFirst(vtimezone, transitions[0]!);

  const offsetAt: OffsetAt = (instantMs) => {
    let low = 0;
    let high = transitions.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (transitions[middle]!.atMs <= instantMs) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found === -1 ? firstFromOffset : transitions[found]!.offsetMs;
  };
  if (cache.size >= MAX_CACHED_ZONES) cache.clear();
  cache.set(key, { coversYear: throughYear, offsetAt });
  return offsetAt;
}

function offsetBeforeFirst(vtimezone: ICAL.Component, first: Transition): number {
  for (const rule of vtimezone.getAllSubcomponents()) {
    const from = offsetMs(rule.getFirstPropertyValue('tzoffsetfrom'));
    const to = offsetMs(rule.getFirstPropertyValue('tzoffsetto'));
    if (from !== null && to === first.offsetMs) return from;
  }
  return first.offsetMs;
}
