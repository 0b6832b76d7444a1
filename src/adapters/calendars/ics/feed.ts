import { outboundUrl } from '../../../domain/net/addresses.ts';
import type { Interval } from '../../../domain/time/intervals.ts';
import { describeOrigin, ExternalCalendarError } from '../errors.ts';
import { type CalendarHttpOptions, statusError, withDeadline } from '../http.ts';
import { busyIntervalsFromICalendar, type ExpansionReport, newExpansionReport } from '../ical/expand.ts';

/** Larger feeds are refused: a whole-company calendar export is a few MiB at most. */
export const DEFAULT_MAX_FEED_BYTES = 5 * 1024 * 1024;

export type IcsFeedOptions = CalendarHttpOptions & {
  /** Defaults to {@link DEFAULT_MAX_FEED_BYTES}. */
  readonly maxBytes?: number;
};

/**
 * The http(s) URL to fetch for a feed URL. `webcal://` and `webcals://` (what "subscribe" links
 * use) become `https://`; other schemes are refused.
 */
export function feedFetchUrl(feedUrl: string): string {
  const url = outboundUrl(feedUrl);
  if (url !== undefined) return url.href;
  let scheme: string;
  try {
    scheme = new URL(feedUrl.trim()).protocol;
  } catch {
    throw new ExternalCalendarError('not_found', 'ICS feed: the feed URL is not a valid URL');
  }
  throw new ExternalCalendarError('not_found', `ICS feed: unsupported URL scheme ${scheme}`);
}

/** Reads ICS feeds over HTTP (SPEC 8): GET with a deadline and a size cap, then local expansion. */
export class IcsFeedReader {
  readonly #options: IcsFeedOptions;

  constructor(options: IcsFeedOptions) {
    this.#options = options;
  }

  /** The feed's text. Fails with 'timeout', 'unreachable', 'not_found', 'bad_response' (too large, HTTP error). */
  fetchText(feedUrl: string): Promise<string> {
    const url = feedFetchUrl(feedUrl);
    const maxBytes = this.#options.maxBytes ?? DEFAULT_MAX_FEED_BYTES;
    return withDeadline(
      this.#options,
      url,
      'ICS feed',
      async (fetch) => {
        const response = await fetch(url, {
          headers: { Accept: 'text/calendar, text/plain;q=0.5, */*;q=0.1' },
        });
        if (!response.ok) {
          await response.body?.cancel().catch(() => undefined);
          throw statusError(response.status, 'ICS feed', url);
        }
        const declared = Number(response.headers.get('content-length'));
        if (Number.isFinite(declared) && declared > maxBytes) {
          await response.body?.cancel().catch(() => undefined);
          throw tooLarge(url, maxBytes);
        }
        return readCapped(response, url, maxBytes);
      },
      { maxResponseBytes: maxBytes },
    );
  }

  async readBusy(
    feedUrl: string,
    window: Interval,
    calendarZone: string,
    report: ExpansionReport = newExpansionReport(),
  ): Promise<Interval[]> {
    const text = await this.fetchText(feedUrl);
    return busyIntervalsFromICalendar(text, window, calendarZone, report);
  }
}

function tooLarge(url: string, maxBytes: number): ExternalCalendarError {
  return new ExternalCalendarError(
    'bad_response',
    `ICS feed at ${describeOrigin(url)}: larger than ${maxBytes} bytes`,
  );
}

/** The body as UTF-8 text, stopping (and failing) as soon as it exceeds `maxBytes`. */
async function readCapped(response: Response, url: string, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
