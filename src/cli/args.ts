/** The `rtseq` command line, read once: the command words and one accessor for every flag. */
import { parseArgs } from 'node:util';
import { commandFlags } from './usage.ts';

/** A mistake on the command line: printed as is, exit code 1. */
export class UsageError extends Error {}

const OPTIONS = {
  name: { type: 'string' },
  json: { type: 'boolean' },
  demo: { type: 'boolean' },
  'force-demo': { type: 'boolean' },
  migrate: { type: 'boolean' },
  version: { type: 'boolean' },
  from: { type: 'string' },
  limit: { type: 'string' },
  'client-id': { type: 'string' },
  'secret-id': { type: 'string' },
  status: { type: 'string' },
  id: { type: 'string' },
  url: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  steps: { type: 'string' },
  reason: { type: 'string' },
  sub: { type: 'string' },
  'display-name': { type: 'string' },
  'logo-url': { type: 'string' },
  'accent-colour': { type: 'string' },
  clear: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  help: { type: 'boolean' },
} as const;

export type Flag = {
  [K in keyof typeof OPTIONS]: (typeof OPTIONS)[K]['type'] extends 'string' ? K : never;
}[keyof typeof OPTIONS];

export type Args = {
  readonly command: string | undefined;
  readonly sub: string | undefined;
  /** The words after the command and its sub-command (`rtseq links explain ID`: `[ID]`). */
  readonly operands: readonly string[];
  /** `--json`, `--demo`, `--force-demo`, `--migrate`, `--help`, `--version`. */
  readonly json: boolean;
  readonly demo: boolean;
  readonly forceDemo: boolean;
  readonly migrate: boolean;
  readonly help: boolean;
  readonly version: boolean;
  /** A flag's value, or undefined when it is absent or empty. */
  optional(flag: Flag): string | undefined;
  /** A flag's value (or `fallback` when the flag is absent); a UsageError when neither is given. */
  required(flag: Flag, fallback?: string): string;
  /** Every value of a repeatable flag, in order (none: empty). */
  many(flag: 'redirect-uri'): string[];
};

/**
 * Client ids, secrets and passwords are base64url and may begin with `-`, which parseArgs reads
 * as another flag (`--client-id -x…` would be refused); a string flag therefore always takes the
 * next word as its value.
 */
function joinStringValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const name = word.startsWith('--') ? word.slice(2) : '';
    const option = (OPTIONS as Record<string, { type: string }>)[name];
    if (option?.type === 'string' && i + 1 < argv.length) {
      joined.push(`${word}=${argv[i + 1]}`);
      i++;
    } else {
      joined.push(word);
    }
  }
  return joined;
}

function parseWith(argv: readonly string[]) {
  return parseArgs({ args: joinStringValues(argv), allowPositionals: true, options: OPTIONS });
}

export function readArgs(argv: readonly string[]): Args {
  let parsed: ReturnType<typeof parseWith>;
  try {
    parsed = parseWith(argv);
  } catch (error) {
    // Unknown flags and flags without their value: say which, in our words, not parseArgs'.
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(friendly(code, (error as Error).message, argv));
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help !== true && values.version !== true) refuseOtherFlags(positionals, Object.keys(values));
  const optional = (flag: Flag): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return {
    command: positionals[0],
    sub: positionals[1],
    operands: positionals.slice(2),
    json: values.json === true,
    demo: values.demo === true,
    forceDemo: values['force-demo'] === true,
    migrate: values.migrate === true,
    help: values.help === true,
    version: values.version === true,
    optional,
    many(flag) {
      const value = values[flag];
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    },
    required(flag, fallback) {
      const value = optional(flag) ?? (fallback === '' ? undefined : fallback);
      if (value === undefined) throw new UsageError(`--${flag} is required`);
      return value;
    },
  };
}

/** Flags every command takes. */
const GLOBAL_FLAGS = new Set(['help', 'version']);

/** What a command takes, in one phrase: `\`app list\` takes --json`. */
function takes(words: string, flags: readonly string[]): string {
  return flags.length === 0
    ? `\`${words}\` takes no flags`
    : `\`${words}\` takes ${flags.map((f) => `--${f}`).join(', ')}`;
}

/** A flag of another command (`rtseq app list --name x`): one line naming the command's own flags. */
function refuseOtherFlags(positionals: readonly string[], given: readonly string[]): void {
  const [command, sub] = positionals;
  if (command === undefined) return;
  const known = commandFlags(command, sub);
  if (known === undefined) return; // an unknown command is said as such
  const foreign = given.filter((flag) => !GLOBAL_FLAGS.has(flag) && !known.flags.includes(flag));
  if (foreign.length === 0) return;
  const list = foreign.map((f) => `--${f}`).join(', ');
  throw new UsageError(
    `rtseq: ${takes(known.words, known.flags)}, not ${list}. See \`rtseq ${known.words} --help\`.`,
  );
}

/** parseArgs' error as one sentence naming the flag, and where the command's flags are listed. */
function friendly(code: string, message: string, argv: readonly string[]): string {
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? 'a flag';
  const words = argv
    .filter((w) => !w.startsWith('-'))
    .slice(0, 2)
    .join(' ');
  const help = `See \`rtseq ${words === '' ? '' : `${words} `}--help\`.`;
  const [command, sub] = words.split(' ');
  const known = command === undefined || command === '' ? undefined : commandFlags(command, sub);
  const own = known === undefined ? '' : `: ${takes(known.words, known.flags)}`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `rtseq: unknown flag ${flag}${own}. ${help}`;
  if (/argument missing/.test(message)) return `rtseq: ${flag} needs a value. ${help}`;
  if (/does not take an argument/.test(message)) return `rtseq: ${flag} takes no value. ${help}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `rtseq: unexpected word in the command. ${help}`;
  return `rtseq: the command line could not be read (${flag}). ${help}`;
}
