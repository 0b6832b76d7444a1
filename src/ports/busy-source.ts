import type { Interval } from '../domain/time/intervals.ts';
import type { CalendarRecord } from './store.ts';

/** Why an external calendar could not be read; the member is then unavailable (SPEC 8). */
export type SourceFailure = { readonly calendarId: string; readonly reason: string };

/**
 * Busy time of external (CalDAV / ICS) calendars. `fresh` bypasses the short page-view cache
 * (bookings always read fresh). Throws nothing: failures come back as values.
 */
export interface ExternalBusySource {
  readBusy(
    calendar: CalendarRecord,
    window: Interval,
    options: { fresh: boolean },
  ): Promise<
    | {
        ok: true;
        busy: Interval[];
        /** What expansion left out (FREQ=SECONDLY/MINUTELY rules, SPEC 8): the source's status notes. */
        ignored?: readonly string[];
      }
    | { ok: false; failure: SourceFailure }
  >;
}
