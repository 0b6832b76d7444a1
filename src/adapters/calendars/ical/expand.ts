import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import type { Interval } from '../../../domain/time/intervals.ts';
import {
  type OffsetAt,
  utcOffsetAt,
  wallMs,
  wallToInstant,
  zoneOffsetAt,
} from '../../../domain/time/wall-clock.ts';
import { ExternalCalendarError } from '../errors.ts';
import { MAX_ITERATIONS_PER_RULE, rruleOccurrences } from './recurrence.ts';
import { vtimezoneOffsetAt } from './vtimezone.ts';

const DAY_MS = 86_400_000;

/** One read of one source yields at most this many busy intervals in the window (SPEC 8). */
export const MAX_BUSY_PER_READ = 20_000;
/**
 * Rules of these frequencies are ignored (SPEC 8): a 200-byte event repeating every minute would
 * cost seconds of CPU per read. DTSTART, RDATEs and overrides of such an event still count.
 */
const IGNORED_FREQUENCIES: ReadonlySet<string> = new Set(['SECONDLY', 'MINUTELY']);

/** What one source read left out or counted, shared by every text of the read (CalDAV objects). */
export type ExpansionReport = {
  /** Human-readable notes, e.g. `event abc: FREQ=MINUTELY rule ignored` (the source status). */
  readonly ignored: string[];
  /** Busy intervals in the window so far. */
  counted: number;
};

export function newExpansionReport(): ExpansionReport {
  return { ignored: [], counted: 0 };
}

/** Where expansion puts intervals: an array that refuses the 20,001st interval inside the window. */
type Sink = { push(interval: Interval): void };

function boundedSink(busy: Interval[], window: Interval, report: ExpansionReport): Sink {
  return {
    push(interval) {
      if (
        interval.end > window.start &&
        interval.start < window.end &&
        ++report.counted > MAX_BUSY_PER_READ
      ) {
        throw new ExternalCalendarError(
          'too_many_busy',
          `more than ${MAX_BUSY_PER_READ} busy intervals in the requested window`,
        );
      }
      busy.push(interval);
    },
  };
}
/** Wall time and instants differ by at most ±14 h; seeking this much earlier covers any offset. */
const SEEK_SLACK_MS = 3 * DAY_MS;

/**
 * Busy intervals of an iCalendar text (a CalDAV calendar object or a whole ICS feed) that
 * overlap `window`, sorted by start; not merged and not clipped.
 *
 * Busy means: VEVENTs that are not STATUS:CANCELLED and not TRANSP:TRANSPARENT (TENTATIVE is
 * busy), recurring series expanded (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides that move or
 * cancel one instance), plus VFREEBUSY periods other than FBTYPE=FREE. Times use the file's
 * VTIMEZONE for their TZID, else the IANA zone of that name, else `calendarZone`; floating times
 * and all-day (DATE) events are read in `calendarZone`.
 *
 * Throws ExternalCalendarError('parse_failed') for text that is not iCalendar or a rule that
 * cannot be expanded, and 'too_many_busy' past MAX_BUSY_PER_READ intervals in the window (counted
 * in `report` across the texts of one read): a calendar we cannot read must not look free.
 * FREQ=SECONDLY and FREQ=MINUTELY rules are skipped and noted in `report.ignored`.
 *
 * @example
 * busyIntervalsFromICalendar(text, { start: Date.UTC(2026, 0, 5), end: Date.UTC(2026, 0, 12) }, 'Europe/London')
 */
export function busyIntervalsFromICalendar(
  icsText: string,
  window: Interval,
  calendarZone: string,
  report: ExpansionReport = newExpansionReport(),
): Interval[] {
  return busyIntervalsFromCalendars(parsedCalendars(icsText), window, calendarZone, report);
}

