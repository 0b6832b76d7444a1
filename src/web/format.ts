/**
 * Wall-clock arithmetic for the page: one zone's offsets over a span, looked up once. Names,
 * times and durations are formatted in the visitor's language by intl.ts.
 */
import { formatUtc } from '../domain/time/format.ts';
import { type OffsetStretch, offsetStretches } from '../domain/time/zones.ts';

export type HourFormat = 'h' | 'H';

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

  /** `UTC+01:00`, `UTC−05:00`, `UTC+00:00` */
  offset(instant: number): string {
    const offsetMinutes = Math.round(this.#offset(instant) / 60_000);
    const sign = offsetMinutes >= 0 ? '+' : '−';
    const abs = Math.abs(offsetMinutes);
    return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }
}

/** The `datetime` attribute of a `<time>`: UTC, whole seconds. */
export function isoInstant(instant: number): string {
  return formatUtc(Math.floor(instant / 1000) * 1000);
}
