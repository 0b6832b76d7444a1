/**
 * Runs the sync of Google and Microsoft 365 calendars (app/sync/sync.ts): a round every second
 * (cheap when nothing is due: one indexed read), and at once when woken by a push or a new
 * connection. Rounds never overlap; a round that found a full batch runs the next one at once.
 */
import type { AppContext } from '../app/context.ts';
import { syncDueCalendars } from '../app/sync/sync.ts';
import type { WorkerLogger } from './outbox-worker.ts';
import { TimerLoop } from './timer-loop.ts';

const TICK_MS = 1000;
const BATCH = 16;

export class SyncJob {
  readonly #ctx: AppContext;
  readonly #loop: TimerLoop;

  constructor(deps: { readonly ctx: AppContext; readonly logger: WorkerLogger }) {
    this.#ctx = deps.ctx;
    this.#loop = new TimerLoop(
      async () => ({ again: (await syncDueCalendars(deps.ctx, BATCH)) === BATCH }),
      TICK_MS,
      (error) => deps.logger.error({ err: error }, 'sync round failed'),
    );
  }

  /** Starts only when a provider is configured. */
  start(): void {
    if (Object.keys(this.#ctx.providers ?? {}).length > 0) this.#loop.start(0);
  }

  wake(): void {
    this.#loop.wake();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }
}