/**
 * Parsed calendars by SHA-256 of their text, most recently used last. Feeds and CalDAV objects
 * mostly come back unchanged between reads (page views every CALENDAR_CACHE_SECONDS, then the
 * booking's fresh read), and parsing plus ical.js's lazy property decoding is most of the cost of
 * a read. Bounded by total source size; expansion never mutates the cached components.
 */
const parseCache = new Map<string, { readonly calendars: ICAL.Component[]; readonly sizeChars: number }>();
const PARSE_CACHE_MAX_CHARS = 16 * 1024 * 1024;
/** Small texts (one CalDAV event) parse about as fast as they hash and would only churn the cache. */
const PARSE_CACHE_MIN_CHARS = 16 * 1024;
let parseCacheChars = 0;

function parsedCalendars(icsText: string): ICAL.Component[] {
  if (icsText.length < PARSE_CACHE_MIN_CHARS || icsText.length > PARSE_CACHE_MAX_CHARS / 4) {
    return parseICalendar(icsText);
  }
  const key = createHash('sha256').update(icsText).digest('base64');
  const hit = parseCache.get(key);
  if (hit !== undefined) {
    parseCache.delete(key);
    parseCache.set(key, hit);
    return hit.calendars;
  }
  const calendars = parseICalendar(icsText);
  parseCache.set(key, { calendars, sizeChars: icsText.length });
  parseCacheChars += icsText.length;
  for (const [oldest, entry] of parseCache) {
    if (parseCacheChars <= PARSE_CACHE_MAX_CHARS) break;
    parseCache.delete(oldest);
    parseCacheChars -= entry.sizeChars;
  }
  return calendars;
}

/** Parses iCalendar text into its VCALENDAR components (a file may concatenate several). */
export function parseICalendar(icsText: string): ICAL.Component[] {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(icsText);
  } catch (cause) {
    throw new ExternalCalendarError('parse_failed', 'not valid iCalendar data', { cause });
  }
  const roots =
    (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : (parsed as unknown[])) ?? [];
  const calendars = roots
    .map((jcal) => new ICAL.Component(jcal as unknown[]))
    .filter((component) => component.name === 'vcalendar');
  if (calendars.length === 0)
    throw new ExternalCalendarError('parse_failed', 'no VCALENDAR in iCalendar data');
  return calendars;
}

