/**
 * The {@link ExternalBusySource} app/ reads CalDAV and ICS calendars through (SPEC 5.1, 8): unseals
 * where a calendar lives, reads it under CALENDAR_TIMEOUT_MS, keeps results for
 * CALENDAR_CACHE_SECONDS for page views, and turns every failure into a reason a person can act
 * on. It never throws: a failed source makes its member unavailable, never free. Each read's
 * outcome, with a fingerprint of what a successful one found, goes to the source status sink.
 */
import { createHash } from 'node:crypto';
import type { Interval } from '../../domain/time/intervals.ts';
import type { ExternalBusySource, SourceFailure } from '../../ports/busy-source.ts';
import type {
  ExternalCalendarErrorCode,
  ExternalCalendarReader,
  ExternalCalendarRef,
} from '../../ports/external-calendars.ts';
import type { Clock, SecretBox } from '../../ports/runtime.ts';
import type { SourceFingerprint, SourceStatusSink } from '../../ports/source-status.ts';
import type { CalendarRecord } from '../../ports/store.ts';
import { describeOrigin, isExternalCalendarError } from './errors.ts';

export type BusySourceOptions = {
  readonly reader: ExternalCalendarReader;
  /** Opens `CalendarRecord.sourceSealed` (JSON of an {@link ExternalCalendarRef}). */
  readonly secrets: Pick<SecretBox, 'unseal'>;
  /** Only for the cache's ages. */
  readonly clock: Clock;
  /** CALENDAR_CACHE_SECONDS; 0 turns the cache off. */
  readonly cacheSeconds: number;
  /** CALENDAR_TIMEOUT_MS, as the reader enforces it; used in the "did not answer" reason. */
  readonly timeoutMs: number;
  /** Most results kept at once; the oldest go first. Default 2000. */
  readonly maxCacheEntries?: number;
  /** COMPUTE_BUDGET_MS, as the expander enforces it; used in the "took too long" reason. */
  readonly budgetMs?: number;
  /**
   * Told the outcome of every read made (not of cached answers): the account's source status
   * (SPEC 8). Awaited before the read's result is returned; its failures are ignored.
   */
  readonly statuses?: SourceStatusSink;
};

type ReadResult =
  | { ok: true; busy: Interval[]; ignored?: readonly string[] }
  | { ok: false; failure: SourceFailure };
type CacheEntry = { readonly result: ReadResult & { ok: true }; readonly storedAt: number };

/**
 * Reads busy time of external calendars with a short cache keyed by (calendar, window, zone).
 * `fresh: true` (booking, SPEC 6.3) always reads the source and stores what it read, so page
 * views after a booking see at least that. Failures are not cached: the next view tries again.
 * Concurrent cached reads of one key share one request.
 */
export class CachedExternalBusySource implements ExternalBusySource {
  readonly #options: BusySourceOptions;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inFlight = new Map<string, Promise<ReadResult>>();

  constructor(options: BusySourceOptions) {
    this.#options = options;
  }

