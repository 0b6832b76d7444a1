/** Runs the server on the wiring: check the database, listen, outbox worker, metrics, signals and shutdown. */

import { hostname } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import type pino from 'pino';
import { systemClock } from '../adapters/clock.ts';
import { WorkerPoolCompute } from '../adapters/compute/pool.ts';
import { randomIds } from '../adapters/crypto.ts';
import { listenOrExplain, localBaseOf } from '../adapters/listen.ts';
import { PrometheusMetrics } from '../adapters/metrics/prometheus.ts';
import type { PostgresStore } from '../adapters/storage/postgres/postgres-store.ts';
import { demoTransport } from '../adapters/webhooks/demo.ts';
import { httpTransport } from '../adapters/webhooks/http-transport.ts';
import type { AppContext } from '../app/context.ts';
import { prepareSchema } from '../app/schema.ts';
import { checkSecretKey, keylessWarning } from '../app/secrets.ts';
import type { Config } from '../config/config.ts';
import { currentComputeClient } from '../http/compute-clients.ts';
import { OutboxWorker } from '../jobs/outbox-worker.ts';
import { RetentionJob } from '../jobs/retention-job.ts';
import { SealingJob } from '../jobs/sealing-job.ts';
import { SyncJob } from '../jobs/sync-job.ts';
import type { Store } from '../ports/store.ts';
import { buildServer, registerMetricsRoute } from '../server.ts';
import { activityLog, demoReceiverUrl, makeLogger, openStore, secretsOf, VERSION, wire } from './wire.ts';

export type Running = {
  readonly ctx: AppContext;
  readonly app: FastifyInstance;
  readonly logger: pino.Logger;
};

const DAY_MS = 86_400_000;
/** How often each process runs retention (app/retention.ts); runs are idempotent across processes. */
const RETENTION_INTERVAL_MS = 3_600_000;

/**
 * The store `serve` runs on, checked before anything listens (docs/deployment.md): a schema newer
 * than this code is refused; pending migrations are applied on SQLite and with `--migrate`, and
 * refused otherwise (PostgreSQL is migrated by `rtseq migrate`, once, before a rolling restart);
 * SECRET_KEY must open what the database holds (and is required on PostgreSQL). Values stored in
 * plain form before the key was set are sealed after listening (jobs/sealing-job.ts).
 */
async function preparedStore(config: Config, logger: pino.Logger, migrate: boolean): Promise<Store> {
  const store = await openStore(config, { server: true });
  try {
    const applied = await prepareSchema(store, store.kind === 'sqlite' || migrate ? 'apply' : 'refuse');
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    const key = await checkSecretKey(store, secretsOf(config), {
      requireKey: store.kind === 'postgres',
      sealing: 'later',
    });
    const warning = keylessWarning(key);
    if (warning !== undefined) logger.warn(warning);
    if (key.outcome === 'recorded')
      logger.info('SECRET_KEY recorded for this database; plain values are sealed once it serves');
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Runs the server until SIGTERM or SIGINT: check the database, listen, start the outbox worker. */
export async function serve(
  config: Config,
  options: { demo?: boolean; migrate?: boolean } = {},
): Promise<Running> {
  const logger = makeLogger(config);
  const store = await preparedStore(config, logger, options.migrate === true);
  // /metrics is served only where asked for: its own port, or PORT with METRICS_PUBLIC (issue 21).
  const metrics =
    config.metrics && (config.metricsPort !== null || config.metricsPublic)
      ? new PrometheusMetrics({
          clock: systemClock,
          processMetrics: true,
          version: VERSION,
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
    clientOf: currentComputeClient,
    ...(config.computeWorkers === null ? {} : { workers: config.computeWorkers }),
  });
  metrics?.watchPools({ engine: compute, expansion });
  metrics?.watchComputeBudget(compute);
  // PostgreSQL only (SQLite has no pool); the store module is loaded lazily, so asked by shape.
  const pooled = store as Partial<Pick<PostgresStore, 'poolStats'>>;
  if (pooled.poolStats !== undefined) metrics?.watchDatabasePool(() => pooled.poolStats!.call(store));
  let syncJob: SyncJob | undefined;
  const ctx: AppContext = {
    ...wired.ctx,
    compute,
    activity: activityLog(logger),
    onSyncDue: () => syncJob?.wake(),
  };
  syncJob = new SyncJob({ ctx, logger: logger.child({ component: 'sync' }) });
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
  const sealing = new SealingJob({ ctx, logger: logger.child({ component: 'sealing' }) });
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
    await Promise.all([worker.stop(), retention.stop(), syncJob.stop(), sealing.stop()]);
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
  syncJob.start();
  sealing.start();
  logger.info({ port: config.port, storage: store.kind, version: VERSION }, 'rtseq listening');
  return { ctx, app, logger };
}
