/**
 * The `rtseq` command (SPEC 2): `serve` runs the server; the other commands act on the same
 * database, through the same use cases as the API. Entry points: bin/rtseq.js, `npm run rtseq`,
 * and `node src/main.ts …`.
 */
import { type Config, ConfigError, loadConfig } from '../config/config.ts';
import { DomainError } from '../domain/errors.ts';
import { serve } from '../wiring/serve.ts';
import { openStore } from '../wiring/wire.ts';
import { runAppCommand } from './applications.ts';
import { type Args, readArgs, UsageError } from './args.ts';
import { runCalendarCommand } from './calendars.ts';
import { runCallbackCommand } from './callbacks.ts';
import { runDemoCommand, startDemo } from './demo.ts';
import { runLinkCommand } from './links.ts';
import { runTokenCommand } from './tokens.ts';

const USAGE = `Usage: rtseq <command>
  serve [--demo]                         run the server (--demo: create the demo on an empty database,
                                         refresh it on every start, and print it)
  demo                                   create or refresh the demo application; prints its credentials,
                                         accounts, calendar ids, fresh tokens and a new link
  migrate                                apply database migrations
  app list [--json]                      list applications (no secrets: those are shown once, when made)
  app create --name NAME [--json]        create an application; prints its credentials
  app rotate-secret --client-id ID       add a new client secret (old ones stay active)
  app list-secrets --client-id ID        list active secrets (ids and hints)
  app revoke-secret --client-id ID --secret-id SID
  app set --client-id ID [--display-name NAME] [--logo-url URL] [--accent-colour #rrggbb]
          [--redirect-uri URI]... [--clear display-name,logo-url,accent-colour,redirect-uris]
                                         the pages' branding and the redirect URIs /oauth/authorize
                                         accepts (each --redirect-uri adds one; checked like
                                         PATCH /v1/application)
  callbacks list [--status pending|failed|delivered] [--json]
                                         --json prints GET /v1/callbacks' shape, for every application
  callbacks replay --id CALLBACK_ID      deliver again now (CALLBACK_ID from callbacks list)
  calendars connect-caldav --client-id ID --url URL --username U [--password P] [--name N] [--json]
                                         connect a new account to a CalDAV server (password also from
                                         RTSEQ_CALDAV_PASSWORD, which keeps it out of the process list)
  calendars connect-ics --client-id ID --url URL [--name N] [--json]
                                         connect a new account to an ICS feed (read-only)
  calendars list --client-id ID [--sub SUB] [--json]
                                         external calendars with their last read: ok or why it failed,
                                         busy intervals, ignored rules (FREQ=MINUTELY/SECONDLY)
  links reschedule --id LINK_ID [--steps ID,ID] [--json]
                                         reopen a booked link for rescheduling (the whole loop, or only
                                         the steps with these sequence_ids); prints the page URL
  links cancel --id LINK_ID [--reason TEXT] [--json]
                                         cancel a booked link: its events are deleted, the callback queued
  links explain LINK_ID [--json]         why the link's page has no times now (SPEC 5.7): reasons and
                                         each member's open and free minutes (also --id LINK_ID)
  tokens revoke --sub SUB [--json]       revoke every access and refresh token of an account
Configuration comes from the environment (see README).`;

type Command = (config: Config, args: Args, out: (text: string) => void) => Promise<boolean>;

const GROUPS = new Map<string, Command>([
  ['app', runAppCommand],
  ['callbacks', runCallbackCommand],
  ['calendars', runCalendarCommand],
  ['links', runLinkCommand],
  ['tokens', runTokenCommand],
]);

/** Runs one command; the exit code, or -1 when the command keeps running (`serve`). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const args = readArgs(argv);
  const config = loadConfig(process.env);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  if (args.command === 'serve') {
    const running = await serve(config, { demo: args.demo });
    if (args.demo) await startDemo(config, running);
    return -1;
  }
  if (args.command === 'migrate') {
    const store = await openStore(config);
    const applied = await store.migrate().finally(() => store.close());
    out(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
    return 0;
  }
  if (args.command === 'demo') return (await runDemoCommand(config, args, out)) ? 0 : 1;
  const group = args.command === undefined ? undefined : GROUPS.get(args.command);
  if (group !== undefined && (await group(config, args, out))) return 0;
  if (args.command === undefined || args.command === 'help' || args.help) {
    out(USAGE);
    return 0;
  }
  const unknown =
    group === undefined ? args.command : args.sub === undefined ? null : `${args.command} ${args.sub}`;
  const problem =
    unknown === null ? `\`${args.command}\` needs a subcommand` : `unknown command \`${unknown}\``;
  process.stderr.write(`rtseq: ${problem}\n\n${USAGE}\n`);
  return 2;
}

/** Runs the command line of this process and sets its exit code; errors become one message. */
export function runAsProgram(argv: readonly string[]): Promise<void> {
  return runCli(argv).then(
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

if (import.meta.main) void runAsProgram(process.argv.slice(2));
