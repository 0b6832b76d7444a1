/**
 * Admission of heavy availability requests (issue 21, item 2; docs/deployment.md "Compute
 * capacity"). The worker pools bound and order the engine's work, but a heavy request costs the
 * event loop too before its work reaches a thread (reading 200 members' busy time, building and
 * encoding the query) and after (its answer): 40 of them at once delayed every other request by
 * seconds. So requests that cost extra rate-limit units (docs/api.md, "Rate limits and cost") are
 * let in only while fewer than `total` are in progress, and fewer than `perApplication` of their
 * application; otherwise they are refused at once with 429 and Retry-After. Ordinary requests
 * never meet this gate.
 */
import { DomainError } from '../domain/errors.ts';

export type HeavyGateLimits = {
  /** Heavy requests in progress in this process at once. */
  readonly total: number;
  /** Heavy requests of one application in progress at once. */
  readonly perApplication: number;
  readonly retryAfterSeconds: number;
};

/** Per process: 2 heavy requests per compute thread, each application at most 1 per thread. */
export function defaultHeavyGate(workers: number, budgetMs: number): HeavyGateLimits {
  return {
    total: 2 * workers,
    perApplication: Math.max(1, workers),
    retryAfterSeconds: Math.max(1, Math.ceil(budgetMs / 1000)),
  };
}

export class HeavyGate {
  readonly #limits: HeavyGateLimits;
  readonly #byApplication = new Map<string, number>();
  #inProgress = 0;

  constructor(limits: HeavyGateLimits) {
    this.#limits = limits;
  }

  /** Lets one heavy request of the application in, or throws the 429; call the result when done. */
  enter(applicationId: string): () => void {
    const mine = this.#byApplication.get(applicationId) ?? 0;
    if (this.#inProgress >= this.#limits.total || mine >= this.#limits.perApplication) {
      throw new DomainError(
        'rate_limited',
        'Too many heavy availability requests are in progress; try again shortly, or ask for less (fewer members, steps or days, a larger start_interval)',
        { retryAfterSeconds: this.#limits.retryAfterSeconds },
      );
    }
    this.#inProgress += 1;
    this.#byApplication.set(applicationId, mine + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#inProgress -= 1;
      const now = (this.#byApplication.get(applicationId) ?? 1) - 1;
      if (now <= 0) this.#byApplication.delete(applicationId);
      else this.#byApplication.set(applicationId, now);
    };
  }

  /** Heavy requests in progress (tests). */
  get inProgress(): number {
    return this.#inProgress;
  }
}
