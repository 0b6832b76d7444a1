/**
 * Storage of synced calendars (SPEC 8c): for each Google or Microsoft 365 calendar, where its sync
 * stands (cursor, the range its copy covers, when it is due, who holds it), its push subscription,
 * the copy of its busy time, and the provider's ids of the events rtseq wrote into it.
 */
import type { Interval } from '../domain/time/intervals.ts';
import type { SyncedProviderName } from './synced-provider.ts';

export type SyncedCalendarRecord = {
  readonly calendarId: string;
  readonly profileId: string;
  readonly provider: SyncedProviderName;
  /** The provider's id of the calendar. */
  readonly remoteId: string;
  /** Where the next incremental sync starts; null: the next sync is a full one. */
  readonly cursor: string | null;
  /** The range the copy covers; null until the first full sync completed. */
  readonly coveredStart: number | null;
  readonly coveredEnd: number | null;
  /** Last completed sync; null: never (the calendar's members are unavailable until then). */
  readonly syncedAt: number | null;
  /** When the next sync should run (a push makes it now). */
  readonly dueAt: number;
  /** A sync in progress holds the row until then (several processes on PostgreSQL). */
  readonly leaseUntil: number;
  /** Why the last sync failed; null after a success. */
  readonly failure: string | null;
  readonly watchId: string | null;
  readonly watchResourceId: string | null;
  /** Hash of the secret the provider sends with each push (Google's token, Graph's clientState). */
  readonly watchSecretHash: string | null;
  readonly watchExpiresAt: number | null;
};

/** What one completed sync writes. `full`: the copy is replaced; else the changes are applied. */
export type SyncWrite = {
  readonly calendarId: string;
  readonly full: boolean;
  /** Busy intervals by event key; an event that is no longer busy is in `removed`. */
  readonly upserts: readonly { readonly key: string; readonly busy: Interval }[];
  readonly removed: readonly string[];
  readonly cursor: string;
  readonly covered: Interval;
  readonly syncedAt: number;
  readonly nextDueAt: number;
};

export interface SyncRepo {
  insert(record: SyncedCalendarRecord): Promise<void>;
  byCalendar(calendarId: string): Promise<SyncedCalendarRecord | undefined>;
  byCalendars(calendarIds: readonly string[]): Promise<SyncedCalendarRecord[]>;
  byProfile(profileId: string): Promise<SyncedCalendarRecord[]>;
  byWatch(watchId: string): Promise<SyncedCalendarRecord | undefined>;
  /** Calendars whose sync is due or whose subscription ends before `renewBefore`, not held by a lease. */
  due(now: number, renewBefore: number, limit: number): Promise<SyncedCalendarRecord[]>;
  /** Takes the row until `until` when nobody holds it; true for exactly one caller. */
  claim(calendarId: string, now: number, until: number): Promise<boolean>;
  release(calendarId: string): Promise<void>;
  /** Brings the next sync forward to `at` (a push). */
  makeDue(calendarId: string, at: number): Promise<void>;
  /** Writes a completed sync (copy, cursor, covered range, next due time) and releases the lease. */
  applySync(write: SyncWrite): Promise<void>;
  /** Records a failed sync: the reason and when to try again; keeps the copy; releases the lease. */
  recordFailure(calendarId: string, reason: string, nextDueAt: number): Promise<void>;
  /** Forgets the copy and the cursor (the provider no longer accepts the cursor). */
  resetCopy(calendarId: string): Promise<void>;
  setWatch(
    calendarId: string,
    watch: {
      readonly id: string;
      readonly resourceId: string | null;
      readonly secretHash: string;
      readonly expiresAt: number;
    } | null,
  ): Promise<void>;
  /** Busy intervals of the copies of these calendars that overlap `window`. */
  busyIn(calendarIds: readonly string[], window: Interval): Promise<{ calendarId: string; busy: Interval }[]>;
  /** Deletes the sync rows, copies and written-event ids of a profile's calendars. */
  forgetProfile(profileId: string): Promise<void>;

  /** The provider's id of an event rtseq wrote into the calendar. */
  remoteEventId(calendarId: string, eventUid: string): Promise<string | undefined>;
  setRemoteEventId(calendarId: string, eventUid: string, remoteId: string | null): Promise<void>;
}
