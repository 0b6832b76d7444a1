/**
 * Dates and times for the page, in the viewer's zone and the link's hour format. English only;
 * names come from fixed tables so the output does not depend on the runtime's ICU locale data.
 */
import { formatUtc } from '../domain/time/format.ts';
import { isValidTimeZone, type OffsetStretch, offsetStretches } from '../domain/time/zones.ts';

export type HourFormat = 'h' | 'H';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number) => String(n).padStart(2, '0');

type Wall = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
  offsetMs: number;
};

/**
 * Wall-clock formatting in one zone over a known span of instants. The zone's offsets are looked
 * up once for the span (one `Intl` call per day, see offsetStretches), then every instant is
 * converted arithmetically: a page of 512 start times costs microseconds, not one `Intl` call each.
 */
export class ZoneClock {
  readonly zone: string;
  readonly #stretches: readonly OffsetStretch[];

  constructor(zone: string, instants: readonly number[]) {
    this.zone = zone;
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const instant of instants) {
      from = Math.min(from, instant);
      to = Math.max(to, instant);
    }
    if (!(from <= to)) from = to = 0;
    this.#stretches = offsetStretches(zone, from, to + 1);
  }

  #offset(instant: number): number {
    const stretches = this.#stretches;
    for (let i = 0; i < stretches.length; i++) {
      const s = stretches[i]!;
      if (instant < s.end || i === stretches.length - 1) {
        if (instant >= s.start) return s.offsetMs;
        break;
      }
    }
    // Outside the span given at construction: ask the zone directly.
    return offsetStretches(this.zone, instant, instant + 1)[0]?.offsetMs ?? 0;
  }

  #wall(instant: number): Wall {
    const offsetMs = this.#offset(instant);
    const d = new Date(instant + offsetMs);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      weekday: d.getUTCDay(),
      offsetMs,
    };
  }

  /** The wall-clock time of an instant as epoch ms read in UTC (format it with timeZone UTC). */
  wallMs(instant: number): number {
    return instant + this.#offset(instant);
  }

  /** A local calendar day, comparable as a string: `2026-11-24`. */
  dayKey(instant: number): string {
    const p = this.#wall(instant);
    return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
  }

  /** `Tuesday 24 November 2026` */
  day(instant: number): string {
    const p = this.#wall(instant);
    return `${WEEKDAYS[p.weekday]} ${p.day} ${MONTHS[p.month - 1]} ${p.year}`;
  }

  /** `Tue 24 Nov 2026` (itinerary rows) */
  shortDay(instant: number): string {
    const p = this.#wall(instant);
    return `${WEEKDAYS[p.weekday]!.slice(0, 3)} ${p.day} ${MONTHS[p.month - 1]!.slice(0, 3)} ${p.year}`;
  }

  /** `09:05` in 24-hour format, `9:05 am` in 12-hour format. */
  time(instant: number, hourFormat: HourFormat): string {
    const p = this.#wall(instant);
    if (hourFormat === 'H') return `${pad(p.hour)}:${pad(p.minute)}`;
    const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
    return `${hour12}:${pad(p.minute)} ${p.hour < 12 ? 'am' : 'pm'}`;
  }

  /** `UTC+01:00`, `UTC−05:00`, `UTC+00:00` */
  offset(instant: number): string {
    const offsetMinutes = Math.round(this.#offset(instant) / 60_000);
    const sign = offsetMinutes >= 0 ? '+' : '−';
    const abs = Math.abs(offsetMinutes);
    return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }
}

/** `30 min`, `1 h`, `1 h 30 min` */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** The `datetime` attribute of a `<time>`: UTC, whole seconds. */
export function isoInstant(instant: number): string {
  return formatUtc(Math.floor(instant / 1000) * 1000);
}

/** The viewer's zone: a valid `?tz=`, else the link's `tzid`, else UTC. */
export function viewerZone(requested: unknown, linkZone: string | null): string {
  if (typeof requested === 'string' && requested.length <= 64 && isValidTimeZone(requested)) return requested;
  if (linkZone !== null && isValidTimeZone(linkZone)) return linkZone;
  return 'UTC';
}

/** Zones offered by the selector, besides the current one and the link's own. */
export const COMMON_ZONES: readonly string[] = [
  'UTC',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Phoenix',
  'America/Chicago',
  'America/New_York',
  'America/Toronto',
  'America/Mexico_City',
  'America/Bogota',
  'America/Sao_Paulo',
  'America/Argentina/Buenos_Aires',
  'Atlantic/Reykjavik',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Amsterdam',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Europe/Helsinki',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Africa/Lagos',
  'Africa/Cairo',
  'Africa/Johannesburg',
  'Africa/Nairobi',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Singapore',
  'Asia/Hong_Kong',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Australia/Perth',
  'Australia/Adelaide',
  'Australia/Brisbane',
  'Australia/Sydney',
  'Pacific/Auckland',
];
