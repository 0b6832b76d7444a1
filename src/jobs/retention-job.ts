/**
 * Runs the retention of app/retention.ts now and then: first a minute after start (not at once, so
 * a rolling restart does not make every process prune together), then every `intervalMs`.
 */
import type { AppContext } from '../app/context.ts';
import { pruneHistory, type RetentionPolicy } from '../app/retention.ts';
import type { WorkerLogger } from './outbox-worker.ts';

export type RetentionJobDeps = {
  readonly ctx: AppContext;
  readonly policy: RetentionPolicy;
  readonly intervalMs: number;
  readonly firstDelayMs?: number;
  readonly logger: WorkerLogger;
};

export class RetentionJob {
  readonly #deps: RetentionJobDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(deps: RetentionJobDeps) {
    this.#deps = deps;
  }

  start(): void {
    const { policy } = this.#deps;
    if (policy.reservationsMs === null && policy.deliveriesMs === null) return;
    this.#stopped = false;
    this.#schedule(this.#deps.firstDelayMs ?? 60_000);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = pruneHistory(this.#deps.ctx, this.#deps.policy)
        .then((pruned) => {
          if (pruned.reservations + pruned.deliveries > 0)
            this.#deps.logger.info(pruned, 'retention: history pruned');
        })
        .catch((error: unknown) => this.#deps.logger.error({ err: error }, 'retention run failed'))
        .finally(() => {
          this.#running = undefined;
          this.#schedule(this.#deps.intervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }
}
