/**
 * A fixed pool of worker threads running one kind of job each, shared by the engine's pool
 * (compute/pool.ts) and the external calendars' expansion pool (calendars/expansion/pool.ts).
 * Jobs are admitted, queued and ordered by admission.ts: two lanes (booking pages on their own
 * threads as well as idle API ones, API work on at most `workers` threads), bounded queues, a
 * share per tenant, tenants in turn. A job's budget counts from its arrival: one still waiting at
 * the end of its budget is dropped, and a running one gets what is left of it; a job that runs
 * over is stopped by terminating its worker, which is replaced, and so is a worker that fails or
 * exits. Workers start with the first job, take jobs only once they said they are ready
 * (start-up never counts against a budget: the first jobs' budgets start when a thread is
 * ready), and never keep an idle process alive.
 */
import { availableParallelism } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { ComputeClient, ComputeLane } from '../ports/compute.ts';
import { Admission, type AdmissionLimits, type Ticket } from './admission.ts';

/** What every worker of a pool posts back: once `ready`, then one reply per job id. */
export type PoolReply = { readonly id: 0; readonly ready: true } | { readonly id: number };

export type BudgetedPoolOptions = {
  /** Worker threads API work may use; default one per core. */
  readonly workers?: number;
  /** Threads kept for booking pages on top of `workers`; default 1. */
  readonly pageWorkers?: number;
  /** Longest a job may wait and run, from its arrival, in milliseconds. */
  readonly budgetMs: number;
  /** Queue bounds and shares; default {@link defaultAdmission}. */
  readonly admission?: Omit<AdmissionLimits, 'apiThreads'>;
  /** The clock deadlines are read on (tests); default Date.now. */
  readonly now?: () => number;
  /**
   * Heap limits of each worker: a job that runs out of memory ends its worker, not the process.
   * Default: DEFAULT_WORKER_LIMITS.
   */
  readonly resourceLimits?: ResourceLimits;
  /**
   * Whose work a job is (its lane and tenant): the server hands the request's (wiring/); default
   * the API lane's anonymous tenant (jobs, tools, tests).
   */
  readonly clientOf?: () => ComputeClient;
};

const ANONYMOUS: ComputeClient = { lane: 'api', tenant: '' };

/**
 * A young generation of 4 MB per worker instead of V8's default (which grows with the machine's
 * memory): the jobs' own data lives in typed arrays, so scavenges stay short. 16 MB took the
 * server's peak RSS with 4 XL requests running from 732 to 640 MB; 4 MB takes 3 engine threads'
 * share of the RSS after the scale bench's page views down by about 50 MB more (docs/benchmarks.md).
 */
export const DEFAULT_WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4 };

/**
 * Per process, for `workers` API threads: 8 API jobs waiting per thread, each application at most
 * 2 per thread (at least 4) waiting and running; pages 32 waiting per thread, each client address
 * at most 8 per thread. With the 2 s budget counted from arrival, a job waits at most 2 s.
 */
export function defaultAdmission(workers: number): Omit<AdmissionLimits, 'apiThreads'> {
  return {
    api: { queue: 8 * workers, perTenant: Math.max(4, 2 * workers) },
    page: { queue: 32 * workers, perTenant: 8 * workers },
  };
}

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
  /** The error of a job not let in (`full`) or dropped after waiting out its budget (`waited`). */
  busy(lane: ComputeLane, reason: 'full' | 'waited', retryAfterSeconds: number): Error;
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
  running: Ticket<Pending<Job, Result>> | null;
  timer: NodeJS.Timeout | null;
};

export class BudgetedWorkerPool<Job, Reply extends PoolReply, Result> {
  /** Longest a job may wait and run; a change applies to the jobs that arrive after it. */
  budgetMs: number;
  /** Workers replaced after running over budget or dying, and workers started (tests, metrics). */
  replaced = 0;
  started = 0;
  /** Jobs refused at once (`full`) and dropped after waiting out their budget (`waited`). */
  refused = 0;
  expired = 0;
  /** Jobs stopped for running over their budget, by the lane they came from (metrics). */
  readonly overBudget: Record<ComputeLane, number> = { api: 0, page: 0 };
  readonly #kind: PoolKind<Job, Reply, Result>;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #size: number;
  readonly #slots: Slot<Job, Result>[] = [];
  readonly #admission: Admission<Pending<Job, Result>>;
  readonly #now: () => number;
  readonly #clientOf: () => ComputeClient;
  #expiry: NodeJS.Timeout | null = null;
  /** Jobs being handed a thread as they arrive (or as the pool becomes ready): they did not wait. */
  #arriving = new Set<Ticket<Pending<Job, Result>>>();
  /** Jobs that arrived before any thread was ready: their budget starts when one is. */
  #cold: Ticket<Pending<Job, Result>>[] | null = [];
  #nextId = 1;
  #closed = false;

