/**
 * A fixed pool of worker threads running one kind of job each, shared by the engine's pool
 * (compute/pool.ts) and the external calendars' expansion pool (calendars/expansion/pool.ts):
 * jobs queue in arrival order; a job that runs over `budgetMs` is stopped by terminating its
 * worker, which is replaced, and so is a worker that fails or exits. Workers start with the first
 * job, take jobs only once they said they are ready (start-up never counts against a budget), and
 * never keep an idle process alive.
 */
import { availableParallelism } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/** What every worker of a pool posts back: once `ready`, then one reply per job id. */
export type PoolReply = { readonly id: 0; readonly ready: true } | { readonly id: number };

export type BudgetedPoolOptions = {
  /** Worker threads; default one per core. */
  readonly workers?: number;
  /** Longest a job may run in its worker, in milliseconds. */
  readonly budgetMs: number;
  /**
   * Heap limits of each worker: a job that runs out of memory ends its worker, not the process.
   * Default: DEFAULT_WORKER_LIMITS.
   */
  readonly resourceLimits?: ResourceLimits;
};

/**
 * A young generation of 16 MB per worker instead of V8's default (which grows with the machine's
 * memory): the jobs' own data lives in typed arrays, so scavenges stay short, and the server's peak
 * RSS with 4 XL requests running fell from 732 to 640 MB with no change in latency
 * (docs/benchmarks.md).
 */
export const DEFAULT_WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16 };

/** What differs between pools: the worker's file, how replies settle jobs, the errors given. */
export type PoolKind<Job, Reply extends PoolReply, Result> = {
  readonly file: URL;
  /** The error every job gets once the pool is closed. */
  readonly closedMessage: string;
  /** Buffers moved (not copied) to the worker with the job. */
  transfer(job: Job): readonly ArrayBuffer[];
  /** A job's reply as its result, or as the error it is rejected with. */
  settle(reply: Exclude<Reply, { ready: true }>): { ok: true; result: Result } | { ok: false; error: Error };
  /** The error of a job stopped after `budgetMs`. */
  overBudget(budgetMs: number): Error;
  /** The error of a job whose worker failed (`error`) or stopped. */
  workerLost(error: Error | null): Error;
};

type Pending<Job, Result> = {
  readonly id: number;
  readonly job: Job;
  resolve(result: Result): void;
  reject(error: Error): void;
};

type Slot<Job, Result> = {
  worker: Worker;
  ready: boolean;
  running: Pending<Job, Result> | null;
  timer: NodeJS.Timeout | null;
};

export class BudgetedWorkerPool<Job, Reply extends PoolReply, Result> {
  /** Longest a job may run; a change applies to the jobs dispatched after it. */
  budgetMs: number;
  /** Workers replaced after running over budget or dying, and workers started (tests, metrics). */
  replaced = 0;
  started = 0;
  readonly #kind: PoolKind<Job, Reply, Result>;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #size: number;
  readonly #slots: Slot<Job, Result>[] = [];
  readonly #queue: Pending<Job, Result>[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: BudgetedPoolOptions, kind: PoolKind<Job, Reply, Result>) {
    this.budgetMs = options.budgetMs;
    this.#kind = kind;
    this.#resourceLimits = options.resourceLimits;
    this.#size = Math.max(1, options.workers ?? availableParallelism());
  }

  run(job: Job): Promise<Result> {
    if (this.#closed) return Promise.reject(new Error(this.#kind.closedMessage));
    while (this.#slots.length < this.#size) this.#slots.push(this.#start());
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, job, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every worker; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new Error(this.#kind.closedMessage);
    for (const pending of this.#queue.splice(0)) pending.reject(stopped);
    await Promise.all(
      this.#slots.map((slot) => {
        this.#finish(slot)?.reject(stopped);
        return slot.worker.terminate();
      }),
    );
  }

  #start(): Slot<Job, Result> {
    const worker = new Worker(this.#kind.file, {
      resourceLimits: this.#resourceLimits ?? DEFAULT_WORKER_LIMITS,
    });
    const slot: Slot<Job, Result> = { worker, ready: false, running: null, timer: null };
    this.started += 1;
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (reply: Reply) => this.#answer(slot, reply));
    worker.on('error', (error) => this.#replace(slot, this.#kind.workerLost(error)));
    worker.on('exit', () => this.#replace(slot, this.#kind.workerLost(null)));
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
      slot.timer = setTimeout(() => this.#replace(slot, this.#kind.overBudget(budgetMs)), budgetMs);
      slot.worker.postMessage({ id: next.id, job: next.job }, [...this.#kind.transfer(next.job)]);
    }
  }

  /** Detaches the slot's running job (if any) and returns it. */
  #finish(slot: Slot<Job, Result>): Pending<Job, Result> | null {
    const running = slot.running;
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.running = null;
    slot.worker.unref();
    return running;
  }

  #answer(slot: Slot<Job, Result>, reply: Reply): void {
    if ('ready' in reply) {
      slot.ready = true;
      this.#dispatch();
      return;
    }
    if (slot.running?.id !== reply.id) return;
    const pending = this.#finish(slot)!;
    const settled = this.#kind.settle(reply as Exclude<Reply, { ready: true }>);
    if (settled.ok) pending.resolve(settled.result);
    else pending.reject(settled.error);
    this.#dispatch();
  }

  /** Ends the slot's worker (over budget, failed or exited) and puts a fresh one in its place. */
  #replace(slot: Slot<Job, Result>, reason: Error): void {
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
