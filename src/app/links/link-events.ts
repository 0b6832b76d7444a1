/**
 * What the link use cases changed, announced after their transaction commits: a link's status
 * (booked, rescheduled, cancelled, disabled), a hold placed or released. Whatever keeps state
 * derived from links on this process (the booking page's shared views, the outbox worker's wake-up)
 * listens here, so a change made through the API is seen by the page at once, exactly like one made
 * through the page, and no route has to remember to invalidate anything.
 */
import type { AppContext } from '../context.ts';

export type LinkChange = {
  readonly linkId: string;
  /**
   * `status`: booked, rescheduled, cancelled, disabled; `hold`: a hold placed or released; `stale`:
   * nothing was written here, but a choice found the link's times changed elsewhere (another
   * process, the events API), so views computed before are out of date.
   */
  readonly kind: 'status' | 'hold' | 'stale';
  /** Whether the change queued outbox rows (callbacks, CalDAV writes) for the worker. */
  readonly queued: boolean;
};

type Listener = (change: LinkChange) => void;

const listeners = new WeakMap<AppContext, Set<Listener>>();

/** Calls `listener` after every link change made through this context; returns the unsubscribe. */
export function onLinkChange(ctx: AppContext, listener: Listener): () => void {
  let set = listeners.get(ctx);
  if (set === undefined) {
    set = new Set();
    listeners.set(ctx, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}

/** Announces a committed change (use cases only, after their transaction). */
export function announce(ctx: AppContext, change: LinkChange): void {
  for (const listener of listeners.get(ctx) ?? []) listener(change);
}
