/**
 * What every use case needs, injected by wiring/wire.ts (or by a test). app/ sees ports only.
 */
import type { Config } from '../config/config.ts';
import type { ActivityLog } from '../ports/activity.ts';
import type { ExternalBusySource } from '../ports/busy-source.ts';
import type { AvailabilityCompute } from '../ports/compute.ts';
import type { ExternalCalendarConnector } from '../ports/external-calendars.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { OutboundCheck } from '../ports/outbound.ts';
import type { Clock, Ids, SecretBox } from '../ports/runtime.ts';
import type { Store } from '../ports/store.ts';
import type { SyncedCalendarProvider, SyncedProviderName } from '../ports/synced-provider.ts';
import type { BusyCache } from './availability/busy-cache.ts';
import type { RuleExpansions } from './availability/rule-expansions.ts';

export type AppContext = {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly secrets: SecretBox;
  /** Reads busy time of external (CalDAV/ICS) calendars; absent when none are configured. */
  readonly external: ExternalBusySource | null;
  /**
   * Discovers CalDAV calendars and trial-reads feeds when an account is connected
   * (app/calendars/external-accounts.ts); absent or null: connecting answers that it is not configured.
   */
  readonly connector?: ExternalCalendarConnector | null;
  /**
   * The outbound guard's check at creation (SPEC 8a); absent: host literals and local names are
   * judged without DNS.
   */
  readonly outbound?: OutboundCheck;
  /** In-memory busy time of native calendars, checked against calendar versions; optional. */
  readonly busyCache?: BusyCache;
  /** Availability rules' occurrences, expanded once per rule content; optional. */
  readonly ruleExpansions?: RuleExpansions;
  /**
   * Runs the engine off the event loop within a budget (SPEC 9); absent: the engine runs inline,
   * unbounded (tests and tools).
   */
  readonly compute?: AvailabilityCompute;
  /** Operational metrics, reported at the use cases' edges (never by the engine); absent: none. */
  readonly metrics?: Metrics;
  /**
   * Google Calendar and Microsoft 365 (SPEC 8c), the ones the operator configured; absent or
   * empty: neither is offered.
   */
  readonly providers?: Partial<Record<SyncedProviderName, SyncedCalendarProvider>>;
  /** Told when a synced calendar became due now (a push, a new connection): wakes the sync job. */
  readonly onSyncDue?: () => void;
  /** One log line per booking, reschedule and cancel for the operator; absent: none (tests, CLI). */
  readonly activity?: ActivityLog;
};
