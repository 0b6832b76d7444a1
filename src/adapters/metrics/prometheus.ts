/**
 * The {@link Metrics} port on prom-client, in its own registry (so several servers in one process,
 * as in tests, never share counters), and the text exposition GET /metrics serves.
 * Names follow Prometheus conventions: `rtseq_` prefix, `_seconds` and `_total` suffixes.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type {
  ChoiceAction,
  ComputationKind,
  Metrics,
  MetricsExposition,
  SyncOutcome,
} from '../../ports/metrics.ts';
import type { Clock } from '../../ports/runtime.ts';
import { ProviderMetrics } from './provider-metrics.ts';
import {
  type DatabasePoolReport,
  type PoolReport,
  registerBuildInfo,
  registerComputeBudget,
  registerDatabasePool,
  registerPools,
} from './runtime-gauges.ts';

/** What the outbox holds now; read at every scrape. */
export type OutboxBacklog = { readonly pending: number; readonly oldestCreatedAt: number | null };

export type PrometheusOptions = {
  readonly clock: Clock;
  /** Reads the outbox backlog at scrape time; absent: the backlog gauges are not exported. */
  readonly outboxBacklog?: () => Promise<OutboxBacklog>;
  /** Node's process metrics (CPU, memory, event loop lag, GC) as well; on in the server. */
  readonly processMetrics?: boolean;
  /** rtseq's version for `rtseq_build_info`; absent: not exported. */
  readonly version?: string;
};

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COMPUTATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const READ_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class PrometheusMetrics implements Metrics, MetricsExposition {
  readonly registry = new Registry();
  readonly #http: Histogram<'method' | 'route' | 'status'>;
  readonly #computation: Histogram<'kind'>;
  readonly #bookings: Counter;
  readonly #holds: Counter;
  readonly #taken: Counter<'action'>;
  readonly #deliveries: Counter<'kind' | 'outcome'>;
  readonly #reads: Histogram<'provider' | 'outcome'>;
  readonly #readFailures: Counter<'provider'>;
  readonly #providers: ProviderMetrics;

  constructor(options: PrometheusOptions) {
    const registers = [this.registry];
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
    this.#http = new Histogram({
      name: 'rtseq_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.#computation = new Histogram({
      name: 'rtseq_availability_computation_seconds',
      help: 'Time to compute available times (busy reads and the engine): API queries and page views',
      labelNames: ['kind'],
      buckets: COMPUTATION_BUCKETS,
      registers,
    });
    this.#bookings = new Counter({ name: 'rtseq_bookings_total', help: 'Bookings committed', registers });
    this.#holds = new Counter({
      name: 'rtseq_holds_total',
      help: 'Holds placed on the confirmation page (confirm mode)',
      registers,
    });
    this.#taken = new Counter({
      name: 'rtseq_taken_meanwhile_total',
      help: 'Choices refused because the option was taken meanwhile, by action (hold or book)',
      labelNames: ['action'],
      registers,
    });
    this.#deliveries = new Counter({
      name: 'rtseq_outbox_deliveries_total',
      help: 'Delivery attempts of outbox items by kind (callback, caldav_write) and outcome (delivered, retrying, failed)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.#reads = new Histogram({
      name: 'rtseq_external_calendar_read_seconds',
      help: 'Time of one read of an external calendar source (cache hits excluded), by provider and outcome',
      labelNames: ['provider', 'outcome'],
      buckets: READ_BUCKETS,
      registers,
    });
    this.#readFailures = new Counter({
      name: 'rtseq_external_calendar_read_failures_total',
      help: 'Failed reads of an external calendar source (timeouts, unreachable, refused credentials…)',
      labelNames: ['provider'],
      registers,
    });
    this.#providers = new ProviderMetrics(this.registry);
    // Labelled counters start at 0, so rate() and alerts see them before their first event.
    for (const action of ['hold', 'book']) this.#taken.inc({ action }, 0);
    for (const kind of ['callback', 'caldav_write'])
      for (const outcome of ['delivered', 'retrying', 'failed']) this.#deliveries.inc({ kind, outcome }, 0);
    for (const provider of ['caldav', 'ics']) this.#readFailures.inc({ provider }, 0);
    if (options.version !== undefined) registerBuildInfo(this.registry, options.version);
    const backlog = options.outboxBacklog;
    if (backlog !== undefined) {
      let last: Promise<OutboxBacklog> | undefined;
      // The two gauges of one scrape are collected together and share one read.
      const read = () => {
        last ??= backlog().finally(() => {
          last = undefined;
        });
        return last;
      };
      new Gauge({
        name: 'rtseq_outbox_pending',
        help: 'Outbox items waiting for delivery (callbacks and CalDAV write-backs)',
        registers,
        async collect() {
          this.set((await read()).pending);
        },
      });
      new Gauge({
        name: 'rtseq_outbox_oldest_pending_age_seconds',
        help: 'Age of the oldest outbox item waiting for delivery (0 when none)',
        registers,
        async collect() {
          const oldest = (await read()).oldestCreatedAt;
          this.set(oldest === null ? 0 : Math.max(0, (options.clock.now() - oldest) / 1000));
        },
      });
    }
  }

  /** The worker pools' queues, running jobs, refusals and replaced workers, read at scrape. */
  watchPools(pools: Readonly<Record<string, PoolReport>>): void {
    registerPools(this.registry, pools);
  }

  /** The engine pool's jobs stopped over COMPUTE_BUDGET_MS by lane (422 too_complex), read at scrape. */
  watchComputeBudget(engine: { readonly overBudget: Readonly<Record<string, number>> }): void {
    registerComputeBudget(this.registry, () => engine.overBudget);
  }

  /** The PostgreSQL pool's connections, read at scrape. */
  watchDatabasePool(report: DatabasePoolReport): void {
    registerDatabasePool(this.registry, report);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#http.observe({ method, route, status: String(status) }, seconds);
  }

  startComputation(kind: ComputationKind): () => void {
    const end = this.#computation.startTimer({ kind });
    return () => void end();
  }

  choiceMade(action: ChoiceAction): void {
    (action === 'book' ? this.#bookings : this.#holds).inc();
  }

  takenMeanwhile(action: ChoiceAction): void {
    this.#taken.inc({ action });
  }

  deliveryAttempt(kind: string, outcome: 'delivered' | 'retrying' | 'failed'): void {
    this.#deliveries.inc({ kind, outcome });
  }

  calendarRead(provider: string, seconds: number, ok: boolean): void {
    this.#reads.observe({ provider, outcome: ok ? 'ok' : 'failed' }, seconds);
    if (!ok) this.#readFailures.inc({ provider });
  }

  providerSync(provider: string, outcome: SyncOutcome, seconds: number, lagSeconds: number): void {
    this.#providers.sync(provider, outcome, seconds, lagSeconds);
  }

  providerPush(provider: string, outcome: 'accepted' | 'ignored'): void {
    this.#providers.push(provider, outcome);
  }

  providerDisconnected(provider: string): void {
    this.#providers.disconnected(provider);
  }
}
