/**
 * The shared-view cache of the booking page: one computed page state per link, shared between
 * viewers for up to a second (see docs/booking-page.md, "Caches"), bounded by age and by bytes.
 */
import { type ViewedState, viewLink } from '../app/booking/booking.ts';
import type { AppContext } from '../app/context.ts';
import { onLinkChange } from '../app/links/link-events.ts';

/** How long a computed page state may serve other visitors (see docs/booking-page.md). */
const VIEW_REUSE_MS = 1000;

type Entry = { readonly at: number; readonly state: Promise<ViewedState | undefined>; bytes: number };

/** Roughly what a state costs in memory: its JSON size (states are plain data). */
function sizeOf(state: ViewedState | undefined): number {
  if (state === undefined) return 64;
  try {
    return JSON.stringify(state).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Page states shared between visitors of one link for up to VIEW_REUSE_MS, and between requests
 * that arrive while one computation is running. Every session shares, holding or not: a link's
 * views leave out that link's own hold (app/booking/booking.ts, viewLink), so a holder's view is everybody's
 * view. Every link change made through this process (a hold, its release, a booking, and a
 * reschedule, cancel or disable through the page or the API) drops all shared states at once, as the
 * use case announces it (app/links/link-events.ts), so this process's pages never show a time it just
 * took or a link state it just left (other links' views counted a hold as busy). Changes made
 * elsewhere (another process, the events API) show up within VIEW_REUSE_MS; booking always
 * re-checks against fresh data.
 *
 * Bounds (issue 12): entries older than VIEW_REUSE_MS are swept at least once a second, and the
 * states kept never add up to more than PAGE_CACHE_MAX_BYTES (oldest dropped first; a state
 * larger than the whole budget is used by the requests waiting for it and not kept).
 */
export class SharedViews {
  readonly #ctx: AppContext;
  readonly #maxBytes: number;
  /** Insertion order is age order: an entry is deleted before its token is set again. */
  readonly #byToken = new Map<string, Entry>();
  #bytes = 0;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#maxBytes = ctx.config.limits.pageCacheBytes;
    onLinkChange(ctx, () => this.changed());
  }

  /** Bytes the kept states take now (for tests and metrics). */
  get bytes(): number {
    return this.#bytes;
  }

  /** How many states are kept now. */
  get size(): number {
    return this.#byToken.size;
  }

  view(token: string): Promise<ViewedState | undefined> {
    const now = this.#ctx.clock.now();
    const entry = this.#byToken.get(token);
    if (entry !== undefined && now - entry.at < VIEW_REUSE_MS && now >= entry.at) return entry.state;
    if (entry !== undefined) this.#delete(token, entry);
    if (now - this.#lastSweep >= VIEW_REUSE_MS || now < this.#lastSweep) this.#sweep(now);
    const state = viewLink(this.#ctx, token);
    const fresh: Entry = { at: now, state, bytes: 0 };
    this.#byToken.set(token, fresh);
    state.then(
      (value) => {
        if (this.#byToken.get(token) !== fresh) return;
        const bytes = sizeOf(value);
        if (bytes > this.#maxBytes) {
          this.#delete(token, fresh);
          return;
        }
        fresh.bytes = bytes;
        this.#bytes += bytes;
        this.#fit();
      },
      () => {
        if (this.#byToken.get(token) === fresh) this.#delete(token, fresh);
      },
    );
    return state;
  }

  /**
   * Something this process did changed a link or availability (every link use case announces its
   * committed changes: app/links/link-events.ts): nothing shared may be served again.
   */
  changed(): void {
    this.#byToken.clear();
    this.#bytes = 0;
  }

  #delete(token: string, entry: Entry): void {
    this.#byToken.delete(token);
    this.#bytes -= entry.bytes;
  }

  /** Drops the oldest states until the kept ones fit the byte budget. */
  #fit(): void {
    for (const [token, entry] of this.#byToken) {
      if (this.#bytes <= this.#maxBytes) return;
      this.#delete(token, entry);
    }
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [token, entry] of this.#byToken) {
      if (now - entry.at >= VIEW_REUSE_MS || now < entry.at) this.#delete(token, entry);
    }
  }
}
