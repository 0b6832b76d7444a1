/**
 * The availability work of every request, run off the event loop (SPEC 9): a fixed pool of worker
 * threads (one per core by default), jobs queued in arrival order, each job's inputs moved to its
 * worker as typed arrays (codec.ts). A job that runs over its budget is stopped by terminating its
 * worker, answered with ComputeBudgetError, and the worker replaced; so is a worker that dies.
 * Threads start with the first job.
 */
import { availableParallelism } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { SequenceTooComplexError } from '../../domain/engine/sequence.ts';
import type {
  AvailabilityQuery,
  AvailableSlot,
  SequenceOption,
  SequenceQuery,
} from '../../domain/engine/types.ts';
import { type AvailabilityCompute, ComputeBudgetError } from '../../ports/compute.ts';
import { type ComputeJob, encodeAvailability, encodeSequences, transferList } from './codec.ts';
import type { WorkerReply } from './worker.ts';

const WORKER_FILE = new URL('./worker.ts', import.meta.url);

type Pending = {
  readonly id: number;
  readonly job: ComputeJob;
  resolve(result: unknown): void;
  reject(error: Error): void;
};

/** A worker; it takes jobs once it said it is ready (so its start-up never counts against a budget). */
type Slot = { worker: Worker; ready: boolean; running: Pending | null; timer: NodeJS.Timeout | null };

export type WorkerPoolOptions = {
  /** Worker threads; default one per core. */
  readonly workers?: number;
  /** Longest a job may run in its worker, in milliseconds. */
  readonly budgetMs: number;
  /** Heap limits of each worker: a job that runs out of memory ends its worker, not the process. */
  readonly resourceLimits?: ResourceLimits;
};

export class WorkerPoolCompute implements AvailabilityCompute {
  /** Longest a job may run; a change applies to the jobs dispatched after it. */
  budgetMs: number;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #size: number;
  #nextId = 1;
  #closed = false;
  /** Workers replaced after running over budget or dying (for tests and metrics). */
  replaced = 0;

  constructor(options: WorkerPoolOptions) {
    this.budgetMs = options.budgetMs;
    this.#resourceLimits = options.resourceLimits;
    this.#size = Math.max(1, options.workers ?? availableParallelism());
  }

  findAvailability(query: AvailabilityQuery): Promise<AvailableSlot[]> {
    return this.#submit(encodeAvailability(query)) as Promise<AvailableSlot[]>;
  }

  findSequences(query: SequenceQuery): Promise<SequenceOption[]> {
    return this.#submit(encodeSequences(query)) as Promise<SequenceOption[]>;
  }

  /** Stops every worker; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new Error('the compute pool is closed');
    for (const pending of this.#queue.splice(0)) pending.reject(stopped);
    await Promise.all(
      this.#slots.map((slot) => {
        this.#finish(slot)?.reject(stopped);
        return slot.worker.terminate();
      }),
    );
  }

  #submit(job: ComputeJob): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('the compute pool is closed'));
    // Threads start with the first job, so a process that never computes (or is still starting
    // to listen) does not compile the engine in them.
    while (this.#slots.length < this.#size) this.#slots.push(this.#start());
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, job, resolve, reject });
      this.#dispatch();
    });
  }

  #start(): Slot {
    const worker = new Worker(
      WORKER_FILE,
      this.#resourceLimits === undefined ? {} : { resourceLimits: this.#resourceLimits },
    );
    const slot: Slot = { worker, ready: false, running: null, timer: null };
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (reply: WorkerReply) => this.#answer(slot, reply));
    worker.on('error', (error) => this.#replace(slot, new Error(`compute worker failed: ${error.message}`)));
    worker.on('exit', () => this.#replace(slot, new Error('compute worker stopped')));
    return slot;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (!slot.ready || slot.running !== null) continue;
      const next = this.#queue.shift();
      if (next === undefined) return;
      slot.running = next;
      slot.worker.ref(); // a job in flight keeps the process alive until it is answered
      const budgetMs = this.budgetMs;
      slot.timer = setTimeout(() => this.#replace(slot, new ComputeBudgetError(budgetMs)), budgetMs);
      slot.worker.postMessage({ id: next.id, job: next.job }, transferList(next.job));
    }
  }

  /** Detaches the slot's running job (if any) and returns it. */
  #finish(slot: Slot): Pending | null {
    const running = slot.running;
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.running = null;
    slot.worker.unref();
    return running;
  }

  #answer(slot: Slot, reply: WorkerReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      this.#dispatch();
      return;
    }
    if (slot.running?.id !== reply.id) return;
    const pending = this.#finish(slot)!;
    if (reply.ok) pending.resolve(reply.result);
    else if (reply.tooComplex) pending.reject(new SequenceTooComplexError(reply.message));
    else pending.reject(new Error(reply.message));
    this.#dispatch();
  }

  /** Ends the slot's worker (over budget, failed or exited) and puts a fresh one in its place. */
  #replace(slot: Slot, reason: Error): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return; // already replaced (a terminated worker still reports its exit)
    this.#finish(slot)?.reject(reason);
    if (this.#closed) return;
    this.#slots.splice(index, 1);
    slot.worker.removeAllListeners('message');
    void slot.worker.terminate();
    this.replaced += 1;
    this.#slots.push(this.#start());
    this.#dispatch();
  }
}
