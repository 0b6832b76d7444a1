/**
 * Push notification channels (SPEC 8d): what a channel watches, and the pending change each one
 * may have. Every write of the events table records a pending change for the channels that watch
 * the event's calendar in the same transaction (adapters/storage/sql/repos/events.ts), so no write
 * path can forget to; the outbox worker turns due pending changes into notifications.
 */

/** The filters as the client sent them (known keys only); echoed in answers and notifications. */
export type ChannelFilters = {
  readonly calendar_ids?: readonly string[];
  readonly only_managed?: boolean;
};

export type ChannelRecord = {
  readonly id: string;
  readonly applicationId: string;
  readonly accountId: string;
  readonly callbackUrl: string;
  readonly filters: ChannelFilters;
  readonly createdAt: number;
  /** When its last `change` notification was queued; null before the first. */
  readonly lastNotifiedAt: number | null;
};

/** A channel whose pending change became due: notify it of changes since `changesSince`. */
export type DueChange = { readonly channel: ChannelRecord; readonly changesSince: number };

export interface ChannelRepo {
  /**
   * Inserts the channel unless the account already has `max` channels; returns whether it did.
   * Concurrent inserts for one account are serialised, so the limit holds across processes.
   */
  insertWithin(channel: ChannelRecord, max: number): Promise<boolean>;
  byId(id: string): Promise<ChannelRecord | undefined>;
  /** The account's channels, oldest first. */
  byAccount(accountId: string): Promise<ChannelRecord[]>;
  /** Deletes the channel and its pending change; returns whether it existed. */
  delete(id: string): Promise<boolean>;
  /**
   * Records a change at `at` to events of these calendars for every channel watching one of them
   * (`managed: false` skips channels that want only managed events): a channel's pending change
   * keeps the earliest time.
   */
  noteChanges(calendarIds: readonly string[], at: number, managed: boolean): Promise<void>;
  /**
   * Takes up to `limit` pending changes whose channel was last notified at or before
   * `notifiedBefore` (or never), marks those channels notified at `now`, and returns them. Two
   * processes never take the same change.
   */
  takeDue(now: number, notifiedBefore: number, limit: number): Promise<DueChange[]>;
}