/** The expansion step of {@link busyIntervalsFromICalendar}, for already parsed calendars. */
export function busyIntervalsFromCalendars(
  calendars: readonly ICAL.Component[],
  window: Interval,
  calendarZone: string,
  report: ExpansionReport = newExpansionReport(),
): Interval[] {
  const calendarOffsetAt = zoneOffsetAt(calendarZone) ?? utcOffsetAt;
  const busy: Interval[] = [];
  const sink = boundedSink(busy, window, report);
  for (const calendar of calendars) {
    const zones = new ZoneResolver(calendar, calendarOffsetAt, new Date(window.end).getUTCFullYear() + 1);
    const series = new Map<string, { master: ICAL.Component | null; overrides: ICAL.Component[] }>();
    let anonymous = 0;
    for (const component of calendar.getAllSubcomponents()) {
      if (component.name === 'vfreebusy') {
        collectFreeBusy(component, zones, sink);
        continue;
      }
      if (component.name !== 'vevent' || !component.hasProperty('dtstart')) continue;
      const uid = String(component.getFirstPropertyValue('uid') ?? `(no uid ${anonymous++})`);
      let entry = series.get(uid);
      if (entry === undefined) {
        entry = { master: null, overrides: [] };
        series.set(uid, entry);
      }
      if (component.hasProperty('recurrence-id')) entry.overrides.push(component);
      else entry.master = component;
    }
    for (const [uid, entry] of series) {
      expandSeries(uid, entry.master, entry.overrides, window, zones, sink, report);
    }
  }
  const inWindow = busy.filter(
    (interval) => interval.end > interval.start && interval.end > window.start && interval.start < window.end,
  );
  return inWindow.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** How long each instance lasts: whole days added in wall time, then exact milliseconds. */
type EventLength = { readonly nominalDays: number; readonly exactMs: number };

/** Where an instant sits in a zone: its wall time and the zone that maps it to an instant. */
type Anchor = { readonly localMs: number; readonly offsetAt: OffsetAt; readonly isDate: boolean };

class ZoneResolver {
  readonly calendarOffsetAt: OffsetAt;
  readonly #calendar: ICAL.Component;
  readonly #throughYear: number;
  readonly #byTzid = new Map<string, OffsetAt>();

  constructor(calendar: ICAL.Component, calendarOffsetAt: OffsetAt, throughYear: number) {
    this.#calendar = calendar;
    this.calendarOffsetAt = calendarOffsetAt;
    this.#throughYear = throughYear;
  }

  /** The zone of a DATE or DATE-TIME value of a property (its TZID parameter, 'Z' or floating). */
  zoneOf(time: ICAL.Time, tzid: string | null): OffsetAt {
    if (time.isDate) return this.calendarOffsetAt;
    if (time.zone?.tzid === 'UTC') return utcOffsetAt;
    if (tzid === null || tzid === '') return this.calendarOffsetAt;
    let offsetAt = this.#byTzid.get(tzid);
    if (offsetAt === undefined) {
      offsetAt = this.#resolve(tzid);
      this.#byTzid.set(tzid, offsetAt);
    }
    return offsetAt;
  }

  #resolve(tzid: string): OffsetAt {
    for (const vtimezone of this.#calendar.getAllSubcomponents('vtimezone')) {
      if (vtimezone.getFirstPropertyValue('tzid') === tzid) {
        const offsetAt = vtimezoneOffsetAt(vtimezone, this.#throughYear);
        if (offsetAt !== null) return offsetAt;
      }
    }
    // Some producers prefix IANA names with a vendor path ("/mozilla.org/20070129_1/Europe/Berlin").
    const segments = tzid.split('/').filter((segment) => segment !== '');
    for (let take = 1; take <= Math.min(3, segments.length); take++) {
      const offsetAt = zoneOffsetAt(segments.slice(-take).join('/'));
      if (offsetAt !== null && (take > 1 || segments.length === 1)) return offsetAt;
    }
    // Unknown TZID without a definition: the calendar's own zone is the best guess left.
    return this.calendarOffsetAt;
  }
}

function tzidOf(property: ICAL.Property): string | null {
  const tzid = property.getParameter('tzid');
  return typeof tzid === 'string' ? tzid : null;
}

function anchorOf(time: ICAL.Time, tzid: string | null, zones: ZoneResolver): Anchor {
  return { localMs: wallMs(time), offsetAt: zones.zoneOf(time, tzid), isDate: time.isDate };
}

function instantOf(anchor: Anchor): number {
  return wallToInstant(anchor.localMs, anchor.offsetAt);
}

function endOf(anchor: Anchor, startMs: number, length: EventLength): number {
  if (length.nominalDays === 0) return startMs + length.exactMs;
  return wallToInstant(anchor.localMs + length.nominalDays * DAY_MS, anchor.offsetAt) + length.exactMs;
}

function upper(value: unknown): string {
  return typeof value === 'string' ? value.toUpperCase() : '';
}

function isBusy(component: ICAL.Component): boolean {
  return (
    upper(component.getFirstPropertyValue('status')) !== 'CANCELLED' &&
    upper(component.getFirstPropertyValue('transp')) !== 'TRANSPARENT'
  );
}

/** DTSTART of a VEVENT as an anchor, or null when it has none usable. */
function startAnchor(component: ICAL.Component, zones: ZoneResolver): Anchor | null {
  const property = component.getFirstProperty('dtstart');
  const value = property?.getFirstValue();
  if (!property || !(value instanceof ICAL.Time)) return null;
  return anchorOf(value, tzidOf(property), zones);
}

/**
 * The length of a VEVENT from DTEND or DURATION (RFC 5545 3.6.1): DTEND gives exact time for
 * DATE-TIME events (the same exact duration applies to every instance) and whole days for DATE
 * events; DURATION days and weeks are nominal, its hours and minutes exact. Null when neither is
 * present, so overrides can inherit their master's length.
 */
function lengthOf(component: ICAL.Component, start: Anchor, zones: ZoneResolver): EventLength | null {
  const endProperty = component.getFirstProperty('dtend');
  const endValue = endProperty?.getFirstValue();
  if (endProperty && endValue instanceof ICAL.Time) {
    const end = anchorOf(endValue, tzidOf(endProperty), zones);
    if (start.isDate && end.isDate)
      return { nominalDays: Math.round((end.localMs - start.localMs) / DAY_MS), exactMs: 0 };
    return { nominalDays: 0, exactMs: instantOf(end) - instantOf(start) };
  }
  const duration = component.getFirstPropertyValue('duration');
  return duration instanceof ICAL.Duration ? lengthOfDuration(duration) : null;
}

/** RFC 5545: without DTEND/DURATION a DATE event lasts one day and a DATE-TIME event no time. */
function defaultLength(start: Anchor): EventLength {
  return start.isDate ? { nominalDays: 1, exactMs: 0 } : { nominalDays: 0, exactMs: 0 };
}

function maxLengthMs(length: EventLength): number {
  return Math.max(0, length.nominalDays * DAY_MS + length.exactMs) + DAY_MS;
}

/** Instances removed from a series: by instant, or by local date for DATE values. */
class Exclusions {
  readonly #instants = new Set<number>();
  readonly #days = new Set<number>();

  add(anchor: Anchor): void {
    if (anchor.isDate) this.#days.add(Math.floor(anchor.localMs / DAY_MS));
    else this.#instants.add(instantOf(anchor));
  }

  has(localMs: number, instantMs: number): boolean {
    return this.#instants.has(instantMs) || this.#days.has(Math.floor(localMs / DAY_MS));
  }
}

function expandSeries(
  uid: string,
  master: ICAL.Component | null,
  overrides: readonly ICAL.Component[],
  window: Interval,
  zones: ZoneResolver,
  busy: Sink,
  report: ExpansionReport,
): void {
  const masterStart = master ? startAnchor(master, zones) : null;
  const masterLength =
    master && masterStart ? (lengthOf(master, masterStart, zones) ?? defaultLength(masterStart)) : null;

  // Overrides stand on their own (their instance may move anywhere, even into the window from
  // outside it); the instance they replace is removed from the master's set below.
  const replaced = new Exclusions();
  for (const override of overrides) {
    const recurrenceProperty = override.getFirstProperty('recurrence-id')!;
    const recurrenceId = recurrenceProperty.getFirstValue();
    if (recurrenceId instanceof ICAL.Time)
      replaced.add(anchorOf(recurrenceId, tzidOf(recurrenceProperty), zones));
    const start = startAnchor(override, zones);
    if (start === null || !isBusy(override)) continue;
    const length = lengthOf(override, start, zones) ?? masterLength ?? defaultLength(start);
    const startMs = instantOf(start);
    busy.push({ start: startMs, end: endOf(start, startMs, length) });
  }

  if (!master || !masterStart || !masterLength || !isBusy(master)) return;

  const excluded = new Exclusions();
  for (const property of master.getAllProperties('exdate')) {
    for (const value of property.getValues()) {
      if (value instanceof ICAL.Time) excluded.add(anchorOf(value, tzidOf(property), zones));
    }
  }
  const seen = new Set<number>();
  const emit = (anchor: Anchor, length: EventLength, endMs: number | null): void => {
    const startMs = instantOf(anchor);
    if (seen.has(startMs) || excluded.has(anchor.localMs, startMs) || replaced.has(anchor.localMs, startMs))
      return;
    seen.add(startMs);
    busy.push({ start: startMs, end: endMs ?? endOf(anchor, startMs, length) });
  };

  // DTSTART is always the first instance (RFC 5545 3.8.5.3), whether or not the rule matches it.
  emit(masterStart, masterLength, null);

  for (const property of master.getAllProperties('rdate')) {
    for (const value of property.getValues()) {
      if (value instanceof ICAL.Time) {
        emit(anchorOf(value, tzidOf(property), zones), masterLength, null);
      } else if (value instanceof ICAL.Period) {
        const anchor = anchorOf(value.start, tzidOf(property), zones);
        const length = value.duration ? lengthOfDuration(value.duration) : masterLength;
        emit(anchor, length, value.end ? instantOf(anchorOf(value.end, tzidOf(property), zones)) : null);
      }
    }
  }

  const lastEndMs = window.end;
  const seekLocalMs = window.start - maxLengthMs(masterLength) - SEEK_SLACK_MS;
  for (const property of master.getAllProperties('rrule')) {
    const rule = property.getFirstValue();
    if (!(rule instanceof ICAL.Recur)) continue;
    if (IGNORED_FREQUENCIES.has(rule.freq)) {
      report.ignored.push(`event ${uid}: FREQ=${rule.freq} rule ignored`);
      continue;
    }
    const untilBefore = untilTest(rule);
    let iterations = 0;
    for (const localMs of rruleOccurrences(rule, dtstartTime(master), seekLocalMs, uid)) {
      const startMs = wallToInstant(localMs, masterStart.offsetAt);
      if (startMs >= lastEndMs || untilBefore(localMs, startMs)) break;
      if (++iterations > MAX_ITERATIONS_PER_RULE) {
        throw new ExternalCalendarError('parse_failed', `event ${uid}: RRULE yields too many occurrences`);
      }
      emit({ localMs, offsetAt: masterStart.offsetAt, isDate: masterStart.isDate }, masterLength, null);
    }
  }
}

function dtstartTime(component: ICAL.Component): ICAL.Time {
  return component.getFirstPropertyValue('dtstart') as ICAL.Time;
}

function lengthOfDuration(duration: ICAL.Duration): EventLength {
  const sign = duration.isNegative ? -1 : 1;
  return {
    nominalDays: sign * (duration.weeks * 7 + duration.days),
    exactMs: sign * (duration.hours * 3600 + duration.minutes * 60 + duration.seconds) * 1000,
  };
}

/**
 * True once an occurrence lies after the rule's UNTIL. UNTIL is compared here, not by ical.js,
 * because ical.js compares floating wall times with the UTC UNTIL as if both were UTC.
 */
function untilTest(rule: ICAL.Recur): (localMs: number, startMs: number) => boolean {
  const until = rule.until;
  if (!until) return () => false;
  if (until.isDate) {
    const lastDayMs = wallMs(until) + DAY_MS;
    return (localMs) => localMs >= lastDayMs;
  }
  if (until.zone?.tzid === 'UTC') {
    const untilMs = wallMs(until);
    return (_localMs, startMs) => startMs > untilMs;
  }
  const untilLocalMs = wallMs(until);
  return (localMs) => localMs > untilLocalMs;
}

function collectFreeBusy(component: ICAL.Component, zones: ZoneResolver, busy: Sink): void {
  for (const property of component.getAllProperties('freebusy')) {
    if (upper(property.getParameter('fbtype')) === 'FREE') continue;
    for (const value of property.getValues()) {
      if (!(value instanceof ICAL.Period)) continue;
      const start = anchorOf(value.start, null, zones);
      const startMs = instantOf(start);
      const end = value.end
        ? instantOf(anchorOf(value.end, null, zones))
        : endOf(start, startMs, lengthOfDuration(value.duration));
      busy.push({ start: startMs, end });
    }
  }
}
