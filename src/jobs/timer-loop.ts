/**
 * A background job's loop: runs `round` after a delay, then again every `intervalMs`, at once when
 * the round asks for another or when woken (never two rounds at a time), and stops cleanly (the
 * round in flight is awaited). Its timers never keep the process alive.
 */
export type Round = () => Promise<{ readonly again: boolean }>;

export class TimerLoop {
  readonly #round: Round;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(round: Round, intervalMs: number, onError: (error: unknown) => void) {
    this.#round = round;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  start(firstDelayMs: number): void {
    this.#stopped = false;
    this.#schedule(firstDelayMs);
  }

  /** Runs a round now, or right after the one running. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) this.#again = true;
    else this.#schedule(0);
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
      this.#running = this.#round()
        .then((result) => {
          if (result.again) this.#again = true;
        })
        .catch(this.#onError)
        .finally(() => {
          this.#running = undefined;
          this.#schedule(this.#again ? 0 : this.#intervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }
}
