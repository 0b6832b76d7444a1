/**
 * The connector seam for providers a person signs in to (SPEC 8c): Google Calendar and Microsoft
 * 365. Unlike CalDAV and ICS (read live, ports/calendar-provider.ts), their busy time is kept in
 * rtseq by incremental sync fed by push, their grant is an OAuth refresh token, and their events
 * are JSON resources, not iCalendar objects. One adapter folder each under
 * src/adapters/calendars/<provider>/ implements {@link SyncedCalendarProvider}; app/sync/ runs the
 * sync, the pushes, the fresh reads of a booking and the writes of the outbox through it.
 *
 * Every method either resolves with complete data or rejects with a {@link ProviderError}: a read
 * never resolves empty because something failed. Rate-limit answers (429, Google's 403
 * `rateLimitExceeded`/`userRateLimitExceeded`, Graph's 429 `MailboxConcurrency`) are retried inside
 * the adapter after `Retry-After` (or with backoff) while the call's deadline allows; only then do
 * they reject with `rate_limited`.
 */
import type { Interval } from '../domain/time/intervals.ts';

export type SyncedProviderName = 'google' | 'office365';

/** Whether a provider or calendar kind is one kept by sync (Google Calendar, Microsoft 365). */
export const isSyncedProvider = (name: string): name is SyncedProviderName =>
  name === 'google' || name === 'office365';

/** Why a provider call failed. Stable strings, safe to show and to log. */
export type ProviderErrorCode =
  /** The grant is gone (`invalid_grant`, AADSTS70000 and friends, a refused refresh): relink. */
  | 'grant_revoked'
  /** The access token was refused (401): refresh it and try once more. */
  | 'unauthorized'
  /** Allowed in general, not this (403 that is not a rate limit; a read-only calendar). */
  | 'forbidden'
  | 'not_found'
  /** The sync cursor is no longer valid (Google 410, Graph 410 / `syncStateNotFound`): sync again from nothing. */
  | 'sync_reset'
  /** Still rate limited when the deadline came. */
  | 'rate_limited'
  /** No complete answer before the deadline. */
  | 'timeout'
  /** DNS, refused connection, reset, TLS. */
  | 'unreachable'
  /** 5xx, or an answer that is not what the API documents. */
  | 'bad_response';

export type ProviderError = Error & { readonly code: ProviderErrorCode };