  async readBusy(
    calendar: CalendarRecord,
    window: Interval,
    options: { fresh: boolean },
  ): Promise<ReadResult> {
    const key = `${calendar.id}|${window.start}|${window.end}|${calendar.tzid}`;
    if (!options.fresh) {
      const cached = this.#cached(key);
      if (cached !== undefined) return copy(cached);
      const pending = this.#inFlight.get(key);
      if (pending !== undefined) return copy(await pending);
    }
    const read = this.#read(calendar, window).then((result) => {
      if (result.ok) this.#store(key, result);
      return result;
    });
    if (!options.fresh) {
      this.#inFlight.set(key, read);
      void read.finally(() => this.#inFlight.delete(key));
    }
    return copy(await read);
  }

  /** Drops every cached result (tests; an operator changing a calendar). */
  clear(): void {
    this.#cache.clear();
  }

  #cached(key: string): (ReadResult & { ok: true }) | undefined {
    const entry = this.#cache.get(key);
    if (entry === undefined) return undefined;
    const age = this.#options.clock.now() - entry.storedAt;
    if (age >= 0 && age < this.#options.cacheSeconds * 1000) return entry.result;
    this.#cache.delete(key);
    return undefined;
  }

  #store(key: string, result: ReadResult & { ok: true }): void {
    if (this.#options.cacheSeconds <= 0) return;
    this.#cache.delete(key);
    this.#cache.set(key, { result, storedAt: this.#options.clock.now() });
    const max = this.#options.maxCacheEntries ?? 2000;
    for (const oldest of this.#cache.keys()) {
      if (this.#cache.size <= max) break;
      this.#cache.delete(oldest);
    }
  }

  async #read(calendar: CalendarRecord, window: Interval): Promise<ReadResult> {
    if (calendar.kind === 'native' || calendar.sourceSealed === null) {
      return {
        ok: false,
        failure: { calendarId: calendar.id, reason: 'the calendar has no external source' },
      };
    }
    const result = await this.#readSource(calendar, calendar.sourceSealed, window);
    const statuses = this.#options.statuses;
    if (statuses !== undefined) {
      await statuses({
        calendarId: calendar.id,
        readAt: this.#options.clock.now(),
        ok: result.ok,
        reason: result.ok ? null : result.failure.reason,
        busyCount: result.ok ? result.busy.length : null,
        ignored: result.ok ? (result.ignored ?? []) : [],
        windowStart: window.start,
        windowEnd: window.end,
        fingerprint: result.ok ? fingerprintOf(result.busy, window) : null,
      }).catch(() => undefined); // the status is a report; a failed write must not fail the read
    }
    return result;
  }

  async #readSource(calendar: CalendarRecord, sealed: string, window: Interval): Promise<ReadResult> {
    const fail = (reason: string): ReadResult => ({
      ok: false,
      failure: { calendarId: calendar.id, reason },
    });
    let ref: ExternalCalendarRef;
    try {
      ref = parseRef(this.#options.secrets.unseal(sealed));
    } catch {
      // Wrong or missing SECRET_KEY, or a damaged row. The sealed text itself is never echoed.
      return fail('the stored connection details could not be read (was SECRET_KEY changed?)');
    }
    try {
      const { busy, ignored = [] } = await this.#options.reader.readBusy(ref, window, calendar.tzid);
      return { ok: true, busy: [...busy], ...(ignored.length === 0 ? {} : { ignored }) };
    } catch (error) {
      const code = isExternalCalendarError(error) ? error.code : null;
      return fail(failureReason(ref, code, this.#options.timeoutMs, this.#options.budgetMs));
    }
  }
}

/**
 * What a successful read found, for noticing changes (SPEC 8d): a SHA-256 of its busy intervals
 * in time order (the order a source lists its events in does not matter), with the window.
 */
export function fingerprintOf(busy: readonly Interval[], window: Interval): SourceFingerprint {
  const sorted = [...busy].sort((a, b) => a.start - b.start || a.end - b.end);
  const hash = createHash('sha256');
  for (const interval of sorted) hash.update(`${interval.start}-${interval.end};`);
  return { hash: hash.digest('base64url'), windowStart: window.start, windowEnd: window.end };
}

function copy(result: ReadResult): ReadResult {
  return result.ok ? { ...result, busy: [...result.busy] } : result;
}

/** Parses a sealed source, checking its shape: a damaged row must fail here, not deep in a client. */
export function parseRef(json: string): ExternalCalendarRef {
  const value = JSON.parse(json) as Record<string, unknown>;
  if (value.kind === 'ics' && typeof value.feedUrl === 'string')
    return { kind: 'ics', feedUrl: value.feedUrl };
  const credentials = value.credentials as Record<string, unknown> | undefined;
  if (
    value.kind === 'caldav' &&
    typeof value.calendarUrl === 'string' &&
    typeof credentials?.serverUrl === 'string' &&
    typeof credentials.username === 'string' &&
    typeof credentials.password === 'string'
  ) {
    return {
      kind: 'caldav',
      calendarUrl: value.calendarUrl,
      credentials: {
        serverUrl: credentials.serverUrl,
        username: credentials.username,
        password: credentials.password,
      },
    };
  }
  throw new Error('not an external calendar source');
}

/**
 * A reason for the API's `unavailable_sources` and the page: what failed and where
 * (`scheme://host:port` only, so neither credentials nor a feed's secret path ever show).
 */
export function failureReason(
  ref: ExternalCalendarRef,
  code: ExternalCalendarErrorCode | null,
  timeoutMs: number,
  budgetMs?: number,
): string {
  const caldav = ref.kind === 'caldav';
  const source = `${caldav ? 'CalDAV server' : 'ICS feed'} ${describeOrigin(caldav ? ref.calendarUrl : ref.feedUrl)}`;
  switch (code) {
    case 'timeout':
      return `${source} did not answer within ${timeoutMs} ms`;
    case 'unreachable':
      return `${source} could not be reached`;
    case 'auth_failed':
      return `${source}: wrong username or password`;
    case 'forbidden':
      return `${source} refused access to the calendar`;
    case 'not_found':
      return caldav ? `${source}: the calendar no longer exists` : `${source}: the feed was not found`;
    case 'bad_response':
      return `${source} gave an unexpected answer`;
    case 'parse_failed':
      return `${source} sent calendar data that could not be read`;
    case 'too_many_busy':
      return `${source} has more than 20,000 busy intervals in the requested window`;
    case 'over_budget':
      return `${source}: reading its events took longer than ${budgetMs === undefined ? 'the time allowed' : `${budgetMs} ms`} (too many events or recurring series in the requested window)`;
    case null:
      return `${source} could not be read`;
  }
}
