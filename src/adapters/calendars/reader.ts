import type { Interval } from '../../domain/time/intervals.ts';
import type {
  BusyReadResult,
  ExternalCalendarReader,
  ExternalCalendarRef,
  ExternalProviders,
} from '../../ports/external-calendars.ts';
import type { OutboundGuard } from '../net/outbound.ts';
import { CaldavClient } from './caldav/client.ts';
import { CaldavProvider } from './caldav/provider.ts';
import { type CalendarExpander, inlineExpander } from './expansion/expansion.ts';
import type { FetchFn } from './http.ts';
import { IcsFeedReader } from './ics/feed.ts';
import { IcsProvider } from './ics/provider.ts';

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
 * The one {@link ExternalCalendarReader}: each ref goes to its provider behind the connector seam
 * (ports/calendar-provider.ts): CalDAV refs to {@link CaldavProvider}, ICS refs to {@link IcsProvider}. No caching here (SPEC 8's page-view cache belongs to the caller, which
 * also knows when a booking needs a fresh read).
 */
export class ExternalCalendars implements ExternalCalendarReader {
  readonly caldav: CaldavClient;
  readonly ics: IcsFeedReader;
  /** The providers behind the connector seam, by the kind of calendar they serve. */
  readonly providers: ExternalProviders;

  constructor(options: ExternalCalendarOptions) {
    const expander = options.expander ?? inlineExpander;
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
    this.providers = {
      caldav: new CaldavProvider(this.caldav, expander),
      ics: new IcsProvider(this.ics, expander),
    };
  }

  /**
   * Fetches under CALENDAR_TIMEOUT_MS on this thread, then hands the text to the expander: the
   * network wait and the CPU work are bounded separately, and only the first happens here.
   */
  readBusy(ref: ExternalCalendarRef, window: Interval, calendarZone: string): Promise<BusyReadResult> {
    return ref.kind === 'caldav'
      ? this.providers.caldav.readBusy(ref, window, calendarZone)
      : this.providers.ics.readBusy(ref, window, calendarZone);
  }
}
