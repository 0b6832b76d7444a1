/**
 * ICS feeds behind the connector seam (ports/calendar-provider.ts): read only. A feed URL is
 * checked by one read that must parse as iCalendar; it is then one read-only calendar.
 */
import type { Interval } from '../../../domain/time/intervals.ts';
import type { CalendarProvider, ProviderCalendar } from '../../../ports/calendar-provider.ts';
import type { BusyReadResult } from '../../../ports/external-calendars.ts';
import type { CalendarExpander } from '../expansion/expansion.ts';
import type { IcsFeedReader } from './feed.ts';

export type IcsCredentials = { readonly feedUrl: string };
export type IcsCalendarRef = { readonly kind: 'ics'; readonly feedUrl: string };

const DAY_MS = 86_400_000;

export class IcsProvider implements CalendarProvider<IcsCredentials, IcsCalendarRef> {
  readonly name = 'ics' as const;
  readonly connect = 'form' as const;
  readonly #reader: IcsFeedReader;
  readonly #expander: CalendarExpander;
  readonly #now: () => number;

  constructor(reader: IcsFeedReader, expander: CalendarExpander, now: () => number = Date.now) {
    this.#reader = reader;
    this.#expander = expander;
    this.#now = now;
  }

  /** One trial read of the next day proves the URL serves iCalendar (else it rejects). */
  async listCalendars(credentials: IcsCredentials): Promise<readonly ProviderCalendar<IcsCalendarRef>[]> {
    const ref: IcsCalendarRef = { kind: 'ics', feedUrl: credentials.feedUrl };
    const now = this.#now();
    await this.readBusy(ref, { start: now, end: now + DAY_MS }, 'Etc/UTC');
    return [{ ref, name: '', readOnly: true, tzid: null }];
  }

  async readBusy(ref: IcsCalendarRef, window: Interval, calendarZone: string): Promise<BusyReadResult> {
    const text = await this.#reader.fetchText(ref.feedUrl);
    return this.#expander.expand({ data: { kind: 'ics', text }, window, calendarZone });
  }
}
