/**
 * Composition root (SPEC 2): the only place that picks the concrete adapters. It wires a context,
 * runs the server (listen, outbox worker, metrics, signals) and, run as a program
 * (`node src/main.ts serve`), hands the command line to the `rtseq` CLI in cli/.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import type pino from 'pino';
import { CachedExternalBusySource } from './adapters/calendars/busy-source.ts';
import { CaldavWriteBack } from './adapters/calendars/caldav/write-back.ts';
import { ExpansionPool } from './adapters/calendars/expansion/pool.ts';
import { ExternalCalendars } from './adapters/calendars/reader.ts';
import { systemClock } from './adapters/clock.ts';
import { WorkerPoolCompute } from './adapters/compute/pool.ts';
import { randomIds, secretBox } from './adapters/crypto.ts';
import { listenOrExplain, localBaseOf } from './adapters/listen.ts';
import { makeLogger as createLogger } from './adapters/logging.ts';
import { measuredReader } from './adapters/metrics/measured-reader.ts';
import { PrometheusMetrics } from './adapters/metrics/prometheus.ts';
import { OutboundGuard } from './adapters/net/outbound.ts';
import { SqliteStore } from './adapters/storage/sqlite/sqlite-store.ts';
import { demoOutboundCheck, demoTransport } from './adapters/webhooks/demo.ts';
import { httpTransport } from './adapters/webhooks/http-transport.ts';
import { BusyCache } from './app/availability/busy-cache.ts';
import { RuleExpansions } from './app/availability/rule-expansions.ts';
import type { AppContext } from './app/context.ts';
import { DEMO_PATHS } from './app/demo.ts';
import type { Config } from './config/config.ts';
import { OutboxWorker } from './jobs/outbox-worker.ts';
import { RetentionJob } from './jobs/retention-job.ts';
import type { SourceStatusSink } from './ports/source-status.ts';
import type { Store } from './ports/store.ts';
import { buildServer, redactUrl, registerMetricsRoute } from './server.ts';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl !== null) {
    const { PostgresStore } = await import('./adapters/storage/postgres/postgres-store.ts');
    return new PostgresStore(config.databaseUrl, { poolMax: config.databasePoolMax });
  }
  return new SqliteStore(config.sqlitePath);
}

export type WireOptions = { readonly demo?: boolean; readonly metrics?: PrometheusMetrics };
export type Wiring = {
  readonly ctx: AppContext;
  readonly writeBack: CaldavWriteBack;
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
  const secrets = secretBox(config.secretKey);
  const outbound = new OutboundGuard({ allowPrivate: config.allowPrivateCallbacks });
  const expansion = new ExpansionPool({
    budgetMs: config.computeBudgetMs,
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
    ...(metrics === undefined ? {} : { metrics }),
  };
  const writeBack = new CaldavWriteBack({
    writer: calendars.caldav,
    secrets,
    prodId: `-//rtseq//rtseq ${VERSION}//EN`,
  });
  return { ctx, writeBack, outbound, expansion };
}

/** The account's source status (SPEC 8): every external read's outcome, written to the store. */
export function storeSourceStatus(store: Store): SourceStatusSink {
  return (status) => store.transaction((repos) => repos.sourceStatus.record(status));
}

/** Logs on stderr: JSON lines, or readable lines on a terminal (adapters/logging.ts). */
export function makeLogger(config: Config, destination?: pino.DestinationStream): pino.Logger {
  return createLogger(config, redactUrl, destination);
}

export type Running = {
  readonly ctx: AppContext;
  readonly app: FastifyInstance;
  readonly logger: pino.Logger;
};

const DAY_MS = 86_400_000;
/** How often each process runs retention (app/retention.ts); runs are idempotent across processes. */
const RETENTION_INTERVAL_MS = 3_600_000;

/** Runs the server until SIGTERM or SIGINT: migrate, listen, start the outbox worker. */
export async function serve(config: Config, options: { demo?: boolean } = {}): Promise<Running> {
  const logger = makeLogger(config);
  const store = await openStore(config);
  const applied = await store.migrate();
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  // /metrics is served only where asked for: its own port, or PORT with METRICS_PUBLIC (issue 21).
  const metrics =
    config.metrics && (config.metricsPort !== null || config.metricsPublic)
      ? new PrometheusMetrics({
          clock: systemClock,
          processMetrics: true,
          outboxBacklog: () => store.read((r) => r.outbox.backlog()),
        })
      : undefined;
  const wired = wire(config, store, {
    demo: options.demo === true,
    ...(metrics === undefined ? {} : { metrics }),
  });
  const { writeBack, outbound, expansion } = wired;
  const compute = new WorkerPoolCompute({
    budgetMs: config.computeBudgetMs,
    ...(config.computeWorkers === null ? {} : { workers: config.computeWorkers }),
  });
  const ctx: AppContext = { ...wired.ctx, compute };
  let local: string | undefined;
  const transport = httpTransport({ allowPrivate: config.allowPrivateCallbacks, guard: outbound });
  const worker = new OutboxWorker({
    ctx,
    transport:
      options.demo === true ? demoTransport(transport, demoReceiverUrl(config), () => local) : transport,
    writeBack,
    owner: `${hostname()}:${process.pid}:${randomIds.newToken(6)}`,
    leaseMs: config.outboxLeaseSeconds * 1000,
    pollMs: config.outboxPollMs,
    logger: logger.child({ component: 'outbox' }),
  });
  const retention = new RetentionJob({
    ctx,
    policy: {
      reservationsMs: config.retainReservationsDays === null ? null : config.retainReservationsDays * DAY_MS,
      deliveriesMs: config.retainDeliveriesDays === null ? null : config.retainDeliveriesDays * DAY_MS,
    },
    intervalMs: RETENTION_INTERVAL_MS,
    logger: logger.child({ component: 'retention' }),
  });
  const app = buildServer({
    ctx,
    logger,
    version: VERSION,
    web: { onBooked: () => worker.wake() },
    demo: options.demo === true,
    ...(metrics === undefined ? {} : { metrics, ...(config.metricsPublic ? { metricsPage: metrics } : {}) }),
  });
  const metricsApp =
    metrics !== undefined && config.metricsPort !== null ? Fastify({ logger: false }) : undefined;
  if (metricsApp !== undefined && metrics !== undefined) registerMetricsRoute(metricsApp, metrics);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining HTTP, finishing deliveries in flight');
    await Promise.all([app.close(), metricsApp?.close()]);
    await Promise.all([worker.stop(), retention.stop()]);
    await Promise.all([compute.close(), expansion.close()]);
    await store.close();
    process.exit(0);
  };
  try {
    await listenOrExplain(app, config.host, config.port, 'PORT');
    if (metricsApp !== undefined)
      await listenOrExplain(metricsApp, config.host, config.metricsPort ?? 0, 'METRICS_PORT');
  } catch (error) {
    await Promise.all([app.close(), metricsApp?.close(), compute.close(), expansion.close()]);
    await store.close();
    throw error;
  }
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  local = localBaseOf(app.server.address());
  worker.start();
  retention.start();
  logger.info({ port: config.port, storage: store.kind, version: VERSION }, 'rtseq listening');
  return { ctx, app, logger };
}

// Run as a program: the command line is the CLI's (cli/main.ts imports this module back).
if (import.meta.main) void import('./cli/main.ts').then((cli) => cli.runAsProgram(process.argv.slice(2)));
