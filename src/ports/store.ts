/**
 * The storage port. app/ talks only to these interfaces; adapters/storage implements them for
 * SQLite and PostgreSQL, and both pass test/contract/storage-contract.ts unchanged.
 * Instants are epoch milliseconds. Records are plain data.
 */
import type { Interval } from '../domain/time/intervals.ts';
import type { WeeklyPeriod } from '../domain/time/weekly-rules.ts';
import type { ChannelRepo } from './channels.ts';
import type { ConnectionRepo } from './connections.ts';
import type { CountedEventRow, LoadLimit } from './load-limits.ts';
import type { DeliveryAttemptRecord, OutboxRecord, OutboxStatus } from './outbox-records.ts';
import type { SchemaStatus, SealedValuesRepo, SettingsRepo } from './sealed.ts';
import type { SourceStatusRepo } from './source-status.ts';
import type { SyncRepo } from './sync.ts';

export type { DeliveryAttemptRecord, OutboxKind, OutboxRecord, OutboxStatus } from './outbox-records.ts';

export type ApplicationRecord = {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  readonly createdAt: number;
  /** Display settings of the booking pages (SPEC 2); null when not set. */
  readonly displayName: string | null;
  readonly logoUrl: string | null;
  readonly accentColour: string | null;
};

/** The display settings of an application, all three written at once. */
export type ApplicationDisplay = Pick<ApplicationRecord, 'displayName' | 'logoUrl' | 'accentColour'>;

export type ClientSecretRecord = {
  readonly id: string;
  readonly applicationId: string;
  /** SHA-256 of the secret (hex), for lookup; the secret itself is compared in constant time. */
  readonly secretHash: string;
  /** The secret, sealed with SECRET_KEY when configured (needed in plain form to sign callbacks). */
  readonly secretSealed: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
};

export type AccountRecord = {
  readonly id: string;
  readonly applicationId: string;
  readonly applicationCalendarId: string | null;
  readonly profileId: string;
  readonly name: string;
  readonly createdAt: number;
};

export type TokenKind = 'access' | 'refresh';
export type AccessTokenRecord = {
  readonly tokenHash: string;
  readonly accountId: string;
  readonly kind: TokenKind;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  /** The tokens issued together (and their refreshes) share a grant; null only for old rows. */
  readonly grantId: string | null;
  /** When an access token stops working (SPEC 3 ACCESS_TOKEN_SECONDS); null: never. */
  readonly expiresAt: number | null;
};

/** `google` and `office365` calendars are kept by sync (SPEC 8c, ports/sync.ts). */
export type CalendarKind = 'native' | 'caldav' | 'ics' | 'google' | 'office365';
export type CalendarRecord = {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly kind: CalendarKind;
  readonly readOnly: boolean;
  readonly primary: boolean;
  readonly deleted: boolean;
  readonly tzid: string;
  readonly color: string | null;
  /** For external calendars: where and how to read it, sealed (it may hold a password). */
  readonly sourceSealed: string | null;
  readonly createdAt: number;
  /** Bumped by every event write in the same transaction (see app/availability/busy-cache.ts). */
  readonly version: number;
  readonly profileId?: string | null; // its /oauth/authorize profile (SPEC 8b); absent/null: the account's own
};

export type EventTransparency = 'opaque' | 'transparent';
export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

