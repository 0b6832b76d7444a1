/**
 * Runs the retention of app/retention.ts now and then: first a minute after start (not at once, so
 * a rolling restart does not make every process prune together), then every `intervalMs`.
 */
import type { AppContext } from '../app/context.ts';
import { pruneHistory, type RetentionPolicy } from '../app/retention.ts';
import type { WorkerLogger } from './outbox-worker.ts';
import { TimerLoop } from './timer-loop.ts';

export type RetentionJobDeps = {
  readonly ctx: AppContext;
  readonly policy: RetentionPolicy;
  readonly intervalMs: number;
  readonly firstDelayMs?: number;
  readonly logger: WorkerLogger;
};

export class RetentionJob {
  readonly #deps: RetentionJobDeps;
  readonly #loop: TimerLoop;

  constructor(deps: RetentionJobDeps) {
    this.#deps = deps;
    this.#loop = new TimerLoop(
      async () => {
        const pruned = await pruneHistory(deps.ctx, deps.policy);
        if (pruned.reservations + pruned.deliveries > 0)
          deps.logger.info(pruned, 'retention: history pruned');
        return { again: false };
      },
      deps.intervalMs,
      (error) => deps.logger.error({ err: error }, 'retention run failed'),
    );
  }

  start(): void {
    const { policy } = this.#deps;
    if (policy.reservationsMs === null && policy.deliveriesMs === null) return;
    this.#loop.start(this.#deps.firstDelayMs ?? 60_000);
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }
}
