/**
 * Composition root and command-line tool `rtseq` (SPEC 2): the only file that knows every
 * concrete class. `rtseq serve` runs the server; the other commands act on the same database.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { CachedExternalBusySource } from './adapters/calendars/busy-source.ts';
import { ExternalCalendars } from './adapters/calendars/reader.ts';
import { CaldavWriteBack } from './adapters/calendars/write-back.ts';
import { systemClock } from './adapters/clock.ts';
import { randomIds, secretBox } from './adapters/crypto.ts';
import { OutboundGuard } from './adapters/net/outbound.ts';
import { SqliteStore } from './adapters/storage/sqlite/sqlite-store.ts';
import { httpTransport } from './adapters/webhooks/http-transport.ts';
import { createApplication, listSecrets, revokeSecret, rotateSecret } from './app/applications.ts';
import { BusyCache } from './app/busy-cache.ts';
import { listDeliveries, replayDelivery } from './app/callbacks.ts';
import type { AppContext } from './app/context.ts';
import { createDemo, type DemoSetup } from './app/demo.ts';
import { type ConnectedAccount, connectCaldavAccount, connectIcsFeed } from './app/external-accounts.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { DomainError } from './domain/errors.ts';
import { OutboxWorker } from './jobs/outbox-worker.ts';
import type { Store } from './ports/store.ts';
import { buildServer, redactUrl } from './server.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl !== null) {
    const { PostgresStore } = await import('./adapters/storage/postgres/postgres-store.ts');
    return new PostgresStore(config.databaseUrl, { poolMax: config.databasePoolMax });
  }
  return new SqliteStore(config.sqlitePath);
}

/** The one outbound guard (SPEC 8a) of a process: callbacks, ICS and CalDAV all go through it. */
function makeGuard(config: Config): OutboundGuard {
  return new OutboundGuard({ allowPrivate: config.allowPrivateCallbacks });
}

