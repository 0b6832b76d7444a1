/**
 * The shared-view cache of the booking page: one computed page state per link, shared between
 * viewers for up to a second (see docs/booking-page.md, "Caches").
 */
import { type ViewedState, viewLink } from '../app/booking.ts';
import type { AppContext } from '../app/context.ts';

/** How long a computed page state may serve other visitors (see docs/booking-page.md). */
const VIEW_REUSE_MS = 1000;

/**
 * Page states shared between visitors of one link for up to VIEW_REUSE_MS, and between requests
 * that arrive while one computation is running. Only sessions without a hold share: a session
 * holding an option computes its own view (its hold must not hide its own time). Every hold,
 * booking and release made through this process drops all shared states at once, so this
 * process's pages never show a time it just took. Changes made elsewhere (another process, the
 * events API) show up within VIEW_REUSE_MS; booking always re-checks against fresh data.
 */
export class SharedViews {
  readonly #ctx: AppContext;
  readonly #byToken = new Map<string, { at: number; state: Promise<ViewedState | undefined> }>();
  readonly #holds = new Map<string, number>();

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  view(token: string, holderKey: string | undefined): Promise<ViewedState | undefined> {
    const now = this.#ctx.clock.now();
    if (holderKey !== undefined && (this.#holds.get(holderKey) ?? 0) > now) {
      return viewLink(this.#ctx, token, holderKey);
    }
    const entry = this.#byToken.get(token);
    if (entry !== undefined && now - entry.at < VIEW_REUSE_MS && now >= entry.at) return entry.state;
    if (this.#byToken.size >= 10_000) this.#sweep(now);
    const state = viewLink(this.#ctx, token);
    const fresh = { at: now, state };
    this.#byToken.set(token, fresh);
    state.catch(() => {
      if (this.#byToken.get(token) === fresh) this.#byToken.delete(token);
    });
    return state;
  }

  held(holderKey: string, expiresAt: number): void {
    if (this.#holds.size >= 10_000) {
      const now = this.#ctx.clock.now();
      for (const [key, until] of this.#holds) if (until <= now) this.#holds.delete(key);
    }
    this.#holds.set(holderKey, expiresAt);
    this.changed();
  }

  released(holderKey: string): void {
    this.#holds.delete(holderKey);
    this.changed();
  }

  /** Something this process did changed availability: nothing shared may be served again. */
  changed(): void {
    this.#byToken.clear();
  }

  #sweep(now: number): void {
    for (const [token, entry] of this.#byToken)
      if (now - entry.at >= VIEW_REUSE_MS) this.#byToken.delete(token);
  }
}
