/**
 * CalDAV behind the connector seam (ports/calendar-provider.ts): a person's login is checked by
 * discovering their event calendars; busy time is one time-range REPORT per calendar, expanded by
 * the shared expander (worker threads in the server); booked events are PUT and DELETEd.
 */
import type { Interval } from '../../../domain/time/intervals.ts';
import type { CalendarProvider, ProviderCalendar } from '../../../ports/calendar-provider.ts';
import type {
  BusyReadResult,
  CaldavCalendarRef,
  CaldavCredentials,
} from '../../../ports/external-calendars.ts';
import type { CalendarExpander } from '../expansion/expansion.ts';
import type { CaldavClient } from './client.ts';

export class CaldavProvider implements CalendarProvider<CaldavCredentials, CaldavCalendarRef> {
  readonly name = 'caldav' as const;
  readonly connect = 'form' as const;
  readonly #client: CaldavClient;
  readonly #expander: CalendarExpander;

  constructor(client: CaldavClient, expander: CalendarExpander) {
    this.#client = client;
    this.#expander = expander;
  }

  async listCalendars(
    credentials: CaldavCredentials,
  ): Promise<readonly ProviderCalendar<CaldavCalendarRef>[]> {
    const discovered = await this.#client.discoverCalendars(credentials);
    return discovered.map((calendar) => ({
      ref: { kind: 'caldav', calendarUrl: calendar.calendarUrl, credentials },
      name: calendar.displayName,
      readOnly: calendar.readOnly,
      tzid: calendar.tzid,
    }));
  }

  async readBusy(ref: CaldavCalendarRef, window: Interval, calendarZone: string): Promise<BusyReadResult> {
    const report = await this.#client.fetchReport(ref, window);
    return this.#expander.expand({
      data: { kind: 'caldav', calendarUrl: ref.calendarUrl, report },
      window,
      calendarZone,
    });
  }

  writeEvent(ref: CaldavCalendarRef, uid: string, icsText: string): Promise<void> {
    return this.#client.putEvent(ref, uid, icsText);
  }

  /** CalDAV has no partial update: the whole object is written again, in place. */
  patchEvent(ref: CaldavCalendarRef, uid: string, icsText: string): Promise<void> {
    return this.#client.putEvent(ref, uid, icsText);
  }

  deleteEvent(ref: CaldavCalendarRef, uid: string): Promise<void> {
    return this.#client.deleteEvent(ref, uid);
  }
}
