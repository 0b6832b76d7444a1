/**
 * The composition root (SPEC 2): the only place that picks the concrete adapters. `wire` builds the
 * use cases' context (and the worker's write-back) over them; serve.ts runs the server on it and
 * the `rtseq` commands (cli/) run on it. main.ts, the program, only hands the command line to cli/.
 */
import { readFileSync } from 'node:fs';
import type pino from 'pino';
import { CachedExternalBusySource } from '../adapters/calendars/busy-source.ts';
import { CaldavWriteBack } from '../adapters/calendars/caldav/write-back.ts';
import { ExpansionPool } from '../adapters/calendars/expansion/pool.ts';
import { createGoogleProvider } from '../adapters/calendars/google/provider.ts';
import { createMicrosoftProvider } from '../adapters/calendars/microsoft/provider.ts';
import { ExternalCalendars } from '../adapters/calendars/reader.ts';
import { systemClock } from '../adapters/clock.ts';
import { randomIds, secretBox } from '../adapters/crypto.ts';
import { makeLogger as createLogger } from '../adapters/logging.ts';
import { measuredReader } from '../adapters/metrics/measured-reader.ts';
import type { PrometheusMetrics } from '../adapters/metrics/prometheus.ts';
import { OutboundGuard } from '../adapters/net/outbound.ts';
import { SqliteStore } from '../adapters/storage/sqlite/sqlite-store.ts';
import { demoOutboundCheck } from '../adapters/webhooks/demo.ts';
import { BusyCache } from '../app/availability/busy-cache.ts';
import { RuleExpansions } from '../app/availability/rule-expansions.ts';
import { recordSourceRead } from '../app/calendars/source-status.ts';
import type { AppContext } from '../app/context.ts';
import { DEMO_PATHS } from '../app/demo.ts';
import { SyncedWriteBack } from '../app/sync/write-back.ts';
import type { Config } from '../config/config.ts';
import { currentComputeClient } from '../http/compute-clients.ts';
import type { ActivityLog } from '../ports/activity.ts';
import type { CalendarWriteBack } from '../ports/delivery.ts';
import type { SecretBox } from '../ports/runtime.ts';
import type { SourceStatusSink } from '../ports/source-status.ts';
import type { Store } from '../ports/store.ts';
import type { SyncedCalendarProvider, SyncedProviderName } from '../ports/synced-provider.ts';
import { redactUrl } from '../server.ts';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * The configured store. `server`: the long-running server's (SQLite checkpoints in a worker thread);
 * a CLI command's short run keeps SQLite's own checkpoints and starts no thread.
 */
export async function openStore(config: Config, options: { server?: boolean } = {}): Promise<Store> {
  if (config.databaseUrl !== null) {
    const { PostgresStore } = await import('../adapters/storage/postgres/postgres-store.ts');
    return new PostgresStore(config.databaseUrl, { poolMax: config.databasePoolMax });
  }
  return new SqliteStore(config.sqlitePath, { backgroundCheckpoints: options.server === true });
}

export type WireOptions = { readonly demo?: boolean; readonly metrics?: PrometheusMetrics };
export type Wiring = {
  readonly ctx: AppContext;
  /** Writes booked events out: CalDAV by PUT, Google and Microsoft 365 through their APIs. */
  readonly writeBack: CalendarWriteBack;
  readonly outbound: OutboundGuard;
  /** The worker threads external calendars are parsed in; close it when done (threads start lazily). */
  readonly expansion: ExpansionPool;
};

/** Where demo links send their callback: this server's demo receiver (web/demo.ts). */
export const demoReceiverUrl = (config: Config) => `${config.publicUrl}${DEMO_PATHS.callbacks}`;

/**
 * The use cases' context and the worker's CalDAV write-back over one outbound guard (SPEC 8a) and
 * one `ExternalCalendars` (SPEC 8), which reads busy time, discovers calendars when an account is
 * connected, and writes bookings back.
 */
