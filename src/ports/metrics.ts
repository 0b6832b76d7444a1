/**
 * Operational metrics (docs/deployment.md, "Metrics"): what the HTTP edge, the use cases, the
 * outbox worker and the external-calendar reader report. Cross-cutting by design: only the edges
 * call it (never the domain engine); adapters/metrics/prometheus.ts implements it with prom-client.
 */

/** What a computation of available times served. */
export type ComputationKind = 'availability' | 'sequenced_availability' | 'page';
/** A hold (confirm mode) or a booking, as the page asked for it. */
export type ChoiceAction = 'hold' | 'book';
/** Where one delivery attempt left its outbox item. */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed';

export interface Metrics {
  /** One answered HTTP request; `route` is the route pattern (`/book/:token`), never the URL. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** Starts timing one availability computation (busy reads and the engine); call the result at the end. */
  startComputation(kind: ComputationKind): () => void;
  /** A hold placed or a booking committed. */
  choiceMade(action: ChoiceAction): void;
  /** The chosen option was taken by someone else meanwhile (the invitee sees fresh times). */
  takenMeanwhile(action: ChoiceAction): void;
  /** One attempt of an outbox item (`callback` or `caldav_write`) and where it left the item. */
  deliveryAttempt(kind: string, outcome: DeliveryOutcome): void;
  /** One read of an external calendar source (not a cache hit). */
  calendarRead(provider: string, seconds: number, ok: boolean): void;
  /**
   * One sync of a Google or Microsoft 365 calendar (SPEC 8c): its outcome, how long it took, and its
   * lag: from when it became due (a push, the poll) to when its changes were stored.
   */
  providerSync(provider: string, outcome: SyncOutcome, seconds: number, lagSeconds: number): void;
  /** One push from a provider: `accepted` (a sync was made due), `ignored` (unknown or forged). */
  providerPush(provider: string, outcome: 'accepted' | 'ignored'): void;
  /** A profile the provider refused (`invalid_grant`): disconnected. */
  providerDisconnected(provider: string): void;
}

/** How one sync of a synced calendar ended. */
export type SyncOutcome = 'ok' | 'failed' | 'reset';

/** The scrape side: the text exposition GET /metrics serves. */
export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}
