/** The `rtseq` command line, read once: the command words and one accessor for every flag. */
import { parseArgs } from 'node:util';

/** A mistake on the command line: printed as is, exit code 1. */
export class UsageError extends Error {}

const OPTIONS = {
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
  /** `--json`, `--demo`, `--help`. */
  readonly json: boolean;
  readonly demo: boolean;
  readonly help: boolean;
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
    // Unknown flags and flags without their value: say which, not a stack.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true)
      throw new UsageError(`rtseq: ${(error as Error).message}\nSee \`rtseq help\`.`);
    throw error;
  }
  const { values, positionals } = parsed;
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
    help: values.help === true,
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
