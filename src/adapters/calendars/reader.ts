import type { Interval } from '../../domain/time/intervals.ts';
import type {
  BusyReadResult,
  ExternalCalendarReader,
  ExternalCalendarRef,
} from '../../ports/external-calendars.ts';
import type { OutboundGuard } from '../net/outbound.ts';
import { CaldavClient } from './caldav/client.ts';
import type { FetchFn } from './http.ts';
import { newExpansionReport } from './ical/expand.ts';
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
};

/**
 * The one {@link ExternalCalendarReader}: CalDAV refs go to {@link CaldavClient}, ICS refs to
 * {@link IcsFeedReader}. No caching here (SPEC 8's page-view cache belongs to the caller, which
 * also knows when a booking needs a fresh read).
 */
export class ExternalCalendars implements ExternalCalendarReader {
  readonly caldav: CaldavClient;
  readonly ics: IcsFeedReader;

  constructor(options: ExternalCalendarOptions) {
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

  async readBusy(ref: ExternalCalendarRef, window: Interval, calendarZone: string): Promise<BusyReadResult> {
    const report = newExpansionReport();
    const busy =
      ref.kind === 'caldav'
        ? await this.caldav.readBusy(ref, window, calendarZone, report)
        : await this.ics.readBusy(ref.feedUrl, window, calendarZone, report);
    return { busy: busy.toSorted((a, b) => a.start - b.start || a.end - b.end), ignored: report.ignored };
  }
}
