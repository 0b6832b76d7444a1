/**
 * Parsing and expansion of external calendars off the event loop (SPEC 8, 9): a small fixed pool
 * of worker threads running expansion.ts, one source read per job, in arrival order. A job that
 * runs over COMPUTE_BUDGET_MS is stopped by terminating its worker, which is replaced; the read
 * then fails with 'over_budget' and its member is unavailable for that request, as for a source
 * over the 20,000 cap. Workers start with the first job and are kept (a worker loads ical.js,
 * tsdav and the expander once; start-up never counts against a budget).
 *
 * Separate from the engine's pool (adapters/compute/pool.ts) on purpose: docs/external-calendars.md,
 * "Parsing off the event loop".
 */
import { availableParallelism } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { Interval } from '../../domain/time/intervals.ts';
import { ExternalCalendarError } from './errors.ts';
import type { CalendarExpander, Expansion, ExpansionRequest } from './expansion.ts';
import type { ExpansionReply } from './expansion-worker.ts';

const WORKER_FILE = new URL('./expansion-worker.ts', import.meta.url);

type Pending = {
  readonly id: number;
  readonly request: ExpansionRequest;
  resolve(result: Expansion): void;
  reject(error: Error): void;
};

type Slot = { worker: Worker; ready: boolean; running: Pending | null; timer: NodeJS.Timeout | null };

export type ExpansionPoolOptions = {
  /** Worker threads; default one per core (COMPUTE_WORKERS when set). */
  readonly workers?: number;
  /** COMPUTE_BUDGET_MS: the longest one source's parse and expansion may run. */
  readonly budgetMs: number;
  /** Heap limits of each worker: a read that runs out of memory ends its worker, not the process. */
  readonly resourceLimits?: ResourceLimits;
};

export class ExpansionPool implements CalendarExpander {
  /** Longest a job may run; a change applies to the jobs dispatched after it. */
  budgetMs: number;
  /** Workers replaced after running over budget or dying, and workers started (for tests). */
  replaced = 0;
  started = 0;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: ExpansionPoolOptions) {
    this.budgetMs = options.budgetMs;
    this.#resourceLimits = options.resourceLimits;
    this.#size = Math.max(1, options.workers ?? availableParallelism());
  }

  expand(request: ExpansionRequest): Promise<Expansion> {
    if (this.#closed) return Promise.reject(new Error('the expansion pool is closed'));
    while (this.#slots.length < this.#size) this.#slots.push(this.#start());
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, request, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every worker; queued and running reads are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new Error('the expansion pool is closed');
    for (const pending of this.#queue.splice(0)) pending.reject(stopped);
    await Promise.all(
      this.#slots.map((slot) => {
        this.#finish(slot)?.reject(stopped);
        return slot.worker.terminate();
      }),
    );
  }

  #start(): Slot {
    const worker = new Worker(
      WORKER_FILE,
      this.#resourceLimits === undefined ? {} : { resourceLimits: this.#resourceLimits },
    );
    const slot: Slot = { worker, ready: false, running: null, timer: null };
    this.started += 1;
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (reply: ExpansionReply) => this.#answer(slot, reply));
    worker.on('error', () => this.#replace(slot, failed('the calendar data could not be read')));
    worker.on('exit', () => this.#replace(slot, failed('the calendar data could not be read')));
    return slot;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (!slot.ready || slot.running !== null) continue;
      const next = this.#queue.shift();
      if (next === undefined) return;
      slot.running = next;
      slot.worker.ref(); // a read in flight keeps the process alive until it is answered
      const budgetMs = this.budgetMs;
      slot.timer = setTimeout(() => this.#replace(slot, overBudget(budgetMs)), budgetMs);
      slot.worker.postMessage({ id: next.id, request: next.request });
    }
  }

  #finish(slot: Slot): Pending | null {
    const running = slot.running;
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.running = null;
    slot.worker.unref();
    return running;
  }

  #answer(slot: Slot, reply: ExpansionReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      this.#dispatch();
      return;
    }
    if (slot.running?.id !== reply.id) return;
    const pending = this.#finish(slot)!;
    if (reply.ok) pending.resolve({ busy: intervalsOf(reply.bounds), ignored: reply.ignored });
    else pending.reject(new ExternalCalendarError(reply.code, reply.message));
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

function intervalsOf(bounds: Float64Array): Interval[] {
  const busy: Interval[] = new Array(bounds.length / 2);
  for (let i = 0; i < busy.length; i += 1) busy[i] = { start: bounds[2 * i]!, end: bounds[2 * i + 1]! };
  return busy;
}

function overBudget(budgetMs: number): ExternalCalendarError {
  return new ExternalCalendarError(
    'over_budget',
    `reading the calendar data took longer than the budget of ${budgetMs} ms and was stopped`,
  );
}

function failed(message: string): ExternalCalendarError {
  return new ExternalCalendarError('parse_failed', message);
}