  constructor(options: BudgetedPoolOptions, kind: PoolKind<Job, Reply, Result>) {
    this.budgetMs = options.budgetMs;
    this.#kind = kind;
    this.#resourceLimits = options.resourceLimits;
    const workers = Math.max(1, options.workers ?? availableParallelism());
    this.#size = workers + Math.max(0, options.pageWorkers ?? 1);
    this.#admission = new Admission({
      apiThreads: workers,
      ...(options.admission ?? defaultAdmission(workers)),
    });
    this.#now = options.now ?? Date.now;
    this.#clientOf = options.clientOf ?? (() => ANONYMOUS);
  }

  /** Jobs waiting and running per lane. */
  counts(): Record<ComputeLane, { queued: number; running: number }> {
    return this.#admission.counts();
  }

  run(job: Job): Promise<Result> {
    if (this.#closed) return Promise.reject(new Error(this.#kind.closedMessage));
    while (this.#slots.length < this.#size) this.#slots.push(this.#start());
    const client = this.#clientOf();
    return new Promise((resolve, reject) => {
      const ticket: Ticket<Pending<Job, Result>> = {
        lane: client.lane,
        tenant: client.tenant,
        deadline: this.#cold === null ? this.#now() + this.budgetMs : Number.POSITIVE_INFINITY,
        job: { id: this.#nextId++, job, resolve, reject },
      };
      if (this.#admission.admit(ticket) !== null) {
        this.refused += 1;
        reject(this.#kind.busy(ticket.lane, 'full', this.#retryAfter()));
        return;
      }
      this.#cold?.push(ticket);
      this.#arriving.add(ticket);
      this.#dispatch();
      this.#arriving.clear();
      this.#armExpiry();
    });
  }

  /** Stops every worker; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#expiry !== null) clearTimeout(this.#expiry);
    const stopped = new Error(this.#kind.closedMessage);
    for (const ticket of this.#admission.drain()) ticket.job.reject(stopped);
    await Promise.all(
      this.#slots.map((slot) => {
        this.#finish(slot)?.reject(stopped);
        return slot.worker.terminate();
      }),
    );
  }

  #retryAfter(): number {
    return Math.max(1, Math.ceil(this.budgetMs / 1000));
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
      const ticket = this.#nextToRun();
      if (ticket === undefined) return;
      const next = ticket.job;
      slot.running = ticket;
      slot.worker.ref(); // a job in flight keeps the process alive until it is answered
      const budgetMs = this.budgetMs;
      const left = Math.max(1, ticket.deadline - this.#now());
      slot.timer = setTimeout(() => {
        this.overBudget[ticket.lane] += 1;
        this.#replace(slot, this.#kind.overBudget(budgetMs));
      }, left);
      slot.worker.postMessage({ id: next.id, job: next.job }, [...this.#kind.transfer(next.job)]);
    }
  }

  /** The next admitted ticket with budget left; those without are answered as having waited. */
  #nextToRun(): Ticket<Pending<Job, Result>> | undefined {
    for (;;) {
      const ticket = this.#admission.next();
      if (ticket === undefined || this.#arriving.has(ticket) || ticket.deadline > this.#now()) return ticket;
      this.#admission.finished(ticket);
      this.#waited(ticket);
    }
  }

  #waited(ticket: Ticket<Pending<Job, Result>>): void {
    this.expired += 1;
    ticket.job.reject(this.#kind.busy(ticket.lane, 'waited', this.#retryAfter()));
  }

  /** One timer, at the earliest deadline of a waiting job: drops what waited out its budget. */
  #armExpiry(): void {
    if (this.#expiry !== null || this.#closed) return;
    const deadline = this.#admission.nextDeadline();
    if (deadline === undefined || !Number.isFinite(deadline)) return;
    this.#expiry = setTimeout(
      () => {
        this.#expiry = null;
        for (const ticket of this.#admission.expire(this.#now())) this.#waited(ticket);
        this.#armExpiry();
      },
      Math.max(1, deadline - this.#now()),
    );
    this.#expiry.unref();
  }

  /** Detaches the slot's running job (if any) and returns it. */
  #finish(slot: Slot<Job, Result>): Pending<Job, Result> | null {
    const running = slot.running;
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.running = null;
    slot.worker.unref();
    if (running === null) return null;
    this.#admission.finished(running);
    return running.job;
  }

  #answer(slot: Slot<Job, Result>, reply: Reply): void {
    if ('ready' in reply) {
      slot.ready = true;
      if (this.#cold !== null) {
        // Start-up never counts against a budget: the first jobs' budgets start now.
        const now = this.#now();
        for (const ticket of this.#cold) {
          ticket.deadline = now + this.budgetMs;
          this.#arriving.add(ticket);
        }
        this.#cold = null;
      }
      this.#dispatch();
      this.#arriving.clear();
      this.#armExpiry();
      return;
    }
    if (slot.running?.job.id !== reply.id) return;
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
