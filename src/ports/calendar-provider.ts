/**
 * The connector seam (SPEC 8b, 8c), its first shape: providers read live, whose credentials a
 * person types on rtseq's page (CalDAV, ICS). Providers a person signs in to and whose calendars are
 * kept by sync (Google Calendar, Microsoft 365) implement the seam's other shape,
 * ports/synced-provider.ts (OAuth grant, sync cursor, fresh reads, JSON writes, push
 * subscriptions). Either way a provider is one adapter folder under src/adapters/calendars/<provider>/.
 *
 * Every method either resolves with complete data or rejects with an error whose `code` is an
 * ExternalCalendarErrorCode (ports/external-calendars.ts): a read never resolves empty because
 * something failed.
 */
import type { Interval } from '../domain/time/intervals.ts';
import type { ProviderName } from './connections.ts';

/** One calendar a provider's credentials reach, as `listCalendars` reports it. */
export type ProviderCalendar<Ref> = {
  /** Where it lives (sealed into the calendar's source). */
  readonly ref: Ref;
  readonly name: string;
  readonly readOnly: boolean;
  /** The calendar's own time zone when the provider reports one. */
  readonly tzid: string | null;
};

/**
 * Busy time of one external calendar inside a window: events that are not cancelled and not
 * transparent, recurring series expanded, all-day events covering their dates in the calendar's
 * zone. Intervals intersect the window but are not clipped to it, merged or deduplicated; they
 * are sorted by start.
 */
export type BusyReadResult = {
  readonly busy: readonly Interval[];
  /** What expansion left out (FREQ=SECONDLY/MINUTELY rules, SPEC 8), one note each: the source status. */
  readonly ignored?: readonly string[];
};

export interface CalendarProvider<Credentials, Ref> {
  readonly name: ProviderName;
  /** How a person connects on /oauth/authorize: a form on rtseq's page (URL, user name, password). */
  readonly connect: 'form';

  /**
   * The calendars the credentials reach; this is also the check that they work (a wrong password
   * rejects with `auth_failed`, a feed that is not iCalendar with `parse_failed`).
   */
  listCalendars(credentials: Credentials): Promise<readonly ProviderCalendar<Ref>[]>;
  /** Busy time overlapping `window`; `calendarZone` places all-day and floating events. */
  readBusy(ref: Ref, window: Interval, calendarZone: string): Promise<BusyReadResult>;
  /** Writable providers: creates or replaces the event `uid` (a VCALENDAR text); idempotent. */
  writeEvent?(ref: Ref, uid: string, icsText: string): Promise<void>;
  /** Writable providers: changes an event in place (providers without PATCH write it whole). */
  patchEvent?(ref: Ref, uid: string, icsText: string): Promise<void>;
  /** Writable providers: deletes the event `uid`; deleting one that does not exist succeeds. */
  deleteEvent?(ref: Ref, uid: string): Promise<void>;
}
