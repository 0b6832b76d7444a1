/**
 * Seals the values stored in plain form before SECRET_KEY was set (app/secrets.ts,
 * sealPlainValuesLeft) once the server listens, so a large database does not hold the start back:
 * short batches of one transaction each, the event loop free between them, progress logged now and
 * then. Stopping ends it after the batch in flight; the next start goes on where it stopped.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AppContext } from '../app/context.ts';
import { sealPlainValuesLeft } from '../app/secrets.ts';
import type { WorkerLogger } from './outbox-worker.ts';

const PROGRESS_EVERY_MS = 10_000;

export type SealingJobDeps = {
  readonly ctx: Pick<AppContext, 'store' | 'secrets' | 'clock'>;
  readonly logger: WorkerLogger;
  readonly batchSize?: number;
};

export class SealingJob {
  readonly #deps: SealingJobDeps;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: SealingJobDeps) {
    this.#deps = deps;
  }

  /** Starts the sweep on the next turn of the event loop; a no-op without a key. */
  start(): void {
    if (!this.#deps.ctx.secrets.keyed || this.#running !== undefined) return;
    this.#running = nextTurn()
      .then(() => this.#run())
      .catch((error: unknown) =>
        this.#deps.logger.error({ err: error }, 'sealing plain values failed; the next start tries again'),
      );
  }

  /** Resolves once the sweep ended: finished, or stopped after its batch in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** The sweep's end (finished, stopped or failed); for tests and shutdown. */
  settled(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    const { ctx, logger } = this.#deps;
    const started = ctx.clock.now();
    let logged = started;
    let announced = false;
    const sweep = await sealPlainValuesLeft(ctx.store, ctx.secrets, {
      ...(this.#deps.batchSize === undefined ? {} : { batchSize: this.#deps.batchSize }),
      pause: () => nextTurn(),
      stopped: () => this.#stopped,
      onBatch: (progress) => {
        if (!announced && progress.replaced > 0) {
          announced = true;
          logger.info({}, 'sealing values stored in plain form with SECRET_KEY, in the background');
        }
        if (ctx.clock.now() - logged < PROGRESS_EVERY_MS) return;
        logged = ctx.clock.now();
        logger.info(progressOf(progress), 'sealing plain values: in progress');
      },
    });
    if (sweep === undefined) return;
    const seconds = Math.round((ctx.clock.now() - started) / 100) / 10;
    if (sweep.complete) logger.info({ ...progressOf(sweep), seconds }, 'plain values sealed: none is left');
    else logger.info(progressOf(sweep), 'sealing plain values stopped by shutdown; the next start goes on');
  }
}

const progressOf = (sweep: { scanned: number; replaced: number }) => ({
  scanned: sweep.scanned,
  sealed: sweep.replaced,
});
