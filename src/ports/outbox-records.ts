/** Outbox rows (callbacks and CalDAV write-backs) and their recorded attempts; OutboxRepo is in store.ts. */

export type OutboxKind = 'callback' | 'caldav_write';
export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export type OutboxRecord = {
  readonly id: string;
  /** Stable across retries: sent as Rtseq-Delivery-Id. */
  readonly deliveryId: string;
  readonly applicationId: string;
  readonly kind: OutboxKind;
  readonly target: string;
  /** The exact body bytes to send (callbacks) or the job description (CalDAV writes). */
  readonly payload: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly leaseUntil: number | null;
  readonly leaseOwner: string | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly finishedAt: number | null;
};

export type DeliveryAttemptRecord = {
  readonly outboxId: string;
  readonly attempt: number;
  readonly at: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
};