export function wire(config: Config, store: Store, options: WireOptions = {}): Wiring {
  const secrets = secretsOf(config);
  const outbound = new OutboundGuard({ allowPrivate: config.allowPrivateCallbacks });
  const expansion = new ExpansionPool({
    budgetMs: config.computeBudgetMs,
    clientOf: currentComputeClient,
    ...(config.computeWorkers === null ? {} : { workers: config.computeWorkers }),
  });
  const calendars = new ExternalCalendars({
    timeoutMs: config.calendarTimeoutMs,
    outbound,
    expander: expansion,
  });
  const metrics = options.metrics;
  const ctx: AppContext = {
    config,
    store,
    clock: systemClock,
    ids: randomIds,
    secrets,
    busyCache: new BusyCache(config.busyCacheMb * 1_048_576),
    ruleExpansions: new RuleExpansions(),
    external: new CachedExternalBusySource({
      reader: metrics === undefined ? calendars : measuredReader(calendars, metrics),
      secrets,
      clock: systemClock,
      cacheSeconds: config.calendarCacheSeconds,
      timeoutMs: config.calendarTimeoutMs,
      budgetMs: config.computeBudgetMs,
      statuses: storeSourceStatus(store),
    }),
    connector: calendars,
    outbound: options.demo === true ? demoOutboundCheck(outbound, demoReceiverUrl(config)) : outbound,
    providers: syncedProviders(config),
    ...(metrics === undefined ? {} : { metrics }),
  };
  const caldav = new CaldavWriteBack({
    writer: calendars.caldav,
    secrets,
    prodId: `-//rtseq//rtseq ${VERSION}//EN`,
  });
  const synced = new SyncedWriteBack(ctx);
  const writeBack: CalendarWriteBack = {
    writeEvent: (calendar, event) =>
      calendar.kind === 'caldav' ? caldav.writeEvent(calendar, event) : synced.writeEvent(calendar, event),
  };
  return { ctx, writeBack, outbound, expansion };
}

/** Google Calendar and Microsoft 365, each when the operator gave its OAuth client (SPEC 8c). */
export function syncedProviders(config: Config): Partial<Record<SyncedProviderName, SyncedCalendarProvider>> {
  const { google, microsoft } = config.sync;
  return {
    ...(google === null ? {} : { google: createGoogleProvider(google) }),
    ...(microsoft === null
      ? {}
      : { office365: createMicrosoftProvider({ ...microsoft, graphUrl: microsoft.apiUrl }) }),
  };
}

/**
 * The account's source status (SPEC 8): every external read's outcome, written to the store, and
 * the changes it reveals told to the channels (SPEC 8d).
 */
export function storeSourceStatus(store: Store): SourceStatusSink {
  return (status) => recordSourceRead(store, status);
}

/** The SecretBox of this configuration: SECRET_KEY, and SECRET_KEY_PREVIOUS during a rotation. */
export const secretsOf = (config: Config): SecretBox => secretBox(config.secretKey, config.secretKeyPrevious);

/** A SecretBox of one key alone, or of none (`rtseq secrets rotate` opens with one, seals with another). */
export const keyBox = (key: string | null): SecretBox => secretBox(key);

/** One line per booking, reschedule and cancel (docs/deployment.md, "Logs"). */
export function activityLog(logger: pino.Logger): ActivityLog {
  const log = logger.child({ component: 'links' });
  return {
    link: (activity, fields) =>
      log.info(
        {
          link_id: fields.linkId,
          application_id: fields.applicationId,
          ...(fields.steps === undefined ? {} : { steps: fields.steps }),
          ...(fields.start === undefined ? {} : { start: fields.start, end: fields.end }),
        },
        `link ${activity}`,
      ),
  };
}

/** Logs on stderr: JSON lines, or readable lines on a terminal (adapters/logging.ts). */
export function makeLogger(config: Config, destination?: pino.DestinationStream): pino.Logger {
  return createLogger(config, redactUrl, destination);
}
