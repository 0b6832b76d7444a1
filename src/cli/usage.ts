/** Every `rtseq` command with its synopsis and flags: `rtseq help`, `rtseq <command> --help`. */

export type CommandSpec = {
  /** The command words, e.g. `app create`. */
  readonly words: string;
  /** Flags after the words, as shown. */
  readonly synopsis: string;
  readonly about: string;
  /** Flags the command takes that its synopsis does not show (besides --help and --version). */
  readonly also?: readonly string[];
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    words: 'serve',
    synopsis: '[--migrate] [--demo [--force-demo]]',
    about:
      'run the server. SQLite databases are migrated at start; PostgreSQL ones only with --migrate (or by\n' +
      '`rtseq migrate`), and a schema newer than this rtseq is refused. --demo (what `npm start` runs)\n' +
      'creates the demo on an empty database and prints it; it refuses PostgreSQL unless --force-demo.',
  },
  {
    words: 'migrate',
    synopsis: '',
    about: 'apply pending database migrations (back up first: docs/deployment.md, "Upgrading")',
  },
  {
    words: 'demo',
    synopsis: '[--force-demo]',
    about:
      'create or refresh the demo application; prints its credentials, accounts, calendar ids, fresh\n' +
      'tokens and a new link (refuses PostgreSQL unless --force-demo)',
  },
  { words: 'app list', synopsis: '[--json]', about: 'list applications (no secrets: those are shown once)' },
  {
    words: 'app create',
    synopsis: '--name NAME [--json]',
    about: 'create an application; prints its credentials',
  },
  {
    words: 'app rotate-secret',
    synopsis: '--client-id ID [--json]',
    about: 'add a new client secret (old ones stay active)',
  },
  {
    words: 'app list-secrets',
    synopsis: '--client-id ID [--json]',
    about: 'list active secrets (ids and hints)',
  },
  { words: 'app revoke-secret', synopsis: '--client-id ID --secret-id SID', about: 'revoke one secret' },
  {
    words: 'app set',
    synopsis:
      '--client-id ID [--display-name NAME] [--logo-url URL] [--accent-colour #rrggbb]\n' +
      '          [--redirect-uri URI]... [--clear display-name,logo-url,accent-colour,redirect-uris] [--json]',
    about:
      "the pages' branding and the redirect URIs /oauth/authorize accepts (each --redirect-uri adds\n" +
      'one; checked like PATCH /v1/application)',
  },
  {
    words: 'accounts list',
    synopsis: '[--client-id ID] [--json]',
    about: 'list accounts (sub, name, calendars) of every application, or of one',
  },
  {
    words: 'links list',
    synopsis:
      '[--client-id ID] [--status open|completed|disabled|rescheduling|cancelled] [--limit N] [--json]',
    about: 'list links, newest first (default 50)',
  },
  {
    words: 'links status',
    synopsis: '--id LINK_ID [--json]',
    about: "a link's status, page URL and booked times (as GET /v1/real_time_sequencing/{id})",
  },
  {
    words: 'links explain',
    synopsis: 'LINK_ID [--json]',
    about:
      "why the link's page has no times now (SPEC 5.7): reasons and each member's open and free\n" +
      'minutes (also --id LINK_ID)',
    also: ['id'],
  },
  {
    words: 'links reschedule',
    synopsis: '--id LINK_ID [--steps ID,ID] [--json]',
    about:
      'reopen a booked link for rescheduling (the whole loop, or only the steps with these\n' +
      'sequence_ids); prints the page URL',
  },
  {
    words: 'links cancel',
    synopsis: '--id LINK_ID [--reason TEXT] [--json]',
    about: 'cancel a booked link: its events are deleted, the callback queued',
  },
  {
    words: 'callbacks list',
    synopsis: '[--status pending|failed|delivered] [--json]',
    about: "--json prints GET /v1/callbacks' shape, for every application",
  },
  {
    words: 'callbacks replay',
    synopsis: '--id ID',
    about: 'deliver again now; ID is the outbox id (callbacks list) or the dlv_ id receivers see',
  },
  {
    words: 'calendars connect-caldav',
    synopsis: '--client-id ID --url URL --username U [--password P] [--name N] [--json]',
    about:
      'connect a new account to a CalDAV server (password also from RTSEQ_CALDAV_PASSWORD, which\n' +
      'keeps it out of the process list)',
  },
  {
    words: 'calendars connect-ics',
    synopsis: '--client-id ID --url URL [--name N] [--json]',
    about: 'connect a new account to an ICS feed (read-only)',
  },
  {
    words: 'calendars list',
    synopsis: '--client-id ID [--sub SUB] [--json]',
    about:
      'external calendars with their last read: ok or why it failed, busy intervals, ignored rules\n' +
      '(FREQ=MINUTELY/SECONDLY)',
  },
  {
    words: 'secrets generate',
    synopsis: '',
    about: 'print a new random SECRET_KEY (nothing is stored)',
  },
  {
    words: 'secrets rotate',
    synopsis: '[--from OLD_KEY]',
    about:
      're-seal every stored secret with SECRET_KEY: values OLD_KEY sealed (also from SECRET_KEY_PREVIOUS)\n' +
      'and values stored before any key; online, in batches (docs/deployment.md, "Secrets")',
  },
  {
    words: 'tokens revoke',
    synopsis: '--sub SUB [--json]',
    about: 'revoke every access and refresh token of an account',
  },
];

function describe(spec: CommandSpec): string {
  const about = spec.about.replaceAll('\n', '\n      ');
  return `  ${spec.words}${spec.synopsis === '' ? '' : ` ${spec.synopsis}`}\n      ${about}`;
}

/** Usage of every command, of one group (`app`), or of one command (`app create`). */
export function usage(words?: string): string {
  const chosen =
    words === undefined
      ? COMMANDS
      : COMMANDS.filter((c) => c.words === words || c.words.startsWith(`${words} `));
  const header = 'Usage: rtseq <command> [flags]    (rtseq --version, rtseq <command> --help)';
  return [
    header,
    ...chosen.map(describe),
    'Configuration comes from the environment (README, "Configuration"); every command says which',
    'database it acts on.',
  ].join('\n');
}

/**
 * The command `rtseq <command> <sub>` runs (a one-word command ignores what follows it) and the
 * flags it takes, as its synopsis shows them; undefined for an unknown command.
 */
export function commandFlags(
  command: string,
  sub: string | undefined,
): { words: string; flags: string[] } | undefined {
  const spec =
    COMMANDS.find((c) => sub !== undefined && c.words === `${command} ${sub}`) ??
    COMMANDS.find((c) => c.words === command);
  if (spec === undefined) return undefined;
  const shown = [...spec.synopsis.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
  return { words: spec.words, flags: [...new Set([...shown, ...(spec.also ?? [])])] };
}

export function isKnownCommand(words: string): boolean {
  return COMMANDS.some((c) => c.words === words || c.words.startsWith(`${words} `));
}
