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
  readonly bytes: number;
};

/**
 * Estimated heap bytes of one entry and of each cached interval: an Interval is a small object
 * whose two epoch-millisecond fields are heap numbers, plus its array slot; measured at about
 * 83 bytes per cached event with 10k calendars (issue 28), rounded up here.
 */
export const ENTRY_BYTES = 240;
export const INTERVAL_BYTES = 88;

export function estimatedBytes(busy: readonly Interval[]): number {
  return ENTRY_BYTES + INTERVAL_BYTES * busy.length;
}

/** Bounded by bytes (`BUSY_CACHE_MB`), least recently used first out. */
export class BusyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes = 64 * 1_048_576) {
    this.#maxBytes = maxBytes;
  }

  /** Estimated bytes held now (never above the bound). */
  get bytes(): number {
    return this.#bytes;
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
    this.#remove(calendar.id);
    const bytes = estimatedBytes(busy);
    // One calendar larger than the whole bound is served uncached rather than flushing the rest.
    if (bytes > this.#maxBytes) return;
    this.#entries.set(calendar.id, {
      version: calendar.version,
      from: window.start,
      to: window.end,
      busy,
      bytes,
    });
    this.#bytes += bytes;
    for (const oldest of this.#entries.keys()) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#remove(oldest);
    }
  }

  #remove(calendarId: string): void {
    const entry = this.#entries.get(calendarId);
    if (entry === undefined) return;
    this.#entries.delete(calendarId);
    this.#bytes -= entry.bytes;
  }
}
