/**
 * The connector seam (SPEC 8b, 8c): one port every external calendar provider implements, so a
 * provider is one adapter folder under src/adapters/calendars/<provider>/. CalDAV and ICS are the
 * first two; Google Calendar and Microsoft 365 add the optional members (their OAuth grant, sync
 * cursors, push subscriptions) when they arrive.
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

/** What an OAuth provider hands back for a person (Google, Microsoft); sealed at rest. */
export type ProviderGrant = {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  /** Epoch ms the access token stops working. */
  readonly expiresAt: number;
  /** The person's name at the provider (their e-mail address), the profile's name. */
  readonly profileName: string;
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

/** A change a sync found: the busy intervals of one event, or its removal. */
export type ProviderChange =
  | { readonly kind: 'upsert'; readonly eventKey: string; readonly busy: readonly Interval[] }
  | { readonly kind: 'delete'; readonly eventKey: string };

export interface CalendarProvider<Credentials, Ref> {
  readonly name: ProviderName;
  /**
   * How a person connects on /oauth/authorize: `form` (credentials typed on rtseq's page: CalDAV,
   * ICS) or `redirect` (the provider's own consent page: Google, Microsoft 365).
   */
  readonly connect: 'form' | 'redirect';

  /** `redirect` providers: the provider's consent URL that comes back to `redirectUri`. */
  authorizeUrl?(input: { readonly state: string; readonly redirectUri: string }): string;
  /** `redirect` providers: the grant for the code the provider sent back. */
  exchange?(input: { readonly code: string; readonly redirectUri: string }): Promise<ProviderGrant>;
  /** `redirect` providers: a fresh access token; rejects with `auth_failed` when the grant is gone. */
  refresh?(grant: ProviderGrant): Promise<ProviderGrant>;

  /**
   * The calendars the credentials reach; this is also the check that they work (a wrong password
   * rejects with `auth_failed`, a feed that is not iCalendar with `parse_failed`).
   */
  listCalendars(credentials: Credentials): Promise<readonly ProviderCalendar<Ref>[]>;
  /** Busy time overlapping `window`; `calendarZone` places all-day and floating events. */
  readBusy(ref: Ref, window: Interval, calendarZone: string): Promise<BusyReadResult>;
  /** Providers with change feeds: what changed since `cursor` (null: everything in `window`). */
  syncChanges?(
    ref: Ref,
    cursor: string | null,
    window: Interval,
  ): Promise<{ readonly changes: readonly ProviderChange[]; readonly cursor: string }>;

  /** Writable providers: creates or replaces the event `uid` (a VCALENDAR text); idempotent. */
  writeEvent?(ref: Ref, uid: string, icsText: string): Promise<void>;
  /** Writable providers: changes an event in place (providers without PATCH write it whole). */
  patchEvent?(ref: Ref, uid: string, icsText: string): Promise<void>;
  /** Writable providers: deletes the event `uid`; deleting one that does not exist succeeds. */
  deleteEvent?(ref: Ref, uid: string): Promise<void>;
  /** Providers with push: asks the provider to call `callbackUrl` on changes; returns when to renew. */
  subscribe?(ref: Ref, callbackUrl: string): Promise<{ readonly id: string; readonly expiresAt: number }>;
}
