/**
 * Fixed-window counters per key (application or client IP), in process memory: each process of a
 * deployment enforces the limits on its own share of the traffic (see docs/deployment.md).
 */
export type RateLimitRule = { readonly limit: number; readonly windowMs: number };

export class RateLimiter {
  readonly #rules: readonly RateLimitRule[];
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(rules: readonly RateLimitRule[]) {
    this.#rules = rules;
  }

  /** Counts one request; returns the seconds to wait when over a limit, else 0. */
  hit(key: string, now: number): number {
    let wait = 0;
    for (const [index, rule] of this.#rules.entries()) {
      const id = `${index}:${key}`;
      const start = now - (now % rule.windowMs);
      let window = this.#windows.get(id);
      if (window === undefined || window.start !== start) {
        window = { start, count: 0 };
        this.#windows.set(id, window);
      }
      window.count += 1;
      if (window.count > rule.limit) wait = Math.max(wait, Math.ceil((start + rule.windowMs - now) / 1000));
    }
    if (this.#windows.size > 100_000) this.#sweep(now);
    return wait;
  }

  /**
   * Counts `units` more against `key` without refusing anything now: the cost of a request already
   * answered, which the next requests of the key pay for.
   */
  charge(key: string, now: number, units: number): void {
    if (units <= 0) return;
    for (const [index, rule] of this.#rules.entries()) {
      const id = `${index}:${key}`;
      const start = now - (now % rule.windowMs);
      const window = this.#windows.get(id);
      if (window === undefined || window.start !== start) this.#windows.set(id, { start, count: units });
      else window.count += units;
    }
  }

  /** The seconds to wait before `key` is under every limit again, without counting anything. */
  waitFor(key: string, now: number): number {
    let wait = 0;
    for (const [index, rule] of this.#rules.entries()) {
      const window = this.#windows.get(`${index}:${key}`);
      const start = now - (now % rule.windowMs);
      if (window !== undefined && window.start === start && window.count >= rule.limit) {
        wait = Math.max(wait, Math.ceil((start + rule.windowMs - now) / 1000));
      }
    }
    return wait;
  }

  #sweep(now: number): void {
    const longest = Math.max(...this.#rules.map((r) => r.windowMs));
    for (const [id, window] of this.#windows) if (window.start + longest < now) this.#windows.delete(id);
  }
}
