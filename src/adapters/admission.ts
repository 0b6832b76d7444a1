/**
 * Admission control for the worker pools (issue 21, item 2; docs/deployment.md "Compute
 * capacity"): which waiting job runs next, and which job is not let in at all. Pure bookkeeping
 * (no threads, no timers, no clock of its own), so the policy is tested with plain counters.
 *
 * - Two lanes: `page` (booking pages, anonymous) and `api`. A free thread takes a page job first;
 *   API jobs run on at most `apiThreads` threads at once, so the pool's `pageThreads` extra threads
 *   are always there for pages: a page never waits behind API work.
 * - Each lane's queue is bounded (`queue`), and so is what one tenant (an application on the API,
 *   a client address on the pages) may have queued and running together (`perTenant`): a full
 *   lane or a tenant over its share is refused at once (429/503 with Retry-After upstream).
 * - Within a lane, tenants take turns (round robin): one application's 40 requests wait behind
 *   every other application's next one, not in front of them.
 * - Every job carries a deadline (its budget, counted from arrival, so waiting counts); a job
 *   still queued at its deadline is dropped (`expire`).
 */
import type { ComputeLane } from '../ports/compute.ts';

export type LaneLimits = {
  /** Jobs that may wait in this lane at once. */
  readonly queue: number;
  /** Jobs of one tenant, waiting and running together. */
  readonly perTenant: number;
};

export type AdmissionLimits = {
  /** Threads API jobs may occupy at once. */
  readonly apiThreads: number;
  readonly api: LaneLimits;
  readonly page: LaneLimits;
};

export type Ticket<T> = {
  readonly lane: ComputeLane;
  readonly tenant: string;
  /** Epoch ms after which the job is no longer worth starting (set late while the pool starts). */
  deadline: number;
  readonly job: T;
};

export type Refusal = 'lane_full' | 'tenant_full';

/** The tenant of work done outside any request (jobs, the CLI): it has no share limit. */
export const INTERNAL = '';

type Lane<T> = {
  readonly limits: LaneLimits;
  /** Waiting tickets per tenant; the Map's order is the round-robin order. */
  readonly waiting: Map<string, Ticket<T>[]>;
  queued: number;
  running: number;
  /** Waiting + running per tenant. */
  readonly held: Map<string, number>;
};

export class Admission<T> {
  readonly #apiThreads: number;
  readonly #lanes: Record<ComputeLane, Lane<T>>;

  constructor(limits: AdmissionLimits) {
    this.#apiThreads = Math.max(1, limits.apiThreads);
    const lane = (laneLimits: LaneLimits): Lane<T> => ({
      limits: laneLimits,
      waiting: new Map(),
      queued: 0,
      running: 0,
      held: new Map(),
    });
    this.#lanes = { api: lane(limits.api), page: lane(limits.page) };
  }

  /** Queues the ticket, or says why it is refused. */
  admit(ticket: Ticket<T>): Refusal | null {
    const lane = this.#lanes[ticket.lane];
    const held = lane.held.get(ticket.tenant) ?? 0;
    if (held >= lane.limits.perTenant && ticket.tenant !== INTERNAL) return 'tenant_full';
    if (lane.queued >= lane.limits.queue) return 'lane_full';
    lane.held.set(ticket.tenant, held + 1);
    const list = lane.waiting.get(ticket.tenant);
    if (list === undefined) lane.waiting.set(ticket.tenant, [ticket]);
    else list.push(ticket);
    lane.queued += 1;
    return null;
  }

  /**
   * The ticket a free thread runs now (it counts as running until `finished`), or undefined when
   * nothing may run: no page job waits and API jobs already hold their threads (or none waits).
   */
  next(): Ticket<T> | undefined {
    const page = this.#take(this.#lanes.page);
    if (page !== undefined) return page;
    if (this.#lanes.api.running >= this.#apiThreads) return undefined;
    return this.#take(this.#lanes.api);
  }

  /** A ticket returned by `next` stopped running (answered, failed or stopped). */
  finished(ticket: Ticket<T>): void {
    const lane = this.#lanes[ticket.lane];
    lane.running -= 1;
    this.#release(lane, ticket.tenant);
  }

  /** Removes and returns every waiting ticket whose deadline is at or before `now`. */
  expire(now: number): Ticket<T>[] {
    const dropped: Ticket<T>[] = [];
    for (const lane of Object.values(this.#lanes)) {
      for (const [tenant, list] of lane.waiting) {
        const kept = list.filter((ticket) => ticket.deadline > now);
        if (kept.length === list.length) continue;
        for (const ticket of list) if (ticket.deadline <= now) dropped.push(ticket);
        lane.queued -= list.length - kept.length;
        if (kept.length === 0) lane.waiting.delete(tenant);
        else lane.waiting.set(tenant, kept);
        for (let i = kept.length; i < list.length; i += 1) this.#release(lane, tenant);
      }
    }
    return dropped;
  }

  /** Removes every waiting ticket (the pool is closing). */
  drain(): Ticket<T>[] {
    const all: Ticket<T>[] = [];
    for (const lane of Object.values(this.#lanes)) {
      for (const [tenant, list] of lane.waiting) {
        all.push(...list);
        for (const _ of list) this.#release(lane, tenant);
      }
      lane.waiting.clear();
      lane.queued = 0;
    }
    return all;
  }

  /** The earliest deadline among waiting tickets, if any (when to call `expire` next). */
  nextDeadline(): number | undefined {
    let earliest: number | undefined;
    for (const lane of Object.values(this.#lanes)) {
      for (const list of lane.waiting.values()) {
        for (const ticket of list)
          if (earliest === undefined || ticket.deadline < earliest) earliest = ticket.deadline;
      }
    }
    return earliest;
  }

  /** Jobs waiting and running per lane (metrics, tests). */
  counts(): Record<ComputeLane, { queued: number; running: number }> {
    const { api, page } = this.#lanes;
    return {
      api: { queued: api.queued, running: api.running },
      page: { queued: page.queued, running: page.running },
    };
  }

  /** The first waiting ticket of the lane's next tenant in turn; that tenant goes to the back. */
  #take(lane: Lane<T>): Ticket<T> | undefined {
    for (const [tenant, list] of lane.waiting) {
      const ticket = list.shift()!;
      lane.waiting.delete(tenant);
      if (list.length > 0) lane.waiting.set(tenant, list);
      lane.queued -= 1;
      lane.running += 1;
      return ticket;
    }
    return undefined;
  }

  #release(lane: Lane<T>, tenant: string): void {
    const held = (lane.held.get(tenant) ?? 1) - 1;
    if (held <= 0) lane.held.delete(tenant);
    else lane.held.set(tenant, held);
  }
}
