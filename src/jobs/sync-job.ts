/**
 * Runs the sync of Google and Microsoft 365 calendars (app/sync/sync.ts): a round every second
 * (cheap when nothing is due: one indexed read), and at once when woken by a push or a new
 * connection. Rounds never overlap; a round that found a full batch runs the next one at once.
 */
import type { AppContext } from '../app/context.ts';
import { syncDueCalendars } from '../app/sync/sync.ts';
import type { WorkerLogger } from './outbox-worker.ts';

const TICK_MS = 1000;
const BATCH = 16;

export class SyncJob {
  readonly #ctx: AppContext;
  readonly #logger: WorkerLogger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(deps: { readonly ctx: AppContext; readonly logger: WorkerLogger }) {
    this.#ctx = deps.ctx;
    this.#logger = deps.logger;
  }

  start(): void {
    if (Object.keys(this.#ctx.providers ?? {}).length === 0) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Runs a round now (or right after the one running). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#again = false;
      this.#running = syncDueCalendars(this.#ctx, BATCH)
        .then((synced) => {
          if (synced === BATCH) this.#again = true;
        })
        .catch((error: unknown) => this.#logger.error({ err: error }, 'sync round failed'))
        .finally(() => {
          this.#running = undefined;
          this.#schedule(this.#again ? 0 : TICK_MS);
        });
    }, delayMs);
    this.#timer.unref();
  }
}