export function providerError(code: ProviderErrorCode, message: string): ProviderError {
  return Object.assign(new Error(message), { code });
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

/** What the token endpoint handed back; sealed with SECRET_KEY at rest. */
export type OAuthGrant = {
  readonly accessToken: string;
  /** Kept from the previous grant when a refresh answer carries none (Google's usual answer). */
  readonly refreshToken: string;
  /** Epoch ms at which the access token stops working. */
  readonly expiresAt: number;
};

/** Who signed in: the profile's name (their e-mail address) and the provider's id for them. */
export type ProviderIdentity = { readonly profileName: string; readonly providerUserId: string };

/** One calendar the grant reaches. */
export type RemoteCalendar = {
  /** The provider's calendar id (Google: `primary` is not used, the real id is). */
  readonly id: string;
  readonly name: string;
  readonly primary: boolean;
  readonly readOnly: boolean;
  /** IANA zone of the calendar (all-day events are read in it); null when the provider gives none. */
  readonly tzid: string | null;
};

/**
 * One event as sync sees it. `busy` is null when the event does not make its owner busy
 * (cancelled; Google `transparent` or declined by the calendar's owner; Graph `isCancelled`,
 * `showAs` free or workingElsewhere). Recurring series come as their instances (Google
 * `singleEvents=true`; Graph calendarView), each its own key. All-day events cover their dates in
 * the calendar's zone.
 */
export type RemoteEventChange =
  | {
      readonly kind: 'upsert';
      /** The provider's id of the event (of the instance, for a recurring series). */
      readonly key: string;
      readonly busy: Interval | null;
      /** Set on events rtseq wrote itself (the uid it gave them), so sync can leave them to rtseq. */
      readonly rtseqUid: string | null;
    }
  | { readonly kind: 'delete'; readonly key: string };

export type SyncResult = {
  readonly changes: readonly RemoteEventChange[];
  /** Google's nextSyncToken, Graph's @odata.deltaLink: where the next sync starts. */
  readonly cursor: string;
};

/** A booked event as rtseq writes it into a provider calendar. */
export type ProviderEventInput = {
  /** rtseq's stable event uid: makes a retried insert harmless (Google's event id, Graph's transactionId). */
  readonly uid: string;
  readonly summary: string;
  readonly description: string | null;
  readonly location: string | null;
  readonly start: number;
  readonly end: number;
  /** The zone the event is shown in. */
  readonly tzid: string;
};

/** A push subscription: Google watch channel or Graph subscription. */
export type Watch = {
  /** Google channel id; Graph subscription id. */
  readonly id: string;
  /** Google's resourceId (needed by channels/stop); null for Graph. */
  readonly resourceId: string | null;
  /** Epoch ms at which the provider stops pushing. */
  readonly expiresAt: number;
};

/** A call's limit: the adapter gives up (rejecting `timeout` or `rate_limited`) at this epoch ms. */
export type CallOptions = { readonly deadline: number };

export interface SyncedCalendarProvider {
  readonly name: SyncedProviderName;

  /** The provider's consent page, coming back to `redirectUri` with `code` and `state`. */
  authorizeUrl(input: { readonly state: string; readonly redirectUri: string }): string;
  /** Exchanges the code the consent page sent back; `grant_revoked` when the provider refuses it. */
  exchange(
    input: { readonly code: string; readonly redirectUri: string },
    options: CallOptions,
  ): Promise<OAuthGrant>;
  /** A fresh access token; rejects `grant_revoked` when the refresh token no longer works. */
  refresh(grant: OAuthGrant, options: CallOptions): Promise<OAuthGrant>;
  /** Who the grant belongs to (Google: the primary calendar's id / userinfo; Graph: `me`). */
  identity(accessToken: string, options: CallOptions): Promise<ProviderIdentity>;
  /** Every calendar the grant reaches, primary first, paging followed. */
  listCalendars(accessToken: string, options: CallOptions): Promise<readonly RemoteCalendar[]>;

  /**
   * Incremental sync of one calendar: with `cursor` null, everything in `window` (a full sync);
   * else what changed since the cursor. Pages are followed to the end. Rejects `sync_reset` when
   * the cursor is no longer accepted (the caller forgets what it kept and syncs from null).
   */
  sync(
    accessToken: string,
    calendar: RemoteCalendar,
    cursor: string | null,
    window: Interval,
    options: CallOptions,
  ): Promise<SyncResult>;
  /**
   * Busy time of these calendars in `window`, read now (booking's fresh read, SPEC 6.3; a window
   * outside the synced range). Google: one `freeBusy`; Graph: `calendarView` per calendar.
   */
  readBusy(
    accessToken: string,
    calendars: readonly RemoteCalendar[],
    window: Interval,
    options: CallOptions,
  ): Promise<ReadonlyMap<string, readonly Interval[]>>;

  /**
   * Creates the event; a retry with the same `uid` never creates a second one (it answers the
   * first one's id). Notifies no attendee (`sendUpdates=none`).
   */
  insertEvent(
    accessToken: string,
    calendarId: string,
    event: ProviderEventInput,
    options: CallOptions,
  ): Promise<{ readonly remoteId: string }>;
  /** Changes the event in place. Rejects `not_found` when it is gone. */
  patchEvent(
    accessToken: string,
    calendarId: string,
    remoteId: string,
    event: ProviderEventInput,
    options: CallOptions,
  ): Promise<void>;
  /** Deletes the event; one already gone succeeds. */
  deleteEvent(accessToken: string, calendarId: string, remoteId: string, options: CallOptions): Promise<void>;

  /**
   * Asks the provider to push changes of the calendar to `address`, carrying `secret` (Google's
   * channel token, Graph's clientState) so a push can be told from a forgery.
   */
  watch(
    accessToken: string,
    calendarId: string,
    address: string,
    secret: string,
    options: CallOptions,
  ): Promise<Watch>;
  /**
   * Providers that can extend a subscription in place (Graph's PATCH of `expirationDateTime`);
   * rejects `not_found` when the provider dropped it (a new one is made with `watch`).
   */
  renewWatch?(accessToken: string, watch: Watch, options: CallOptions): Promise<Watch>;
  /** Stops a push subscription; one already gone succeeds. */
  stopWatch(accessToken: string, watch: Watch, options: CallOptions): Promise<void>;
}
