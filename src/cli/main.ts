/**
 * The `rtseq` command (SPEC 2): `serve` runs the server; the other commands act on the same
 * database, through the same use cases as the API. Entry points: bin/rtseq.js, `npm run rtseq`,
 * and `node src/main.ts …`. Commands and their flags are listed in usage.ts.
 */
import { prepareSchema } from '../app/schema.ts';
import { checkSecretKey, StartupRefusal } from '../app/secrets.ts';
import { type Config, ConfigError, loadConfig } from '../config/config.ts';
import { DomainError } from '../domain/errors.ts';
import { serve } from '../wiring/serve.ts';
import { openStore, secretsOf, VERSION } from '../wiring/wire.ts';
import { runAccountCommand } from './accounts.ts';
import { runAppCommand } from './applications.ts';
import { type Args, readArgs, UsageError } from './args.ts';
import { runCalendarCommand } from './calendars.ts';
import { runCallbackCommand } from './callbacks.ts';
import { describeDatabase, sayKeyCheck } from './context.ts';
import { runDemoCommand, startDemo } from './demo.ts';
import { runLinkCommand } from './links.ts';
import { runSecretCommand } from './secrets.ts';
import { runTokenCommand } from './tokens.ts';
import { isKnownCommand, usage } from './usage.ts';

type Command = (config: Config, args: Args, out: (text: string) => void) => Promise<boolean>;

const GROUPS = new Map<string, Command>([
  ['app', runAppCommand],
  ['accounts', runAccountCommand],
  ['callbacks', runCallbackCommand],
  ['calendars', runCalendarCommand],
  ['links', runLinkCommand],
  ['secrets', runSecretCommand],
  ['tokens', runTokenCommand],
]);

/** The demo writes an application and accounts: never into a production database by accident. */
function refuseDemoOnPostgres(config: Config, args: Args): void {
  if (config.databaseUrl !== null && !args.forceDemo)
    throw new UsageError(
      `rtseq: the demo creates a demo application and serves /demo/ pages; refusing it on ${describeDatabase(config)}. ` +
        'Production servers run `rtseq serve`; add --force-demo to run the demo on this database anyway.',
    );
}

/**
 * `rtseq migrate`: the one place PostgreSQL is migrated (besides `serve --migrate`). A SQLite
 * database gets what `serve` does at start (it is migrated there too): the key check as well.
 */
async function migrate(config: Config, out: (text: string) => void): Promise<number> {
  process.stderr.write(`rtseq: database: ${describeDatabase(config)}\n`);
  const store = await openStore(config);
  try {
    const applied = await prepareSchema(store, 'apply');
    if (store.kind === 'sqlite')
      sayKeyCheck(await checkSecretKey(store, secretsOf(config), { requireKey: false }));
    out(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
  } finally {
    await store.close();
  }
  return 0;
}

/** Runs one command; the exit code, or -1 when the command keeps running (`serve`). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const args = readArgs(argv);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  if (args.version || args.command === 'version') {
    out(`rtseq ${VERSION} (Node.js ${process.version})`);
    return 0;
  }
  const words = [args.command, args.sub].filter((w) => w !== undefined).join(' ');
  if (args.command === undefined || args.command === 'help' || args.help) {
    const topic = args.command === 'help' ? args.sub : words === '' ? undefined : words;
    if (topic !== undefined && !isKnownCommand(topic)) {
      process.stderr.write(`rtseq: unknown command \`${topic}\`\n\n${usage()}\n`);
      return 2;
    }
    out(usage(topic !== undefined && isKnownCommand(topic) ? topic : undefined));
    return 0;
  }
  const config = loadConfig(process.env);
  if (args.command === 'serve') {
    if (args.demo) refuseDemoOnPostgres(config, args);
    const running = await serve(config, { demo: args.demo, migrate: args.migrate });
    if (args.demo) await startDemo(config, running);
    return -1;
  }
  if (args.command === 'migrate') return migrate(config, out);
  if (args.command === 'demo') {
    refuseDemoOnPostgres(config, args);
    return (await runDemoCommand(config, args, out)) ? 0 : 1;
  }
  const group = GROUPS.get(args.command);
  if (group !== undefined && (await group(config, args, out))) return 0;
  const problem =
    group !== undefined && args.sub === undefined
      ? `\`${args.command}\` needs a subcommand`
      : `unknown command \`${words}\``;
  process.stderr.write(`rtseq: ${problem}\n\n${usage(group === undefined ? undefined : args.command)}\n`);
  return 2;
}

/** PostgreSQL and SQLite failures to open or reach the database, by their codes. */
const DATABASE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification
  '3D000', // invalid_catalog_name: the database does not exist
  'ERR_SQLITE_ERROR',
]);

/** One line for an error: the operator's message, never a stack (LOG_LEVEL=debug adds it). */
export function explainError(error: unknown): string {
  if (error instanceof ConfigError || error instanceof UsageError) return error.message;
  if (error instanceof DomainError || error instanceof StartupRefusal) return `rtseq: ${error.message}`;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const config = (() => {
    try {
      return loadConfig(process.env);
    } catch {
      return undefined;
    }
  })();
  const stack = process.env.LOG_LEVEL === 'debug' && error instanceof Error ? `\n${error.stack}` : '';
  if (typeof code === 'string' && DATABASE_CODES.has(code) && config !== undefined)
    return `rtseq: cannot use the database (${describeDatabase(config)}): ${message || code}. Check ${config.databaseUrl === null ? 'SQLITE_PATH and its directory' : 'DATABASE_URL and that PostgreSQL is running'}.${stack}`;
  return `rtseq: ${message}${stack || '\n(LOG_LEVEL=debug prints where it happened)'}`;
}

/** Runs the command line of this process and sets its exit code; errors become one message. */
export function runAsProgram(argv: readonly string[]): Promise<void> {
  return runCli(argv).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${explainError(error)}\n`);
      process.exitCode = 1;
    },
  );
}

if (import.meta.main) void runAsProgram(process.argv.slice(2));
