/**
 * The account's source status (SPEC 8): what the last read of each external calendar found. The
 * busy source writes one after every read it makes (never for a cached answer); the API and the
 * CLI show it (docs/api.md, `GET /v1/external_calendars`). Each successful read also leaves a
 * fingerprint of what it found, from which changes are noticed (SPEC 8d, app/calendars/source-status.ts).
 */

/** What one successful read found: a hash of its busy intervals and the window it covered. */
export type SourceFingerprint = {
  /** Of the busy intervals, sorted (adapters/calendars/busy-source.ts); equal busy time, equal hash. */
  readonly hash: string;
  readonly windowStart: number;
  readonly windowEnd: number;
};

export type SourceStatusRecord = {
  readonly calendarId: string;
  /** When the read finished. */
  readonly readAt: number;
  readonly ok: boolean;
  /** Why a failed read failed, in the words of `unavailable_sources`; null when it succeeded. */
  readonly reason: string | null;
  /** Busy intervals in the window; null when the read failed. */
  readonly busyCount: number | null;
  /** Rules expansion left out, e.g. `event abc: FREQ=MINUTELY rule ignored` (bounded, one line each). */
  readonly ignored: readonly string[];
  /** The window that read asked for, [windowStart, windowEnd). */
  readonly windowStart: number;
  readonly windowEnd: number;
  /**
   * Written: what this read found (null when it failed). Read back: what the last successful read
   * found (a failed read keeps the one before), or null before the first.
   */
  readonly fingerprint: SourceFingerprint | null;
};

export interface SourceStatusRepo {
  /**
   * Stores the status unless a later read of the same calendar is already stored; a status without
   * a fingerprint keeps the stored one.
   */
  record(status: SourceStatusRecord): Promise<void>;
  byCalendars(calendarIds: readonly string[]): Promise<SourceStatusRecord[]>;
}

/** Where the busy source reports each read (wiring/wire.ts writes them to the store). */
export type SourceStatusSink = (status: SourceStatusRecord) => Promise<void>;
