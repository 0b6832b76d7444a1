/**
 * Ports for calendars that live outside rtseq (SPEC 8): CalDAV servers (read live, booked events
 * written back) and ICS feeds (read only). app/ depends on these interfaces only;
 * adapters/calendars implements them. Instants are epoch milliseconds, intervals half-open.
 *
 * Every method either resolves with complete data or rejects with an error whose `code` is an
 * {@link ExternalCalendarErrorCode}. A failed read never resolves with an empty busy list, so a
 * source that does not answer makes its member unavailable rather than silently free.
 */

import type { Interval } from '../domain/time/intervals.ts';
import type { BusyReadResult, CalendarProvider } from './calendar-provider.ts';

export type { BusyReadResult };

/** Why an external calendar operation failed. Stable strings; safe to show (they carry no secrets). */
export type ExternalCalendarErrorCode =
  /** No complete answer within the configured `timeoutMs` (CALENDAR_TIMEOUT_MS). */
  | 'timeout'
  /** The server rejected the username or password (HTTP 401). */
  | 'auth_failed'
  /** The credentials were accepted but the operation is not allowed (HTTP 403, read-only calendar). */
  | 'forbidden'
  /** The calendar or feed does not exist (HTTP 404/410). */
  | 'not_found'
  /** DNS failure, refused connection, reset, TLS failure: nothing usable came back. */
  | 'unreachable'
  /** The server answered, but not with what the protocol promises (5xx, wrong type, too large). */
  | 'bad_response'
  /** The iCalendar data could not be parsed or a recurrence rule could not be expanded. */
  | 'parse_failed'
  /** One read yielded more busy intervals in the window than expansion allows (SPEC 8: 20,000). */
  | 'too_many_busy'
  /** Parsing and expanding one read ran over COMPUTE_BUDGET_MS and was stopped (SPEC 8, 9). */
  | 'over_budget';

/** CalDAV account credentials (HTTP Basic). `serverUrl` may be the root or any URL on the server. */
export type CaldavCredentials = {
  readonly serverUrl: string;
  readonly username: string;
  readonly password: string;
};

/** Where an external calendar lives. */
export type ExternalCalendarRef =
  | { readonly kind: 'caldav'; readonly calendarUrl: string; readonly credentials: CaldavCredentials }
  | { readonly kind: 'ics'; readonly feedUrl: string };

/** A CalDAV calendar as discovery reports it. */
export type DiscoveredCalendar = {
  /** Absolute URL of the calendar collection, ending in `/`. */
  readonly calendarUrl: string;
  readonly displayName: string;
  /** True when the server says this user may not write events into it (or only reads are offered). */
  readonly readOnly: boolean;
  /** The calendar's own time zone (CALDAV:calendar-timezone) when the server reports one. */
  readonly tzid: string | null;
};

export interface ExternalCalendarReader {
  /**
   * Reads busy time overlapping `window`. `calendarZone` is the IANA zone in which all-day
   * events and floating times are read (the calendar's zone).
   * Rejects with an ExternalCalendarError ('timeout', 'unreachable', 'auth_failed', …).
   */
  readBusy(ref: ExternalCalendarRef, window: Interval, calendarZone: string): Promise<BusyReadResult>;
}

export interface CaldavDirectory {
  /**
   * Lists the event calendars of the account (principal → calendar home → collections).
   * A wrong username or password rejects with code 'auth_failed'.
   */
  discoverCalendars(credentials: CaldavCredentials): Promise<readonly DiscoveredCalendar[]>;
}

/** CalDAV calendar that events can be written into. */
export type CaldavCalendarRef = Extract<ExternalCalendarRef, { kind: 'caldav' }>;

export interface CaldavWriter {
  /**
   * Creates or replaces the calendar object for `uid` (a whole VCALENDAR text whose events carry
   * that UID). Idempotent: writing the same uid again updates the one event in place, so retries
   * from the outbox and re-bookings never duplicate it.
   */
  putEvent(ref: CaldavCalendarRef, uid: string, icsText: string): Promise<void>;
  /** Deletes the calendar object for `uid`. Deleting one that does not exist succeeds. */
  deleteEvent(ref: CaldavCalendarRef, uid: string): Promise<void>;
}

/** The providers behind the connector seam (ports/calendar-provider.ts), by calendar kind. */
export type ExternalProviders = {
  readonly caldav: CalendarProvider<CaldavCredentials, CaldavCalendarRef>;
  readonly ics: CalendarProvider<{ readonly feedUrl: string }, Extract<ExternalCalendarRef, { kind: 'ics' }>>;
};

/**
 * What connecting an account to an external source needs (app/calendars/external-accounts.ts): the
 * providers, whose `listCalendars` checks what a person typed (CalDAV discovery, one trial read of
 * a feed). wiring/wire.ts passes the adapters' `ExternalCalendars`, which is also the reader.
 */
export interface ExternalCalendarConnector extends ExternalCalendarReader {
  readonly caldav: CaldavDirectory;
  readonly providers: ExternalProviders;
}
