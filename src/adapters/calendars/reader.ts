import type { Interval } from '../../domain/time/intervals.ts';
import type {
  BusyReadResult,
  ExternalCalendarReader,
  ExternalCalendarRef,
} from '../../ports/external-calendars.ts';
import type { OutboundGuard } from '../net/outbound.ts';
import { CaldavClient } from './caldav/client.ts';
import { type CalendarExpander, type FetchedCalendarData, inlineExpander } from './expansion/expansion.ts';
import type { FetchFn } from './http.ts';
import { IcsFeedReader } from './ics/feed.ts';

export type ExternalCalendarOptions = {
  /** Defaults to the global fetch. */
  readonly fetch?: FetchFn;
  /** CALENDAR_TIMEOUT_MS: the most one read (or write) may take before failing with 'timeout'. */
  readonly timeoutMs: number;
  /** The outbound guard every request goes through (SPEC 8a); defaults to one refusing private addresses. */
  readonly outbound?: OutboundGuard;
  /** Size cap for ICS feeds; defaults to 5 MiB. */
  readonly maxFeedBytes?: number;
  /** Size cap for one CalDAV answer; defaults to 10 MiB. */
  readonly maxCaldavBytes?: number;
  /**
   * Where fetched data is parsed and expanded: the server passes an ExpansionPool (worker threads,
   * COMPUTE_BUDGET_MS); default inline, on the calling thread.
   */
  readonly expander?: CalendarExpander;
};

/**
 * The one {@link ExternalCalendarReader}: CalDAV refs go to {@link CaldavClient}, ICS refs to
 * {@link IcsFeedReader}. No caching here (SPEC 8's page-view cache belongs to the caller, which
 * also knows when a booking needs a fresh read).
 */
export class ExternalCalendars implements ExternalCalendarReader {
  readonly caldav: CaldavClient;
  readonly ics: IcsFeedReader;
  readonly #expander: CalendarExpander;

  constructor(options: ExternalCalendarOptions) {
    this.#expander = options.expander ?? inlineExpander;
    const http = {
      timeoutMs: options.timeoutMs,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.outbound === undefined ? {} : { outbound: options.outbound }),
    };
    this.caldav = new CaldavClient(
      options.maxCaldavBytes === undefined ? http : { ...http, maxResponseBytes: options.maxCaldavBytes },
    );
    this.ics = new IcsFeedReader(
      options.maxFeedBytes === undefined ? http : { ...http, maxBytes: options.maxFeedBytes },
    );
  }

  /**
   * Fetches under CALENDAR_TIMEOUT_MS on this thread, then hands the text to the expander: the
   * network wait and the CPU work are bounded separately, and only the first happens here.
   */
  async readBusy(ref: ExternalCalendarRef, window: Interval, calendarZone: string): Promise<BusyReadResult> {
    const data: FetchedCalendarData =
      ref.kind === 'caldav'
        ? { kind: 'caldav', calendarUrl: ref.calendarUrl, report: await this.caldav.fetchReport(ref, window) }
        : { kind: 'ics', text: await this.ics.fetchText(ref.feedUrl) };
    return this.#expander.expand({ data, window, calendarZone });
  }
}
