/**
 * Dates, times and durations in the visitor's locale, through `Intl` (SPEC 6.2). Wall-clock
 * arithmetic stays with ZoneClock (one offset lookup per day of a span); the formatters here
 * format the resulting wall time as if it were UTC, so one cached `Intl.DateTimeFormat` per
 * locale and pattern serves every zone and every time on a page.
 */
import { type HourFormat, ZoneClock } from './format.ts';

export type { HourFormat };

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 500;

function formatter(tag: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${tag}|${JSON.stringify(options)}`;
  let found = FORMATTERS.get(key);
  if (found === undefined) {
    if (FORMATTERS.size >= MAX_FORMATTERS) FORMATTERS.clear();
    found = new Intl.DateTimeFormat(tag, { ...options, timeZone: 'UTC' });
    FORMATTERS.set(key, found);
  }
  return found;
}

/** `Intl.DurationFormat` (Node 23+, Chromium 129+), typed here until TypeScript's lib has it. */
type DurationFormatter = { format(duration: { hours?: number; minutes?: number }): string };
const { DurationFormat } = Intl as unknown as {
  DurationFormat: new (tag: string, options: { style: 'short' | 'long' }) => DurationFormatter;
};

const HOUR_DEFAULTS = new Map<string, HourFormat>();

/** The locale's own clock: `h` where it uses 12-hour times (en-US), `H` elsewhere (de, en-GB). */
export function localeHourFormat(tag: string): HourFormat {
  let found = HOUR_DEFAULTS.get(tag);
  if (found === undefined) {
    const cycle = new Intl.DateTimeFormat(tag, { hour: 'numeric' }).resolvedOptions().hourCycle;
    found = cycle === 'h11' || cycle === 'h12' ? 'h' : 'H';
    if (HOUR_DEFAULTS.size < MAX_FORMATTERS) HOUR_DEFAULTS.set(tag, found);
  }
  return found;
}

/** The first day of the week in the locale, 1 (Monday) to 7 (Sunday). */
export function firstDayOfWeek(tag: string): number {
  try {
    const locale = new Intl.Locale(tag) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const info = locale.getWeekInfo?.() ?? locale.weekInfo;
    if (info !== undefined && info.firstDay >= 1 && info.firstDay <= 7) return info.firstDay;
  } catch {
    // An unusual tag: Monday, as ISO 8601 has it.
  }
  return 1;
}

/** Formats wall times (epoch ms of the wall clock read as UTC) in one locale and hour format. */
export class WallFormats {
  readonly tag: string;
  readonly hourFormat: HourFormat;
  readonly #time: Intl.DateTimeFormat;
  readonly #durations: DurationFormatter;
  readonly #durationTexts = new Map<number, string>();
  readonly #timeTexts = new Map<number, string>();

  constructor(tag: string, hourFormat: HourFormat) {
    this.tag = tag;
    this.hourFormat = hourFormat;
    this.#time = formatter(tag, {
      hour: hourFormat === 'H' ? '2-digit' : 'numeric',
      minute: '2-digit',
      hourCycle: hourFormat === 'H' ? 'h23' : 'h12',
    });
    this.#durations = new DurationFormat(tag, { style: 'short' });
  }

  /** `09:05`, `9:05 AM`, `午前9:05` (memoised per minute of the day: pages repeat the same times). */
  time(wall: number): string {
    const minuteOfDay = Math.floor((((wall % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
    const exact = wall % 60_000 === 0;
    let text = exact ? this.#timeTexts.get(minuteOfDay) : undefined;
    if (text === undefined) {
      text = this.#time.format(wall);
      if (exact) this.#timeTexts.set(minuteOfDay, text);
    }
    return text;
  }

  /** `Tuesday, December 1` / `Dienstag, 1. Dezember` */
  day(wall: number): string {
    return formatter(this.tag, { weekday: 'long', day: 'numeric', month: 'long' }).format(wall);
  }

  /** `Tuesday, December 1, 2026` */
  dayWithYear(wall: number): string {
    return formatter(this.tag, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(
      wall,
    );
  }

  /** `Tue, Dec 1` */
  shortDay(wall: number): string {
    return formatter(this.tag, { weekday: 'short', day: 'numeric', month: 'short' }).format(wall);
  }

  /** `December 2026` */
  month(wall: number): string {
    return formatter(this.tag, { month: 'long', year: 'numeric' }).format(wall);
  }

  /** The weekday's name, `long` (Tuesday) or `short` (Tue). */
  weekday(wall: number, width: 'long' | 'short' | 'narrow'): string {
    return formatter(this.tag, { weekday: width }).format(wall);
  }

  /** The day of the month as the locale writes it (`1`, `1日`). */
  dayOfMonth(wall: number): string {
    return formatter(this.tag, { day: 'numeric' }).format(wall);
  }

  /** `1 hr, 30 min` / `1 Std., 30 Min.` (memoised: `Intl.DurationFormat` is slow, the set small). */
  duration(minutes: number): string {
    let text = this.#durationTexts.get(minutes);
    if (text === undefined) {
      const hours = Math.floor(minutes / 60);
      const rest = minutes % 60;
      text = this.#durations.format(
        hours === 0 ? { minutes: rest } : rest === 0 ? { hours } : { hours, minutes: rest },
      );
      if (this.#durationTexts.size < 5000) this.#durationTexts.set(minutes, text);
    }
    return text;
  }
}

const WALL_FORMATS = new Map<string, WallFormats>();

/** The formats of one locale and hour format, built once and shared (they hold no request data). */
export function wallFormats(tag: string, hourFormat: HourFormat): WallFormats {
  const key = `${tag}|${hourFormat}`;
  let found = WALL_FORMATS.get(key);
  if (found === undefined) {
    if (WALL_FORMATS.size >= MAX_FORMATTERS) WALL_FORMATS.clear();
    found = new WallFormats(tag, hourFormat);
    WALL_FORMATS.set(key, found);
  }
  return found;
}

/** One zone's wall clock, formatted in one locale: what the page's templates use. */
export class LocalClock {
  readonly zone: string;
  readonly formats: WallFormats;
  readonly #zoneClock: ZoneClock;

  constructor(zone: string, instants: readonly number[], formats: WallFormats) {
    this.zone = zone;
    this.formats = formats;
    this.#zoneClock = new ZoneClock(zone, instants);
  }

  wall(instant: number): number {
    return this.#zoneClock.wallMs(instant);
  }

  /** `2026-12-01`, the local day (comparable as a string). */
  dayKey(instant: number): string {
    return this.#zoneClock.dayKey(instant);
  }

  time(instant: number): string {
    return this.formats.time(this.wall(instant));
  }

  day(instant: number): string {
    return this.formats.day(this.wall(instant));
  }

  shortDay(instant: number): string {
    return this.formats.shortDay(this.wall(instant));
  }

  offset(instant: number): string {
    return this.#zoneClock.offset(instant);
  }
}

/** The wall instant (UTC midnight) of a `YYYY-MM-DD` day key, for formatting the day itself. */
export function dayKeyWall(key: string): number {
  const [y, m, d] = key.split('-').map(Number);
  return Date.UTC(y!, m! - 1, d!);
}