// --- external calendars (SPEC 8): one ExternalCalendars for reads, discovery and write-back ---
function makeContext(config: Config, store: Store, outbound: OutboundGuard = makeGuard(config)): AppContext {
  const secrets = secretBox(config.secretKey);
  const calendars = new ExternalCalendars({ timeoutMs: config.calendarTimeoutMs, outbound });
  return {
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
}

function makeWriteBack(config: Config, outbound: OutboundGuard): CaldavWriteBack {
  return new CaldavWriteBack({
    writer: new ExternalCalendars({ timeoutMs: config.calendarTimeoutMs, outbound }).caldav,
    secrets: secretBox(config.secretKey),
    prodId: `-//rtseq//rtseq ${VERSION}//EN`,
  });
}
// --- end external calendars ---

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

/** A link request shaped like the example in Cronofy's documentation, over the demo accounts. */
function demoLinkBody(config: Config, demo: DemoSetup, now: number): Record<string, unknown> {
  const day = (offset: number) => new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
  return {
    oauth: { redirect_uri: `${config.publicUrl}/v1/status`, state: 'demo-state' },
    event: {
      event_id: 'demo-interview',
      summary: 'Product Manager Interview at Globex',
      tzid: 'Europe/London',
    },
    availability: {
      sequence: [
        {
          sequence_id: '123',
          ordinal: 1,
          participants: [
            {
              members: [{ sub: demo.recruiter.sub, calendar_ids: [demo.recruiter.calendarId] }],
              required: 'all',
            },
          ],
          event: { event_id: 'demo-pre-screen', summary: 'Pre screen' },
          required_duration: { minutes: 60 },
        },
        {
          sequence_id: '456',
          ordinal: 2,
          participants: [
            {
              members: [
                {
                  sub: demo.engineers[0]!.sub,
                  available_periods: [
                    { start: `${day(1)}T09:00:00Z`, end: `${day(1)}T12:00:00Z` },
                    { start: `${day(2)}T10:00:00Z`, end: `${day(2)}T20:00:00Z` },
                  ],
                },
              ],
              required: 'all',
            },
          ],
          event: { event_id: 'demo-face-to-face', summary: 'Face to face' },
          required_duration: { minutes: 60 },
        },
      ],
      query_periods: [
        { start: `${day(1)}T09:00:00Z`, end: `${day(1)}T18:00:00Z` },
        { start: `${day(2)}T09:00:00Z`, end: `${day(2)}T18:00:00Z` },
      ],
    },
    target_calendars: [{ sub: demo.recruiter.sub, calendar_id: demo.recruiter.calendarId }],
    selection_mode: 'confirm',
    tzid: 'Europe/London',
  };
}

function printDemo(
  config: Config,
  demo: DemoSetup,
  body: Record<string, unknown>,
  linkUrl: string | undefined,
): void {
  process.stdout.write(
    [
      '',
      'Demo application created.',
      `  client_id:     ${demo.clientId}`,
      `  client_secret: ${demo.clientSecret}`,
      `  recruiter sub: ${demo.recruiter.sub} (access token ${demo.recruiter.accessToken})`,
      `  engineers:     ${demo.engineers.map((e) => e.sub).join(', ')}`,
      '',
      linkUrl === undefined ? '' : `Open the demo Real-Time Sequencing link: ${linkUrl}`,
      '',
      'Create another link (the response carries its url):',
      `  curl -s ${config.publicUrl}/v1/real_time_sequencing \\`,
      `    -H 'Authorization: Bearer ${demo.clientSecret}' -H 'Content-Type: application/json' \\`,
      `    -d '${JSON.stringify(body)}'`,
      '',
    ].join('\n'),
  );
}

async function serve(config: Config, options: { demo: boolean }): Promise<void> {
  const logger = makeLogger(config);
  const store = await openStore(config);
  const applied = await store.migrate();
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const outbound = makeGuard(config);
  const ctx = makeContext(config, store, outbound);
  const worker = new OutboxWorker({
    ctx,
    transport: httpTransport({ allowPrivate: config.allowPrivateCallbacks, guard: outbound }),
    writeBack: makeWriteBack(config, outbound),
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
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  worker.start();
  logger.info({ port: config.port, storage: store.kind, version: VERSION }, 'rtseq listening');
  if (options.demo) {
    const demo = await createDemo(ctx);
    if (demo !== null) {
      const body = demoLinkBody(config, demo, systemClock.now());
      const created = await app.inject({
        method: 'POST',
        url: '/v1/real_time_sequencing',
        headers: { authorization: `Bearer ${demo.clientSecret}` },
        payload: body,
      });
      const linkUrl = created.statusCode === 200 ? (created.json() as { url?: string }).url : undefined;
      if (linkUrl === undefined)
        logger.warn({ status: created.statusCode, body: created.body }, 'demo link not created');
      printDemo(config, demo, body, linkUrl);
    }
  }
}

const USAGE = `Usage: rtseq <command>
  serve [--demo]                         run the server (--demo: seed a demo application on an empty database)
  migrate                                apply database migrations
  app create --name NAME [--json]        create an application; prints its credentials
  app rotate-secret --client-id ID       add a new client secret (old ones stay active)
  app list-secrets --client-id ID        list active secrets (ids and hints)
  app revoke-secret --client-id ID --secret-id SID
  callbacks list [--status pending|failed|delivered] [--json]
  callbacks replay --id OUTBOX_ID
  calendars connect-caldav --client-id ID --url URL --username U [--password P] [--name N] [--json]
                                         connect a new account to a CalDAV server (password also from
                                         RTSEQ_CALDAV_PASSWORD, which keeps it out of the process list)
  calendars connect-ics --client-id ID --url URL [--name N] [--json]
                                         connect a new account to an ICS feed (read-only)
Configuration comes from the environment (see README).`;

async function withContext<T>(config: Config, work: (ctx: AppContext) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    await store.migrate();
    return await work(makeContext(config, store));
  } finally {
    await store.close();
  }
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      json: { type: 'boolean' },
      demo: { type: 'boolean' },
      'client-id': { type: 'string' },
      'secret-id': { type: 'string' },
      status: { type: 'string' },
      id: { type: 'string' },
      url: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const config = loadConfig(process.env);
  const [command, sub] = positionals;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const need = (name: 'name' | 'client-id' | 'secret-id' | 'id'): string => {
    const value = values[name];
    if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
    return value;
  };
  switch (command === undefined ? 'help' : `${command}${sub === undefined ? '' : ` ${sub}`}`) {
    case 'serve':
      await serve(config, { demo: values.demo === true });
      return -1; // keeps running
    case 'migrate': {
      const store = await openStore(config);
      const applied = await store.migrate();
      await store.close();
      out(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
      return 0;
    }
    case 'app create': {
      const name = need('name');
      const created = await withContext(config, (ctx) => createApplication(ctx, name));
      if (values.json === true)
        out(JSON.stringify({ client_id: created.clientId, client_secret: created.clientSecret }));
      else
        out(
          `client_id:     ${created.clientId}\nclient_secret: ${created.clientSecret}\nsecret_id:     ${created.secretId}`,
        );
      return 0;
    }
    case 'app rotate-secret': {
      const clientId = need('client-id');
      const rotated = await withContext(config, (ctx) => rotateSecret(ctx, clientId));
      if (values.json === true) {
        out(
          JSON.stringify({
            client_id: rotated.clientId,
            client_secret: rotated.clientSecret,
            secret_id: rotated.secretId,
          }),
        );
      } else out(`client_secret: ${rotated.clientSecret}\nsecret_id:     ${rotated.secretId}`);
      return 0;
    }
    case 'app list-secrets': {
      const clientId = need('client-id');
      const secrets = await withContext(config, (ctx) => listSecrets(ctx, clientId));
      if (values.json === true) out(JSON.stringify(secrets));
      else for (const s of secrets) out(`${s.secretId}  ${new Date(s.createdAt).toISOString()}  ${s.hint}`);
      return 0;
    }
    case 'app revoke-secret': {
      const clientId = need('client-id');
      const secretId = need('secret-id');
      await withContext(config, (ctx) => revokeSecret(ctx, clientId, secretId));
      out(`Revoked ${secretId}.`);
      return 0;
    }
    default:
      if (await runCallbackCommand(config, command, sub, values, out)) return 0;
      if (await runCalendarCommand(config, command, sub, values, out)) return 0;
      out(USAGE);
      return command === undefined || command === 'help' || values.help === true ? 0 : 2;
  }
}

/** `rtseq callbacks list|replay`: the outbox of every application in this database. */
async function runCallbackCommand(
  config: Config,
  command: string | undefined,
  sub: string | undefined,
  values: Record<string, unknown>,
  out: (text: string) => void,
): Promise<boolean> {
  if (command !== 'callbacks' || (sub !== 'list' && sub !== 'replay')) return false;
  if (sub === 'list') {
    const status = values.status;
    if (status !== undefined && status !== 'pending' && status !== 'failed' && status !== 'delivered') {
      throw new UsageError('--status must be pending, failed or delivered');
    }
    const items = await withContext(config, (ctx) =>
      listDeliveries(ctx, { ...(status === undefined ? {} : { status }), limit: 1000 }),
    );
    if (values.json === true) out(JSON.stringify(items));
    else {
      for (const item of items) {
        out(
          `${item.id}  ${item.status.padEnd(9)} attempts=${item.attempts}  ${item.kind}  ${item.target}${item.lastError === null ? '' : `  (${item.lastError})`}`,
        );
      }
      if (items.length === 0) out('No deliveries.');
    }
    return true;
  }
  const id = values.id;
  if (typeof id !== 'string' || id === '') throw new UsageError('--id is required');
  await withContext(config, (ctx) => replayDelivery(ctx, id));
  out(`Replaying ${id}: it is due now and the running server will deliver it.`);
  return true;
}

// --- external calendars CLI: `rtseq calendars connect-caldav|connect-ics` ---
/** Where CLI problems are reported: the flags, not the wire names. */
const CLI_PATHS = {
  serverUrl: '--url',
  username: '--username',
  password: '--password',
  url: '--url',
  sub: '--sub',
  applicationCalendarId: '--application-calendar-id',
};

/** Same use cases as `POST /v1/external_calendars/*`; prints the same JSON with --json. */
async function runCalendarCommand(
  config: Config,
  command: string | undefined,
  sub: string | undefined,
  values: Record<string, unknown>,
  out: (text: string) => void,
): Promise<boolean> {
  if (command !== 'calendars' || (sub !== 'connect-caldav' && sub !== 'connect-ics')) return false;
  const need = (name: string, value: unknown = values[name]): string => {
    if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
    return value;
  };
  const clientId = need('client-id');
  const url = need('url');
  const name = typeof values.name === 'string' && values.name.trim() !== '' ? values.name.trim() : null;
  const choice = { sub: null, applicationCalendarId: null, name, tzid: null };
  const result = await withContext(config, async (ctx): Promise<ConnectedAccount> => {
    const application = await ctx.store.read((repos) => repos.applications.byClientId(clientId));
    if (application === undefined) throw new UsageError(`No application with client_id ${clientId}`);
    try {
      return sub === 'connect-caldav'
        ? await connectCaldavAccount(
            ctx,
            application,
            {
              ...choice,
              serverUrl: url,
              username: need('username'),
              password: need('password', values.password ?? process.env.RTSEQ_CALDAV_PASSWORD),
            },
            CLI_PATHS,
          )
        : await connectIcsFeed(ctx, application, { ...choice, url }, CLI_PATHS);
    } catch (error) {
      // The generic "request is invalid" says nothing; the problems say what to fix.
      if (error instanceof DomainError && error.problems.length > 0)
        throw new UsageError(error.problems.map((p) => `${p.path}: ${p.description}`).join('\n'));
      throw error;
    }
  });
  if (values.json === true) {
    out(
      JSON.stringify({
        sub: result.account.id,
        access_token: result.accessToken,
        refresh_token: result.refreshToken,
        token_type: 'bearer',
        calendars: result.calendars.map((c) => ({
          calendar_id: c.id,
          calendar_name: c.name,
          calendar_readonly: c.readOnly,
          provider_name: c.kind,
        })),
      }),
    );
  } else {
    out(
      `sub:           ${result.account.id}\naccess_token:  ${result.accessToken}\nrefresh_token: ${result.refreshToken}`,
    );
    for (const c of result.calendars)
      out(`calendar:      ${c.id}  ${c.kind}${c.readOnly ? ' (read-only)' : ''}  ${c.name}`);
  }
  return true;
}
// --- end external calendars CLI ---

class UsageError extends Error {}

const isEntry =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/src\//, '/src/'));
if (isEntry || process.env.RTSEQ_CLI === '1') {
  runCli(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError || error instanceof UsageError)
        process.stderr.write(`${error.message}\n`);
      else if (error instanceof DomainError) process.stderr.write(`rtseq: ${error.message}\n`);
      else
        process.stderr.write(
          `rtseq: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
      process.exitCode = 1;
    },
  );
}
