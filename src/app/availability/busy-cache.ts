/**
 * Native calendars' busy time kept in memory per calendar, valid for exactly one calendar
 * version. Every event write bumps the version in its own transaction, and a reader takes the
 * version before reading the events, so an entry can only be stamped older than its contents:
 * a stale entry is never served, whichever process wrote (SQLite file or PostgreSQL).
 */
import type { Interval } from '../../domain/time/intervals.ts';
import type { CalendarRecord } from '../../ports/store.ts';

type Entry = {
  readonly version: number;
  readonly from: number;
  readonly to: number;
  readonly busy: readonly Interval[];
};

export class BusyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxCalendars: number;

  constructor(maxCalendars = 20_000) {
    this.#maxCalendars = maxCalendars;
  }

  /** The calendar's busy time within `window`, when an entry of its current version covers it. */
  lookup(calendar: CalendarRecord, window: Interval): readonly Interval[] | undefined {
    const entry = this.#entries.get(calendar.id);
    if (entry === undefined || entry.version !== calendar.version) return undefined;
    if (entry.from > window.start || entry.to < window.end) return undefined;
    // Refresh its place in the eviction order (Map iteration order is insertion order).
    this.#entries.delete(calendar.id);
    this.#entries.set(calendar.id, entry);
    return entry.busy;
  }

  store(calendar: CalendarRecord, window: Interval, busy: readonly Interval[]): void {
    this.#entries.delete(calendar.id);
    this.#entries.set(calendar.id, { version: calendar.version, from: window.start, to: window.end, busy });
    while (this.#entries.size > this.#maxCalendars) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
