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