export type EventRecord = {
  readonly calendarId: string;
  /** The application's key (upsert key with calendarId). */
  readonly eventId: string;
  readonly eventUid: string;
  readonly summary: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly allDay: boolean;
  readonly transparency: EventTransparency;
  readonly status: EventStatus;
  readonly deleted: boolean;
  /** Wire fields kept as sent (start/end forms, description, location, reminders, tzid, …). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly updatedAt: number;
};

/** Just what availability needs of a busy event: lean, because it is read in bulk. */
export type BusyRow = { readonly calendarId: string; readonly startMs: number; readonly endMs: number };

export type AvailabilityRuleRecord = {
  readonly accountId: string;
  readonly ruleId: string;
  readonly tzid: string;
  readonly calendarIds: readonly string[] | null;
  readonly weeklyPeriods: readonly WeeklyPeriod[];
};

export type AvailablePeriodRecord = {
  readonly accountId: string;
  readonly periodId: string;
  readonly startMs: number;
  readonly endMs: number;
};

export type LinkKind = 'sequencing' | 'scheduling';
export type LinkStatus = 'open' | 'completed' | 'disabled' | 'rescheduling' | 'cancelled';

export type LinkRecord = {
  readonly id: string;
  readonly applicationId: string;
  readonly kind: LinkKind;
  readonly tokenHash: string;
  /** The token, sealed, so status calls can return the link URL again. */
  readonly tokenSealed: string;
  readonly status: LinkStatus;
  /** The normalised creation request (what the page and booking need). */
  readonly request: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  /** End of the last query period: after it the link is expired. */
  readonly expiresAt: number;
  readonly completedAt: number | null;
  /** The booked option, once completed. */
  readonly booked: Readonly<Record<string, unknown>> | null;
  readonly displayMessage: string | null;
  /** While `rescheduling`: the indices of the steps that move, or null for the whole loop. */
  readonly rescheduleSteps: readonly number[] | null;
  readonly cancelledAt: number | null;
  readonly cancelReason: string | null;
  /** Bumped by every change of the link (LinkRepo.transition); 0 when created. */
  readonly version: number;
  /** While `rescheduling`: who reopened the link (only an invitee's reschedule has a cutoff). */
  readonly rescheduleBy: RescheduleActor | null;
};
export type RescheduleActor = 'application' | 'invitee';

/** A change of a link's status made only from the `from` statuses (and at `version`, when given). */
export type LinkTransition = {
  readonly from: readonly LinkStatus[];
  readonly version?: number;
  readonly status: LinkStatus;
  readonly at: number;
  /** Who reopens a rescheduling link (default the application); cleared by any other status. */
  readonly rescheduleBy?: RescheduleActor;
  /** Replaces the booked option (and sets completed_at) when given. */
  readonly booked?: Record<string, unknown>;
  /** Sets (an array) or clears (null) the steps being rescheduled; unchanged when absent. */
  readonly rescheduleSteps?: readonly number[] | null;
  readonly displayMessage?: string; // a disabled link's page message, when given
  /** Sets cancelled_at and the reason when the new status is `cancelled`. */
  readonly cancelReason?: string | null;
};

export type ReservationKind = 'hold' | 'booking';

/** One participant made busy by rtseq for one interval: a hold or a booking. */
export type ReservationRecord = {
  readonly id: string;
  readonly linkId: string;
  readonly accountId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly kind: ReservationKind;
  /** Holds expire; bookings do not (null). */
  readonly expiresAt: number | null;
  /** Who holds it (the page session), so a later confirm can replace its own hold. */
  readonly holderKey: string | null;
  readonly tags?: readonly string[] | null; // the step event's tag values (SPEC 7), for constraints
};

export type Page<T> = { readonly items: readonly T[]; readonly total: number };

export interface ApplicationRepo {
  insert(app: ApplicationRecord): Promise<void>;
  byId(id: string): Promise<ApplicationRecord | undefined>;
  byClientId(clientId: string): Promise<ApplicationRecord | undefined>;
  list(): Promise<ApplicationRecord[]>;
  /** Replaces the display settings; false when there is no such application. */
  updateDisplay(id: string, display: ApplicationDisplay): Promise<boolean>;
  insertSecret(secret: ClientSecretRecord): Promise<void>;
  /** Active (not revoked) secrets whose hash matches. */
  secretsByHash(secretHash: string): Promise<ClientSecretRecord[]>;
  activeSecrets(applicationId: string): Promise<ClientSecretRecord[]>;
  revokeSecret(applicationId: string, secretId: string, at: number): Promise<boolean>;
}

export interface AccountRepo {
  insert(account: AccountRecord): Promise<void>;
  byId(id: string): Promise<AccountRecord | undefined>;
  byApplicationCalendarId(
    applicationId: string,
    applicationCalendarId: string,
  ): Promise<AccountRecord | undefined>;
  /** Accounts among `ids` that belong to the application (others are simply absent). */
  byIds(applicationId: string, ids: readonly string[]): Promise<AccountRecord[]>;
  listByApplication(applicationId: string): Promise<AccountRecord[]>;
  insertToken(token: AccessTokenRecord): Promise<void>;
  tokenByHash(tokenHash: string): Promise<AccessTokenRecord | undefined>;
  revokeToken(tokenHash: string, at: number): Promise<void>;
  /**
   * Spends a refresh token with one conditional write: true for exactly one caller, even when the
   * same token arrives at several processes at once (SPEC 3).
   */
  spendRefreshToken(tokenHash: string, at: number): Promise<boolean>;
  /** Revokes every live token of the grant; returns how many. */
  revokeGrant(grantId: string, at: number): Promise<number>;
  /** Revokes every live token of the account; returns how many. */
  revokeAccountTokens(accountId: string, at: number): Promise<number>;
}

export interface CalendarRepo {
  insert(calendar: CalendarRecord): Promise<void>;
  byId(id: string): Promise<CalendarRecord | undefined>;
  byAccount(accountId: string): Promise<CalendarRecord[]>;
  byAccounts(accountIds: readonly string[]): Promise<CalendarRecord[]>;
  /** CalDAV and ICS calendars of an application's accounts (or of one), oldest first, not deleted. */
  externalOf(applicationId: string, filter: { accountId?: string; limit: number }): Promise<CalendarRecord[]>;
}

export interface EventRepo {
  /** Insert or replace by (calendarId, eventId); returns the stored record. */
  upsert(event: EventRecord): Promise<void>;
  byKey(calendarId: string, eventId: string): Promise<EventRecord | undefined>;
  /** The events of one calendar with these event_ids (deleted ones included). */
  byKeys(calendarId: string, eventIds: readonly string[]): Promise<EventRecord[]>;
  /** `upsert` of records with distinct keys, at once: each calendar's bookkeeping done once. */
  upsertMany(events: readonly EventRecord[]): Promise<void>;
  /** Marks deleted; returns false when there was no such live event. */
  markDeleted(calendarId: string, eventId: string, at: number): Promise<boolean>;
  countedIn(calendarIds: readonly string[], window: Interval): Promise<CountedEventRow[]>; // SPEC 5.1 constraints
  /** Busy time (events not deleted, not cancelled, not transparent) overlapping the window. */
  busyIn(calendarIds: readonly string[], window: Interval): Promise<BusyRow[]>;
  /** Marks every live event of these calendars deleted (bulk delete); returns how many. */
  markDeletedIn(calendarIds: readonly string[], at: number): Promise<number>;
  /**
   * Events overlapping the window (or all managed when window is null), ordered by start.
   * `busyOnly` keeps what busyIn counts (not cancelled, not transparent); `modifiedSince` keeps
   * events updated at or after that instant.
   */
  page(
    calendarIds: readonly string[],
    window: Interval | null,
    options: {
      includeDeleted: boolean;
      offset: number;
      limit: number;
      busyOnly?: boolean;
      modifiedSince?: number;
    },
  ): Promise<Page<EventRecord>>;
}

export interface AvailabilityRuleRepo {
  upsert(rule: AvailabilityRuleRecord): Promise<void>;
  byId(accountId: string, ruleId: string): Promise<AvailabilityRuleRecord | undefined>;
  byAccount(accountId: string): Promise<AvailabilityRuleRecord[]>;
  byAccounts(accountIds: readonly string[]): Promise<AvailabilityRuleRecord[]>;
  delete(accountId: string, ruleId: string): Promise<boolean>;
}

export interface AvailablePeriodRepo {
  upsert(period: AvailablePeriodRecord): Promise<void>;
  delete(accountId: string, periodId: string): Promise<boolean>;
  /** Every stored period of the account (`delete_all`); returns how many were deleted. */
  deleteAll(accountId: string): Promise<number>;
  page(
    accountId: string,
    window: Interval | null,
    offset: number,
    limit: number,
  ): Promise<Page<AvailablePeriodRecord>>;
  byAccounts(accountIds: readonly string[], window: Interval): Promise<AvailablePeriodRecord[]>;
  /** Which of `accountIds` have at least one stored period, at any time (SPEC 5.1 managed accounts). */
  accountsWithAny(accountIds: readonly string[]): Promise<string[]>;
}

export interface LinkRepo {
  insert(link: LinkRecord): Promise<void>;
  byId(applicationId: string, id: string): Promise<LinkRecord | undefined>;
  byTokenHash(tokenHash: string): Promise<LinkRecord | undefined>;
  /** Newest first, for operators (`rtseq links list`); each filter optional, at most `limit`. */
  list(filter: { applicationId?: string; status?: LinkStatus; limit: number }): Promise<LinkRecord[]>;
  /** The link, locked until the transaction ends (FOR UPDATE; SQLite: the write lock), decision 0005. */
  lockById(id: string): Promise<LinkRecord | undefined>;
  /** Applies the transition when the link's status is one of `from`; returns whether it did. */
  transition(id: string, change: LinkTransition): Promise<boolean>;
}

/** Raised by ReservationRepo.insert when the new interval overlaps a live one of the same participant. */
export class ReservationConflictError extends Error {
  override name = 'ReservationConflictError';
}

export interface ReservationRepo {
  /**
   * Inserts reservations all-or-nothing in the surrounding transaction. Throws ReservationConflictError
   * when any overlaps a live reservation of its account other than `holder`'s holds (replaced; expired
   * holds never conflict), or, with `limits`, when a period of a limit would exceed it (LoadLimit).
   */
  insertAll(
    rows: readonly ReservationRecord[],
    now: number,
    holder: string | null,
    limits?: readonly LoadLimit[],
  ): Promise<void>;
  /** Live reservations (bookings and unexpired holds) of these accounts overlapping the window. */
  liveIn(accountIds: readonly string[], window: Interval, now: number): Promise<ReservationRecord[]>;
  releaseHolds(linkId: string, holderKey: string): Promise<void>;
  /** Deletes a link's reservations of these kinds (a reschedule or a cancel releases them). */
  releaseLink(linkId: string, kinds: readonly ReservationKind[]): Promise<void>;
  /** Bookings of one link (for re-display and status). */
  byLink(linkId: string): Promise<ReservationRecord[]>;
  /** Retention: deletes up to `limit` reservations that ended before `before`; returns how many. */
  pruneEndedBefore(before: number, limit: number): Promise<number>;
}

export interface OutboxRepo {
  insert(item: OutboxRecord): Promise<void>;
  byId(id: string): Promise<OutboxRecord | undefined>;
  byDeliveryId(deliveryId: string): Promise<OutboxRecord | undefined>;
  /**
   * Claims up to `limit` due pending items for `owner` until `leaseUntil`; an item whose lease has
   * expired may be claimed again. No item is claimed by two owners at once.
   */
  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<OutboxRecord[]>;
  /** Records an attempt and the new state; only if `owner` still holds the lease. */
  finishAttempt(
    id: string,
    owner: string,
    result: {
      attempt: DeliveryAttemptRecord;
      status: OutboxStatus;
      nextAttemptAt: number;
      lastError: string | null;
      finishedAt: number | null;
    },
  ): Promise<boolean>;
  /** Gives a claimed item back (graceful shutdown). */
  release(id: string, owner: string): Promise<void>;
  list(filter: { applicationId?: string; status?: OutboxStatus; limit: number }): Promise<OutboxRecord[]>;
  attempts(id: string): Promise<DeliveryAttemptRecord[]>;
  /** Makes a failed or pending item due now again; returns whether it existed. */
  replay(id: string, now: number, applicationId?: string): Promise<boolean>;
  /** How many items wait for delivery, and when the oldest of them was queued (metrics). */
  backlog(): Promise<{ pending: number; oldestCreatedAt: number | null }>;
  /** Retention: deletes up to `limit` items delivered before `before`, with their attempts. */
  pruneDeliveredBefore(before: number, limit: number): Promise<number>;
}

/** The one hold a link may have (SPEC 9): who holds which option until when. */
export type LinkHoldRecord = {
  readonly linkId: string;
  readonly holderKey: string;
  /** The held option as the page writes it (`optionKey` of app/booking/booking.ts). */
  readonly optionKey: string;
  readonly expiresAt: number;
};

/** Per-link guards against abuse of the public page (issue 12). */
export interface LinkGuardRepo {
  /**
   * Records `hold` as the link's one hold, replacing any other. On PostgreSQL the row lock this
   * takes queues concurrent holds of one link, so call it before touching the link's reservations.
   */
  putHold(hold: LinkHoldRecord): Promise<void>;
  /** The link's recorded hold, expired or not. */
  hold(linkId: string): Promise<LinkHoldRecord | undefined>;
  /** Forgets the link's hold when `holderKey` holds it. */
  clearHold(linkId: string, holderKey: string): Promise<void>;
  /**
   * Marks "None of these times work" as used on the link; false when it already was (then nothing
   * may be sent again). `notified` says whether the organiser was told, for later answers.
   */
  markNoTimesSuitable(linkId: string, at: number, notified: boolean): Promise<boolean>;
  /** Whether the organiser was told the first time; undefined when the action was never used. */
  noTimesSuitable(linkId: string): Promise<{ readonly notified: boolean } | undefined>;
}

/** Every repository, bound to one transaction or to autocommit reads. */
export type Repos = {
  readonly applications: ApplicationRepo;
  readonly accounts: AccountRepo;
  readonly calendars: CalendarRepo;
  readonly events: EventRepo;
  readonly rules: AvailabilityRuleRepo;
  readonly periods: AvailablePeriodRepo;
  readonly links: LinkRepo;
  readonly reservations: ReservationRepo;
  readonly outbox: OutboxRepo;
  readonly linkGuards: LinkGuardRepo;
  /** The last read of each external calendar (SPEC 8). */
  readonly sourceStatus: SourceStatusRepo;
  readonly sealedValues: SealedValuesRepo;
  readonly settings: SettingsRepo;
  readonly connections: ConnectionRepo; // redirect URIs, profiles, codes, link tokens (SPEC 8b)
  /** Push notification channels and their pending changes (SPEC 8d). */
  readonly channels: ChannelRepo;
  /** Synced Google and Microsoft 365 calendars (SPEC 8c). */
  readonly sync: SyncRepo;
};

export type StoreKind = 'sqlite' | 'postgres';
export interface Store {
  readonly kind: StoreKind;
  /** Runs `work` in one serialisable-enough transaction: all of it commits or none of it. */
  transaction<T>(work: (repos: Repos) => Promise<T>): Promise<T>;
  /** Runs reads without an explicit transaction. */
  read<T>(work: (repos: Repos) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Which migrations are pending, and which applied ones this code does not know. */
  schema(): Promise<SchemaStatus>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
