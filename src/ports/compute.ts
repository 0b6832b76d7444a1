/**
 * Where availability work runs (SPEC 9 "computation per request"). app/ hands the engine's queries
 * to this port; adapters/compute runs them off the event loop in worker threads, each request within
 * a budget. The engine itself stays pure and knows nothing of threads.
 */

import type { Explanation, UnavailableSource } from '../domain/engine/explain.ts';
import type {
  AvailabilityQuery,
  AvailableSlot,
  SequenceOption,
  SequenceQuery,
} from '../domain/engine/types.ts';

/** What an explanation (SPEC 5.7) needs besides the query: the members whose source failed, by sub. */
export type ExplainRequest = { readonly unavailable: ReadonlyMap<string, UnavailableSource> };

export interface AvailabilityCompute {
  findAvailability(query: AvailabilityQuery): Promise<AvailableSlot[]>;
  /** Rejects with the engine's SequenceTooComplexError when shared ordinals make the search too large. */
  findSequences(query: SequenceQuery): Promise<SequenceOption[]>;
  /**
   * The answer and its explanation (SPEC 5.7) in one job, so both come from the same facts within
   * one budget. Optional: without it app/ explains on the event loop (tests' stand-in ports).
   */
  explainAvailability?(
    query: AvailabilityQuery,
    explain: ExplainRequest,
  ): Promise<{ slots: AvailableSlot[]; explanation: Explanation }>;
  explainSequences?(
    query: SequenceQuery,
    explain: ExplainRequest,
  ): Promise<{ options: SequenceOption[]; explanation: Explanation }>;
}

/** The work ran over its budget and was stopped (answered as 422 `errors.too_complex`). */
export class ComputeBudgetError extends Error {
  override name = 'ComputeBudgetError';
  readonly budgetMs: number;
  constructor(budgetMs: number) {
    super(`the computation ran over its budget of ${budgetMs} ms and was stopped`);
    this.budgetMs = budgetMs;
  }
}

/** Who availability work is for (docs/deployment.md, "Compute capacity"). */
export type ComputeLane = 'page' | 'api';
export type ComputeClient = {
  readonly lane: ComputeLane;
  /** Whose share it counts against: the application on the API, the client address on pages. */
  tenant: string;
};

/**
 * The work was not run because the server is at capacity: the lane's queue or the tenant's share
 * was full (`full`), or it waited past its budget for a thread (`waited`). Answered 429 (API,
 * `full`) or 503 (pages, and `waited`), with Retry-After.
 */
export class ComputeBusyError extends Error {
  override name = 'ComputeBusyError';
  readonly lane: ComputeLane;
  readonly reason: 'full' | 'waited';
  readonly retryAfterSeconds: number;
  constructor(lane: ComputeLane, reason: 'full' | 'waited', retryAfterSeconds: number) {
    super(
      reason === 'full'
        ? 'too much availability work is waiting; try again shortly'
        : 'the availability work waited for a free thread past its budget; try again shortly',
    );
    this.lane = lane;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
