/**
 * Composition root (SPEC 2): the only place that picks the concrete adapters. It wires a context,
 * runs the server (listen, outbox worker, signals) and, run as a program (`node src/main.ts serve`),
 * hands the command line to the `rtseq` CLI in cli/.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { CachedExternalBusySource } from './adapters/calendars/busy-source.ts';
import { ExternalCalendars } from './adapters/calendars/reader.ts';
import { CaldavWriteBack } from './adapters/calendars/write-back.ts';
import { systemClock } from './adapters/clock.ts';
import { WorkerPoolCompute } from './adapters/compute/pool.ts';
import { randomIds, secretBox } from './adapters/crypto.ts';
import { OutboundGuard } from './adapters/net/outbound.ts';
import { SqliteStore } from './adapters/storage/sqlite/sqlite-store.ts';
import { httpTransport } from './adapters/webhooks/http-transport.ts';
import { BusyCache } from './app/busy-cache.ts';
import type { AppContext } from './app/context.ts';
import type { Config } from './config/config.ts';
import { OutboxWorker } from './jobs/outbox-worker.ts';
import type { Store } from './ports/store.ts';
import { buildServer, redactUrl } from './server.ts';

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

export type Wiring = {
  readonly ctx: AppContext;
  readonly writeBack: CaldavWriteBack;
  /** The one outbound guard (SPEC 8a) of a process: callbacks, ICS and CalDAV all go through it. */
  readonly outbound: OutboundGuard;
};

/**
 * The use cases' context and the worker's CalDAV write-back, over one `ExternalCalendars` (SPEC 8):
 * it reads busy time, discovers calendars when an account is connected, and writes bookings back.
 */
export function wire(config: Config, store: Store): Wiring {
  const secrets = secretBox(config.secretKey);
  const outbound = new OutboundGuard({ allowPrivate: config.allowPrivateCallbacks });
  const calendars = new ExternalCalendars({ timeoutMs: config.calendarTimeoutMs, outbound });
  const ctx: AppContext = {
    config,
    store,
    clock: systemClock,
    ids: randomIds,
    secrets,
    busyCache: new BusyCache(),
    external: new CachedExternalBusySource({
      reader: calendars,
      secrets,
      clock: systemClock,
      cacheSeconds: config.calendarCacheSeconds,
      timeoutMs: config.calendarTimeoutMs,
    }),
    connector: calendars,
    outbound,
  };
  const writeBack = new CaldavWriteBack({
    writer: calendars.caldav,
    secrets,
    prodId: `-//rtseq//rtseq ${VERSION}//EN`,
  });
  return { ctx, writeBack, outbound };
}

/** Structured JSON logs; tokens in URLs and credentials in headers or bodies never reach a line. */
export function makeLogger(config: Config, destination?: pino.DestinationStream) {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'rtseq', data_center: config.dataCenter },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.client_secret',
          '*.access_token',
          '*.password',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
        }),
      },
    },
    destination ?? pino.destination(1),
  );
}

export type Running = {
  readonly ctx: AppContext;
  readonly app: FastifyInstance;
  readonly logger: pino.Logger;
};

/** Runs the server until SIGTERM or SIGINT: migrate, listen, start the outbox worker. */
export async function serve(config: Config): Promise<Running> {
  const logger = makeLogger(config);
  const store = await openStore(config);
  const applied = await store.migrate();
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const wired = wire(config, store);
  const { writeBack, outbound } = wired;
  const compute = new WorkerPoolCompute({
    budgetMs: config.computeBudgetMs,
    ...(config.computeWorkers === null ? {} : { workers: config.computeWorkers }),
  });
  const ctx: AppContext = { ...wired.ctx, compute };
  const worker = new OutboxWorker({
    ctx,
    transport: httpTransport({ allowPrivate: config.allowPrivateCallbacks, guard: outbound }),
    writeBack,
    owner: `${hostname()}:${process.pid}:${randomIds.newToken(6)}`,
    leaseMs: config.outboxLeaseSeconds * 1000,
    pollMs: config.outboxPollMs,
    logger: logger.child({ component: 'outbox' }),
  });
  const app = buildServer({ ctx, logger, version: VERSION, web: { onBooked: () => worker.wake() } });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining HTTP, finishing deliveries in flight');
    await app.close();
    await worker.stop();
    await compute.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  worker.start();
  logger.info({ port: config.port, storage: store.kind, version: VERSION }, 'rtseq listening');
  return { ctx, app, logger };
}

// Run as a program: the command line is the CLI's (cli/main.ts imports this module back).
if (import.meta.main) void import('./cli/main.ts').then((cli) => cli.runAsProgram(process.argv.slice(2)));
