/**
 * The CPU half of reading an external calendar (SPEC 8, 9): what was fetched (an ICS feed's text,
 * or a CalDAV REPORT's multistatus) parsed and its recurring events expanded into busy intervals.
 * The server runs it in worker threads within COMPUTE_BUDGET_MS (pool.ts); tests and
 * tools run it inline ({@link inlineExpander}). Both run this same function.
 */
import type { Interval } from '../../../domain/time/intervals.ts';
import { type CaldavReport, calendarDataOf } from '../caldav/client.ts';
import { ExternalCalendarError, isExternalCalendarError } from '../errors.ts';
import { busyIntervalsFromICalendar, newExpansionReport } from '../ical/expand.ts';

/** What one read of one source fetched, unparsed. */
export type FetchedCalendarData =
  | { readonly kind: 'ics'; readonly text: string }
  | { readonly kind: 'caldav'; readonly calendarUrl: string; readonly report: CaldavReport };

export type ExpansionRequest = {
  readonly data: FetchedCalendarData;
  readonly window: Interval;
  /** The zone all-day events and floating times are read in (the calendar's zone). */
  readonly calendarZone: string;
};

export type Expansion = {
  /** Busy intervals overlapping the window, sorted by start (then end); not merged or clipped. */
  readonly busy: Interval[];
  /** Rules left out (FREQ=SECONDLY/MINUTELY), at most {@link MAX_NOTES} notes plus a count of the rest. */
  readonly ignored: string[];
};

/**
 * Turns fetched calendar data into busy time. Rejects with ExternalCalendarError: 'parse_failed',
 * 'too_many_busy' (SPEC 8's 20,000 cap), 'bad_response' (a CalDAV answer that is not a usable
 * multistatus), or, from the worker pool, 'over_budget'.
 */
export interface CalendarExpander {
  expand(request: ExpansionRequest): Promise<Expansion>;
}

/** Notes kept per read: a feed of 10,000 minutely events needs one line saying so, not 10,000. */
export const MAX_NOTES = 20;
const NOTE_MAX_CHARS = 200;

/** Parses and expands on the calling thread. The worker thread runs exactly this. */
export async function expandFetched(request: ExpansionRequest): Promise<Expansion> {
  const { data, window, calendarZone } = request;
  const report = newExpansionReport();
  try {
    const texts = data.kind === 'ics' ? [data.text] : await calendarDataOf(data.report, data.calendarUrl);
    const busy = texts.flatMap((text) => busyIntervalsFromICalendar(text, window, calendarZone, report));
    if (texts.length > 1) busy.sort((a, b) => a.start - b.start || a.end - b.end);
    return { busy, ignored: boundedNotes(report.ignored) };
  } catch (error) {
    if (isExternalCalendarError(error)) throw error;
    throw new ExternalCalendarError('parse_failed', 'the calendar data could not be read', { cause: error });
  }
}

/** The expander of tests and tools: no threads, no budget. */
export const inlineExpander: CalendarExpander = { expand: expandFetched };

/**
 * At most MAX_NOTES notes, each one line of printable text (an event's UID comes from the feed:
 * it must not carry terminal escapes into `rtseq calendars list`), then how many more there were.
 */
export function boundedNotes(notes: readonly string[]): string[] {
  const kept = notes.slice(0, MAX_NOTES).map((note) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    const clean = note.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
    return clean.length > NOTE_MAX_CHARS ? `${clean.slice(0, NOTE_MAX_CHARS - 1)}…` : clean;
  });
  const more = notes.length - kept.length;
  if (more > 0) kept.push(`and ${more} more rule${more === 1 ? '' : 's'} ignored`);
  return kept;
}
