/**
 * Composition root and command-line tool `rtseq` (SPEC 2): the only file that knows every
 * concrete class. `rtseq serve` runs the server; the other commands act on the same database.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { systemClock } from './adapters/clock.ts';
import { randomIds, secretBox } from './adapters/crypto.ts';
import { SqliteStore } from './adapters/storage/sqlite/sqlite-store.ts';
import { createApplication, listSecrets, revokeSecret, rotateSecret } from './app/applications.ts';
import type { AppContext } from './app/context.ts';
import { createDemo, type DemoSetup } from './app/demo.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { DomainError } from './domain/errors.ts';
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

function makeContext(config: Config, store: Store): AppContext {
  return {
    config,
    store,
    clock: systemClock,
    ids: randomIds,
    secrets: secretBox(config.secretKey),
    external: null,
  };
}

function makeLogger(config: Config) {
  return pino({
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
  });
}

function printDemo(config: Config, demo: DemoSetup): void {
  const body = {
    tzid: 'Europe/London',
    query_periods: [{ start: 'TOMORROW_T09:00:00Z', end: 'TOMORROW_T17:00:00Z' }],
    sequence: [
      {
        sequence_id: 'pre-screen',
        ordinal: 1,
        participants: [{ members: [{ sub: demo.recruiter.sub }], required: 'all' }],
        required_duration: { minutes: 30 },
      },
      {
        sequence_id: 'face-to-face',
        ordinal: 2,
        participants: [{ members: demo.engineers.map((e) => ({ sub: e.sub })), required: 1 }],
        required_duration: { minutes: 60 },
        buffer: { before: { minimum: { minutes: 0 }, maximum: { minutes: 60 } } },
      },
    ],
  };
  const tomorrow = new Date(systemClock.now() + 86_400_000).toISOString().slice(0, 10);
  const json = JSON.stringify(body).replaceAll('TOMORROW_', tomorrow);
  process.stdout.write(
    [
      '',
      'Demo application created.',
      `  client_id:     ${demo.clientId}`,
      `  client_secret: ${demo.clientSecret}`,
      `  recruiter sub: ${demo.recruiter.sub} (access token ${demo.recruiter.accessToken})`,
      `  engineers:     ${demo.engineers.map((e) => e.sub).join(', ')}`,
      '',
      'Try a sequenced availability query:',
      `  curl -s ${config.publicUrl}/v1/sequenced_availability \\`,
      `    -H 'Authorization: Bearer ${demo.clientSecret}' -H 'Content-Type: application/json' \\`,
      `    -d '${json}'`,
      '',
    ].join('\n'),
  );
}

async function serve(config: Config, options: { demo: boolean }): Promise<void> {
  const logger = makeLogger(config);
  const store = await openStore(config);
  const applied = await store.migrate();
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const ctx = makeContext(config, store);
  const app = buildServer({ ctx, logger, version: VERSION });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, storage: store.kind, version: VERSION }, 'rtseq listening');
  if (options.demo) {
    const demo = await createDemo(ctx);
    if (demo !== null) printDemo(config, demo);
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
      out(USAGE);
      return command === undefined || command === 'help' || values.help === true ? 0 : 2;
  }
}

/** `rtseq callbacks list|replay`, filled in with the outbox (see jobs/). */
async function runCallbackCommand(
  _config: Config,
  _command: string | undefined,
  _sub: string | undefined,
  _values: Record<string, unknown>,
  _out: (text: string) => void,
): Promise<boolean> {
  return false;
}

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
