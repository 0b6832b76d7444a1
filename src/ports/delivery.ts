/** Ports of the outbox worker: HTTP delivery of callbacks and write-back to external calendars. */
import type { CalendarRecord, EventRecord } from './store.ts';

export type DeliveryRequest = {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
};

/** Never throws for an HTTP status or a network failure: those are results. */
export type DeliveryResult = {
  readonly ok: boolean;
  readonly statusCode: number | null;
  readonly error: string | null;
  /** The real cause for the operator's log when `error` is deliberately vague (SPEC 8a). */
  readonly operatorError?: string | null;
  readonly durationMs: number;
};

export interface WebhookTransport {
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
}

/** Writes a booked event into an external (CalDAV) calendar; throws when it could not. */
export interface CalendarWriteBack {
  writeEvent(calendar: CalendarRecord, event: EventRecord): Promise<void>;
}
