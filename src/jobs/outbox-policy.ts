/**
 * Retry policy of the outbox, as data and pure functions (SPEC 6.4): exponential backoff with
 * jitter, retried for at least 24 hours, then failed.
 */
export const OUTBOX_POLICY = {
  /** First retry after about this long. */
  baseDelayMs: 10_000,
  /** No wait between attempts grows beyond this. */
  maxDelayMs: 60 * 60_000,
  /** Keep trying at least this long after the item was queued. */
  giveUpAfterMs: 24 * 60 * 60_000,
  /** ±20 % jitter so many failing receivers are not retried in lockstep. */
  jitter: 0.2,
  /** One delivery attempt may take this long (SPEC 6.4: any 2xx within 10 s). */
  attemptTimeoutMs: 10_000,
  /**
   * The lease of a claimed item when the worker is given none (tests); the server passes
   * OUTBOX_LEASE_SECONDS. A crashed process's items become claimable again after it.
   */
  leaseMs: 60_000,
} as const;

/** Delay before attempt `attempt + 1`, given `attempt` failed attempts so far (1-based); `random` in [0, 1). */
export function retryDelayMs(attempt: number, random: number): number {
  const exponential = Math.min(
    OUTBOX_POLICY.maxDelayMs,
    OUTBOX_POLICY.baseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(exponential * (1 - OUTBOX_POLICY.jitter + 2 * OUTBOX_POLICY.jitter * random));
}

/** After a failed attempt at `now`: the next attempt time, or null when it is time to give up. */
export function nextAttemptAt(
  createdAt: number,
  attempt: number,
  now: number,
  random: number,
): number | null {
  if (now - createdAt >= OUTBOX_POLICY.giveUpAfterMs) return null;
  return now + retryDelayMs(attempt, random);
}
