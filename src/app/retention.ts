/**
 * Retention (issue 28): history that keeps no guarantee alive is deleted after a configurable age,
 * so booking transactions, the outbox and listings do not slow down as the years pile up.
 * Reservations guard against double booking only until their time has passed; delivered callbacks
 * are kept for the listing and replay API for a while, then go. Failed and pending deliveries,
 * links, and calendar events are never pruned here.
 */
import type { AppContext } from './context.ts';

export type RetentionPolicy = {
  /** Reservations that ended longer ago than this are deleted; null keeps them for ever. */
  readonly reservationsMs: number | null;
  /** Delivered outbox items finished longer ago than this are deleted; null keeps them. */
  readonly deliveriesMs: number | null;
};

/** Rows deleted per transaction: short transactions, so bookings never wait long behind one. */
export const PRUNE_BATCH = 500;
/** Batches per kind in one run; the next run continues where this one stopped. */
export const PRUNE_MAX_BATCHES = 200;

export type PruneResult = { readonly reservations: number; readonly deliveries: number };

async function inBatches(prune: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < PRUNE_MAX_BATCHES; batch += 1) {
    const deleted = await prune();
    total += deleted;
    if (deleted < PRUNE_BATCH) break;
  }
  return total;
}

/** One retention run; any number of processes may run it at once (deleting is idempotent). */
export async function pruneHistory(ctx: AppContext, policy: RetentionPolicy): Promise<PruneResult> {
  const now = ctx.clock.now();
  const { reservationsMs, deliveriesMs } = policy;
  const reservations =
    reservationsMs === null
      ? 0
      : await inBatches(() =>
          ctx.store.transaction((repos) =>
            repos.reservations.pruneEndedBefore(now - reservationsMs, PRUNE_BATCH),
          ),
        );
  const deliveries =
    deliveriesMs === null
      ? 0
      : await inBatches(() =>
          ctx.store.transaction((repos) =>
            repos.outbox.pruneDeliveredBefore(now - deliveriesMs, PRUNE_BATCH),
          ),
        );
  return { reservations, deliveries };
}
