/**
 * The outbox worker: claims due items under a lease, delivers them (signed callbacks, CalDAV
 * write-backs), records every attempt, and reschedules failures by the policy. Any number of
 * processes may run one: claims never overlap, and a dead process's lease simply expires.
 */
import { signingSecrets } from '../app/accounts/applications.ts';
import { queueDueChanges } from '../app/channels/channels.ts';
import type { AppContext } from '../app/context.ts';
import type { CalendarWriteBack, WebhookTransport } from '../ports/delivery.ts';
import type { OutboxRecord } from '../ports/store.ts';
import { nextAttemptAt, OUTBOX_POLICY } from './outbox-policy.ts';
import { TimerLoop } from './timer-loop.ts';

export type WorkerLogger = {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
};

export type OutboxWorkerDeps = {
  readonly ctx: AppContext;
  readonly transport: WebhookTransport;
  /** Absent when no external calendars are configured: CalDAV jobs then wait and retry. */
  readonly writeBack: CalendarWriteBack | null;
  /** Identifies this process's leases. */
  readonly owner: string;
  readonly pollMs?: number;
  readonly batchSize?: number;
  readonly leaseMs?: number;
  readonly random?: () => number;
  readonly logger?: WorkerLogger;
};

const quiet: WorkerLogger = { info() {}, warn() {}, error() {} };

export class OutboxWorker {
  readonly #deps: OutboxWorkerDeps;
  readonly #loop: TimerLoop;

  constructor(deps: OutboxWorkerDeps) {
    this.#deps = deps;
    this.#loop = new TimerLoop(
      async () => {
        await this.runOnce();
        return { again: false };
      },
      deps.pollMs ?? 1000,
      (error) => (deps.logger ?? quiet).error({ err: error }, 'outbox run failed'),
    );
  }

  start(): void {
    this.#loop.start(0);
  }

  /** Run soon (e.g. right after a booking commits) instead of waiting for the next poll. */
  wake(): void {
    this.#loop.wake();
  }

  /**
   * Stops claiming; waits for the batch in flight (a callback attempt is bounded by the policy's
   * attempt timeout, a CalDAV write-back by CALENDAR_TIMEOUT_MS).
   */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /**
   * Queues the push notification channels' due changes (SPEC 8d), then claims and processes one
   * batch; returns how many items were attempted.
   */
  async runOnce(): Promise<number> {
    const { ctx, owner } = this.#deps;
    await queueDueChanges(ctx, this.#deps.batchSize ?? 10);
    const now = ctx.clock.now();
    const leaseMs = this.#deps.leaseMs ?? OUTBOX_POLICY.leaseMs;
    const claimed = await ctx.store.transaction((repos) =>
      repos.outbox.claimDue(owner, now, now + leaseMs, this.#deps.batchSize ?? 10),
    );
    await Promise.all(claimed.map((item) => this.#attempt(item)));
    return claimed.length;
  }

  async #attempt(item: OutboxRecord): Promise<void> {
    const { ctx, owner } = this.#deps;
    const logger = this.#deps.logger ?? quiet;
    const startedAt = ctx.clock.now();
    let ok = false;
    let statusCode: number | null = null;
    let error: string | null = null;
    let operatorError: string | null = null;
    let durationMs = 0;
    try {
      if (item.kind === 'callback') {
        const secrets = await signingSecrets(ctx, item.applicationId);
        const result = await this.#deps.transport.deliver({
          url: item.target,
          body: item.payload,
          timeoutMs: OUTBOX_POLICY.attemptTimeoutMs,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'cronofy-hmac-sha256': secrets
              .map((secret) => ctx.secrets.hmacBase64(secret, item.payload))
              .join(','),
            'rtseq-delivery-id': item.deliveryId,
            'user-agent': 'rtseq',
          },
        });
        ({ ok, statusCode, error, durationMs } = result);
        operatorError = result.operatorError ?? error;
      } else {
        await this.#writeBack(item);
        ok = true;
        durationMs = ctx.clock.now() - startedAt;
      }
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
      operatorError = (failure as { operatorDetail?: string }).operatorDetail ?? error;
      durationMs = ctx.clock.now() - startedAt;
    }
    const attempt = item.attempts + 1;
    const finishedAt = ctx.clock.now();
    const next = ok
      ? null
      : nextAttemptAt(item.createdAt, attempt, finishedAt, (this.#deps.random ?? Math.random)());
    const status = ok ? 'delivered' : next === null ? 'failed' : 'pending';
    ctx.metrics?.deliveryAttempt(item.kind, status === 'pending' ? 'retrying' : status);
    const recorded = await ctx.store.transaction((repos) =>
      repos.outbox.finishAttempt(item.id, owner, {
        attempt: { outboxId: item.id, attempt, at: startedAt, statusCode, error, durationMs },
        status,
        nextAttemptAt: next ?? finishedAt,
        lastError: error,
        finishedAt: status === 'pending' ? null : finishedAt,
      }),
    );
    const fields = {
      outbox_id: item.id,
      delivery_id: item.deliveryId,
      kind: item.kind,
      attempt,
      status,
      status_code: statusCode,
    };
    if (!recorded) logger.warn(fields, 'outbox lease lost before the attempt was recorded');
    else if (ok) logger.info(fields, 'outbox item delivered');
    // `cause` is the real reason (a DNS failure named as such); `error` is what the application sees.
    else
      logger.warn(
        { ...fields, error, cause: operatorError },
        status === 'failed' ? 'delivery failed for good' : 'delivery attempt failed',
      );
  }

  async #writeBack(item: OutboxRecord): Promise<void> {
    const { ctx } = this.#deps;
    if (this.#deps.writeBack === null) throw new Error('no CalDAV write-back is configured');
    const job = JSON.parse(item.payload) as { calendarId: string; eventId: string };
    const { calendar, event } = await ctx.store.read(async (repos) => ({
      calendar: await repos.calendars.byId(job.calendarId),
      event: await repos.events.byKey(job.calendarId, job.eventId),
    }));
    if (calendar === undefined || event === undefined)
      throw new Error('the calendar or event no longer exists');
    await this.#deps.writeBack.writeEvent(calendar, event);
  }
}
