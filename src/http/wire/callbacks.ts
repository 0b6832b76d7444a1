/** The wire shape of callback deliveries (rtseq extension): snake_case, ISO 8601 UTC times. */
import type { DeliveryAttemptRecord, OutboxRecord } from '../../ports/store.ts';
import { formatUtc } from './reader.ts';

/** One delivery as GET /v1/callbacks lists it (also `rtseq callbacks list --json`). */
export function deliveryDocument(item: OutboxRecord) {
  return {
    callback_id: item.id,
    delivery_id: item.deliveryId,
    kind: item.kind,
    url: item.kind === 'callback' ? item.target : `caldav:${item.target}`,
    status: item.status,
    attempts: item.attempts,
    ...(item.status === 'pending' ? { next_attempt_at: formatUtc(item.nextAttemptAt) } : {}),
    ...(item.lastError === null ? {} : { last_error: item.lastError }),
    created: formatUtc(item.createdAt),
  };
}

/** One attempt as GET /v1/callbacks/{id} shows it. */
export function attemptDocument(attempt: DeliveryAttemptRecord) {
  return {
    attempt: attempt.attempt,
    at: formatUtc(attempt.at),
    status_code: attempt.statusCode,
    error: attempt.error,
    duration_ms: attempt.durationMs,
  };
}
