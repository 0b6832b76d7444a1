/**
 * The availability work of every request, run off the event loop (SPEC 9): a fixed pool of worker
 * threads (one per core by default and one for pages, adapters/worker-pool.ts), jobs admitted and
 * ordered by lane and tenant (adapters/admission.ts), each job's inputs moved to its worker as
 * typed arrays (codec.ts). A job not admitted, or still waiting when its budget is spent, is
 * answered with ComputeBusyError. A job that runs over what is left of its budget is stopped by
 * terminating its worker, answered with ComputeBudgetError, and the worker replaced; so is a
 * worker that dies. Threads start with the first job, so a process that never computes (or is
 * still starting to listen) does not compile the engine in them.
 */
import type { Explanation } from '../../domain/engine/explain.ts';
import { SequenceTooComplexError } from '../../domain/engine/sequence.ts';
import type {
  AvailabilityQuery,
  AvailableSlot,
  SequenceOption,
  SequenceQuery,
} from '../../domain/engine/types.ts';
import {
  type AvailabilityCompute,
  ComputeBudgetError,
  ComputeBusyError,
  type ExplainRequest,
} from '../../ports/compute.ts';
import { type BudgetedPoolOptions, BudgetedWorkerPool } from '../worker-pool.ts';
import { type ComputeJob, encodeAvailability, encodeSequences, transferList } from './codec.ts';
import { type PackedSlots, unpackSlots } from './slots-codec.ts';
import type { WorkerReply } from './worker.ts';

export type WorkerPoolOptions = BudgetedPoolOptions;

export class WorkerPoolCompute
  extends BudgetedWorkerPool<ComputeJob, WorkerReply, unknown>
  implements AvailabilityCompute
{
  constructor(options: WorkerPoolOptions) {
    super(options, {
      file: new URL('./worker.ts', import.meta.url),
      closedMessage: 'the compute pool is closed',
      transfer: transferList,
      settle: (reply) => {
        if (reply.ok) return { ok: true, result: reply.result };
        const error = reply.tooComplex
          ? new SequenceTooComplexError(reply.message)
          : new Error(reply.message);
        return { ok: false, error };
      },
      overBudget: (budgetMs) => new ComputeBudgetError(budgetMs),
      busy: (lane, reason, retryAfter) => new ComputeBusyError(lane, reason, retryAfter),
      workerLost: (error) =>
        new Error(error === null ? 'compute worker stopped' : `compute worker failed: ${error.message}`),
    });
  }

  async findAvailability(query: AvailabilityQuery): Promise<AvailableSlot[]> {
    return unpackSlots((await this.run(encodeAvailability(query))) as PackedSlots);
  }

  findSequences(query: SequenceQuery): Promise<SequenceOption[]> {
    return this.run(encodeSequences(query)) as Promise<SequenceOption[]>;
  }

  async explainAvailability(
    query: AvailabilityQuery,
    explain: ExplainRequest,
  ): Promise<{ slots: AvailableSlot[]; explanation: Explanation }> {
    const answer = (await this.run(encodeAvailability(query, explain))) as {
      slots: PackedSlots;
      explanation: Explanation;
    };
    return { slots: unpackSlots(answer.slots), explanation: answer.explanation };
  }

  explainSequences(query: SequenceQuery, explain: ExplainRequest) {
    return this.run(encodeSequences(query, explain)) as Promise<{
      options: SequenceOption[];
      explanation: Explanation;
    }>;
  }
}
