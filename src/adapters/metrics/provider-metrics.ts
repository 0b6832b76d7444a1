/**
 * Metrics of Google Calendar and Microsoft 365 (SPEC 8c), per provider: syncs by outcome and
 * duration, sync lag (due → stored), pushes, and profiles the provider disconnected. Every labelled
 * series starts at 0 so alerts see it before its first event.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SyncOutcome } from '../../ports/metrics.ts';

const SYNC_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const LAG_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const PROVIDERS = ['google', 'office365'] as const;

export class ProviderMetrics {
  readonly #syncs: Counter<'provider' | 'outcome'>;
  readonly #syncSeconds: Histogram<'provider'>;
  readonly #lag: Histogram<'provider'>;
  readonly #pushes: Counter<'provider' | 'outcome'>;
  readonly #disconnected: Counter<'provider'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#syncs = new Counter({
      name: 'rtseq_provider_syncs_total',
      help: 'Syncs of Google and Microsoft 365 calendars by provider and outcome (ok, failed, reset: a full resync)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.#syncSeconds = new Histogram({
      name: 'rtseq_provider_sync_seconds',
      help: 'Time one sync of a Google or Microsoft 365 calendar took',
      labelNames: ['provider'],
      buckets: SYNC_BUCKETS,
      registers,
    });
    this.#lag = new Histogram({
      name: 'rtseq_provider_sync_lag_seconds',
      help: 'Sync lag: from when a calendar became due (a push, the poll) to when its changes were stored',
      labelNames: ['provider'],
      buckets: LAG_BUCKETS,
      registers,
    });
    this.#pushes = new Counter({
      name: 'rtseq_provider_pushes_total',
      help: 'Pushes from providers: accepted (a sync made due) or ignored (unknown channel, wrong token)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.#disconnected = new Counter({
      name: 'rtseq_provider_disconnections_total',
      help: 'Profiles disconnected because the provider refused their grant (invalid_grant)',
      labelNames: ['provider'],
      registers,
    });
    for (const provider of PROVIDERS) {
      for (const outcome of ['ok', 'failed', 'reset']) this.#syncs.inc({ provider, outcome }, 0);
      for (const outcome of ['accepted', 'ignored']) this.#pushes.inc({ provider, outcome }, 0);
      this.#disconnected.inc({ provider }, 0);
    }
  }

  sync(provider: string, outcome: SyncOutcome, seconds: number, lagSeconds: number): void {
    this.#syncs.inc({ provider, outcome });
    this.#syncSeconds.observe({ provider }, seconds);
    if (outcome !== 'failed') this.#lag.observe({ provider }, lagSeconds);
  }

  push(provider: string, outcome: 'accepted' | 'ignored'): void {
    this.#pushes.inc({ provider, outcome });
  }

  disconnected(provider: string): void {
    this.#disconnected.inc({ provider });
  }
}
