/**
 * Configuration: read from the environment once, validated, frozen, and passed in (never read at
 * module top). A bad value stops the process with a message naming the variable (SPEC 2).
 */
import { isIP } from 'node:net';
import { PROVIDER_CONFIG_KEYS, readSyncConfig, type SyncConfig } from './providers.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'auto' | 'json' | 'pretty';

export type Limits = {
  readonly bodyBytes: number;
  readonly steps: number;
  readonly groupsPerStep: number;
  readonly membersPerGroup: number;
  readonly distinctMembers: number;
  readonly queryPeriods: number;
  readonly querySpanDays: number;
  readonly maxResults: number;
  readonly apiPerSecond: number;
  readonly apiPerMinute: number;
  readonly pagePerSecond: number;
  /** Guessed credentials per client IP per minute before its requests without valid ones get 429. */
  readonly authFailuresPerMinute: number;
  /** Bytes of JSON one event template (top level or one step) may take. */
  readonly templateBytes: number;
  /** Bytes the booking page's shared-view cache may hold per process. */
  readonly pageCacheBytes: number;
};

export type Config = {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly sqlitePath: string;
  readonly databaseUrl: string | null;
  readonly dataCenter: string;
  readonly secretKey: string | null;
  /** The key being rotated away from: still opens what it sealed, never seals (docs/deployment.md). */
  readonly secretKeyPrevious: string | null;
  readonly allowPrivateCallbacks: boolean;
  readonly holdSeconds: number;
  /** Lifetime of an account access token (SPEC 3). */
  readonly accessTokenSeconds: number;
  readonly calendarCacheSeconds: number;
  readonly calendarTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** `auto`: pretty lines on a terminal, JSON lines otherwise. */
  readonly logFormat: LogFormat;
  /** Log requests to /healthz and /readyz too (off: load balancers probe every few seconds). */
  readonly logHealthProbes: boolean;
  /** Metrics are kept and served (Prometheus text format) where metricsPort/metricsPublic say. */
  readonly metrics: boolean;
  /** Port of a separate metrics listener on HOST; null: none. */
  readonly metricsPort: number | null;
  /** GET /metrics is served on PORT too, with the API and the pages (off unless asked for). */
  readonly metricsPublic: boolean;
  readonly databasePoolMax: number;
  readonly outboxLeaseSeconds: number;
  readonly outboxPollMs: number;
  /** Bound of the native busy-time cache, in MiB (estimated heap). */
  readonly busyCacheMb: number;
  /** Days after which ended reservations are deleted; null keeps them. */
  readonly retainReservationsDays: number | null;
  /** Days after which delivered outbox items are deleted; null keeps them. */
  readonly retainDeliveriesDays: number | null;
  /** Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; empty: none (the default). */
  readonly trustProxy: readonly string[];
  /** Slow clients (SPEC 9): all request headers within this, else the connection is closed. */
  readonly headersTimeoutMs: number;
  /** Slow clients (SPEC 9): the whole request within this, else the connection is closed. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this (at most 10 s, issue 21). */
  readonly keepAliveTimeoutMs: number;
  /** Open connections the listener accepts at once; more are closed on arrival. */
  readonly maxConnections: number;
  /** Worker threads for availability work; null: one per core. */
  readonly computeWorkers: number | null;
  readonly computeBudgetMs: number;
  readonly limits: Limits;
  /** Google Calendar and Microsoft 365 (SPEC 8c): config/providers.ts. */
  readonly sync: SyncConfig;
};

/** One documented key: the environment name, what it means, and its default as written in docs. */
export type ConfigKeyDoc = { readonly name: string; readonly meaning: string; readonly defaultValue: string };

export const CONFIG_KEYS: readonly ConfigKeyDoc[] = [
  { name: 'PORT', meaning: 'TCP port the server listens on', defaultValue: '8080' },
  { name: 'HOST', meaning: 'Interface to bind', defaultValue: '127.0.0.1' },
  {
    name: 'PUBLIC_URL',
    meaning: 'Base of every URL the service hands out',
    defaultValue: 'http://localhost:$PORT',
  },
  { name: 'SQLITE_PATH', meaning: 'Embedded SQLite database file', defaultValue: './data/rtseq.db' },
  {
    name: 'DATABASE_URL',
    meaning: 'PostgreSQL connection string; when set it wins over SQLite',
    defaultValue: '(unset)',
  },
  {
    name: 'DATA_CENTER',
    meaning: 'Name of this deployment (us, uk, de, au, ca, sg, …); reported by /v1/status',
    defaultValue: 'us',
  },
  {
    name: 'SECRET_KEY',
    meaning:
      'Encrypts client secrets, link tokens and calendar credentials at rest (≥ 32 characters; `rtseq secrets generate`); required with DATABASE_URL',
    defaultValue: '(unset: stored in plain form, SQLite only)',
  },
  {
    name: 'SECRET_KEY_PREVIOUS',
    meaning: 'During a key rotation: the old key, still accepted for reading (`rtseq secrets rotate`)',
    defaultValue: '(unset)',
  },
  {
    name: 'ALLOW_PRIVATE_CALLBACKS',
    meaning: 'Allow callbacks to loopback/private/link-local addresses (true/false)',
    defaultValue: 'false',
  },
  {
    name: 'ACCESS_TOKEN_SECONDS',
    meaning: 'How long an account access token works after it is issued (expires_in)',
    defaultValue: '10800',
  },
  {
    name: 'HOLD_SECONDS',
    meaning: 'How long a confirmation page holds the chosen option',
    defaultValue: '300',
  },
  {
    name: 'CALENDAR_CACHE_SECONDS',
    meaning: 'Cache lifetime of external calendar reads for page views',
    defaultValue: '30',
  },
  {
    name: 'CALENDAR_TIMEOUT_MS',
    meaning: 'Time allowed to an external calendar source per read',
    defaultValue: '5000',
  },
  { name: 'LOG_LEVEL', meaning: 'fatal, error, warn, info, debug, trace or silent', defaultValue: 'info' },
  {
    name: 'LOG_FORMAT',
    meaning: 'auto (pretty lines on a terminal, JSON lines otherwise), json or pretty; logs go to stderr',
    defaultValue: 'auto',
  },
  {
    name: 'LOG_HEALTH_PROBES',
    meaning: 'Log requests to /healthz and /readyz like every other request (true/false)',
    defaultValue: 'false',
  },
  {
    name: 'METRICS',
    meaning: 'Keep metrics and serve GET /metrics in Prometheus text format (true/false)',
    defaultValue: 'true',
  },
  {
    name: 'METRICS_PORT',
    meaning: 'Serve /metrics on this port of HOST, a listener of its own away from the public one',
    defaultValue: '(unset: no metrics listener)',
  },
  {
    name: 'METRICS_PUBLIC',
    meaning: 'Also serve /metrics on PORT with the API and the pages, unauthenticated (true/false)',
    defaultValue: 'false',
  },
  { name: 'DATABASE_POOL_MAX', meaning: 'Maximum PostgreSQL connections per process', defaultValue: '10' },
  {
    name: 'OUTBOX_LEASE_SECONDS',
    meaning: 'How long a process holds a claimed delivery before another may take it',
    defaultValue: '60',
  },
  {
    name: 'OUTBOX_POLL_MS',
    meaning: 'How often the outbox worker looks for due deliveries',
    defaultValue: '1000',
  },
  {
    name: 'BUSY_CACHE_MB',
    meaning: "Memory for native calendars' cached busy time per process (estimated; least recently used out)",
    defaultValue: '64',
  },
  {
    name: 'RETAIN_RESERVATIONS_DAYS',
    meaning: 'Delete reservations (bookings, holds) this many days after they ended; 0 keeps them for ever',
    defaultValue: '7',
  },
  {
    name: 'RETAIN_DELIVERIES_DAYS',
    meaning: 'Delete delivered callbacks and their attempts this many days after delivery; 0 keeps them',
    defaultValue: '30',
  },
  {
    name: 'COMPUTE_WORKERS',
    meaning: 'Worker threads that run availability work off the event loop',
    defaultValue: '(one per core)',
  },
  {
    name: 'COMPUTE_BUDGET_MS',
    meaning: 'Longest the availability work of one request may run; over it: 422 errors.too_complex',
    defaultValue: '2000',
  },
  { name: 'LIMIT_BODY_BYTES', meaning: 'Largest accepted request body', defaultValue: '1048576' },
  { name: 'LIMIT_STEPS', meaning: 'Steps in a sequence', defaultValue: '20' },
  { name: 'LIMIT_GROUPS_PER_STEP', meaning: 'Participant groups per step or query', defaultValue: '10' },
  { name: 'LIMIT_MEMBERS_PER_GROUP', meaning: 'Members per group', defaultValue: '50' },
  { name: 'LIMIT_DISTINCT_MEMBERS', meaning: 'Distinct members per request', defaultValue: '200' },
  { name: 'LIMIT_QUERY_PERIODS', meaning: 'Query periods per request', defaultValue: '250' },
  { name: 'LIMIT_QUERY_SPAN_DAYS', meaning: 'Span of all query periods of one request', defaultValue: '90' },
  { name: 'LIMIT_MAX_RESULTS', meaning: 'Largest max_results', defaultValue: '512' },
  { name: 'RATE_LIMIT_PER_SECOND', meaning: 'API requests per application per second', defaultValue: '50' },
  { name: 'RATE_LIMIT_PER_MINUTE', meaning: 'API requests per application per minute', defaultValue: '500' },
  {
    name: 'PAGE_RATE_LIMIT_PER_SECOND',
    meaning: 'Booking page requests per client IP per second',
    defaultValue: '10',
  },
  {
    name: 'AUTH_FAILURES_PER_MINUTE',
    meaning:
      "Credentials that were never valid (guesses) per client IP per minute; beyond it that IP's requests without valid credentials get 429",
    defaultValue: '20',
  },
  {
    name: 'LIMIT_TEMPLATE_BYTES',
    meaning: 'JSON size of one event template (top level or one step)',
    defaultValue: '16384',
  },
  {
    name: 'PAGE_CACHE_MAX_BYTES',
    meaning: "Memory the booking page's shared page views may take per process (entries live at most 1 s)",
    defaultValue: '33554432',
  },
  {
    name: 'TRUST_PROXY',
    meaning:
      'Comma-separated proxy addresses or CIDRs whose X-Forwarded-For gives the client IP (page rate limits)',
    defaultValue: '(unset: X-Forwarded-For is never trusted)',
  },
  {
    name: 'HEADERS_TIMEOUT_MS',
    meaning: 'Time a client has to send all request headers before the connection is closed',
    defaultValue: '10000',
  },
  {
    name: 'KEEP_ALIVE_TIMEOUT_MS',
    meaning: 'Idle keep-alive connections are closed after this (at most 10000)',
    defaultValue: '5000',
  },
  {
    name: 'MAX_CONNECTIONS',
    meaning: 'Open connections the listener accepts at once; beyond it new ones are closed on arrival',
    defaultValue: '5000',
  },
  {
    name: 'REQUEST_TIMEOUT_MS',
    meaning: 'Time a client has to send the whole request before the connection is closed',
    defaultValue: '30000',
  },
  ...PROVIDER_CONFIG_KEYS,
];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

/** Reads and validates every key; throws one ConfigError listing every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const flag = (name: string, fallback = false): boolean => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return false;
  };
  const url = (name: string, fallback: string | null, protocols: readonly string[]): string | null => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      problems.push(`${name} must be an absolute ${protocols.join(' or ')} URL (got "${raw}")`);
      return fallback;
    }
  };

  const port = integer('PORT', 8080, 0, 65535);
  const publicUrl = (url('PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:']) ?? '').replace(
    /\/+$/,
    '',
  );
  const dataCenter = text('DATA_CENTER') ?? 'us';
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(dataCenter)) {
    problems.push(`DATA_CENTER must be a short lower-case name such as us, uk or de (got "${dataCenter}")`);
  }
  const secretKey = text('SECRET_KEY') ?? null;
  if (secretKey !== null && secretKey.length < 32)
    problems.push('SECRET_KEY must be at least 32 characters (`rtseq secrets generate` prints a new one)');
  const secretKeyPrevious = text('SECRET_KEY_PREVIOUS') ?? null;
  if (secretKeyPrevious !== null && secretKeyPrevious.length < 32)
    problems.push('SECRET_KEY_PREVIOUS must be at least 32 characters');
  if (secretKeyPrevious !== null && secretKey === null)
    problems.push('SECRET_KEY_PREVIOUS needs SECRET_KEY (the new key) as well');
  const logLevelRaw = (text('LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = LOG_LEVELS.find((level) => level === logLevelRaw);
  if (logLevel === undefined) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormatRaw = (text('LOG_FORMAT') ?? 'auto').toLowerCase();
  const logFormat = LOG_FORMATS.find((format) => format === logFormatRaw);
  if (logFormat === undefined) problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}`);
  const metricsPort = text('METRICS_PORT') === undefined ? null : integer('METRICS_PORT', 0, 0, 65535);
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === port)
    problems.push('METRICS_PORT must differ from PORT (set METRICS_PUBLIC=true to serve /metrics on PORT)');

  const trustProxy = (text('TRUST_PROXY') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of trustProxy) {
    if (!isAddressOrCidr(entry)) {
      problems.push(`TRUST_PROXY must list IP addresses or CIDRs separated by commas (got "${entry}")`);
    }
  }
  const headersTimeoutMs = integer('HEADERS_TIMEOUT_MS', 10_000, 1, 600_000);
  const requestTimeoutMs = integer('REQUEST_TIMEOUT_MS', 30_000, 1, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push('HEADERS_TIMEOUT_MS must not be larger than REQUEST_TIMEOUT_MS');
  }

  const config: Config = {
    port,
    host: text('HOST') ?? '127.0.0.1',
    publicUrl,
    sqlitePath: text('SQLITE_PATH') ?? './data/rtseq.db',
    databaseUrl: url('DATABASE_URL', null, ['postgres:', 'postgresql:']),
    dataCenter,
    secretKey,
    secretKeyPrevious,
    allowPrivateCallbacks: flag('ALLOW_PRIVATE_CALLBACKS'),
    holdSeconds: integer('HOLD_SECONDS', 300, 1, 86_400),
    accessTokenSeconds: integer('ACCESS_TOKEN_SECONDS', 10_800, 60, 315_360_000),
    calendarCacheSeconds: integer('CALENDAR_CACHE_SECONDS', 30, 0, 86_400),
    calendarTimeoutMs: integer('CALENDAR_TIMEOUT_MS', 5000, 1, 120_000),
    logLevel: logLevel ?? 'info',
    logFormat: logFormat ?? 'auto',
    logHealthProbes: flag('LOG_HEALTH_PROBES'),
    metrics: flag('METRICS', true),
    metricsPort,
    metricsPublic: flag('METRICS_PUBLIC'),
    databasePoolMax: integer('DATABASE_POOL_MAX', 10, 1, 1000),
    outboxLeaseSeconds: integer('OUTBOX_LEASE_SECONDS', 60, 1, 3600),
    outboxPollMs: integer('OUTBOX_POLL_MS', 1000, 10, 600_000),
    busyCacheMb: integer('BUSY_CACHE_MB', 64, 1, 65_536),
    retainReservationsDays: keptFor(integer('RETAIN_RESERVATIONS_DAYS', 7, 0, 36_500)),
    retainDeliveriesDays: keptFor(integer('RETAIN_DELIVERIES_DAYS', 30, 0, 36_500)),
    trustProxy,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer('KEEP_ALIVE_TIMEOUT_MS', 5000, 1, 10_000),
    maxConnections: integer('MAX_CONNECTIONS', 5000, 1, 1_000_000),
    computeWorkers: text('COMPUTE_WORKERS') === undefined ? null : integer('COMPUTE_WORKERS', 1, 1, 256),
    computeBudgetMs: integer('COMPUTE_BUDGET_MS', 2000, 1, 600_000),
    limits: {
      bodyBytes: integer('LIMIT_BODY_BYTES', 1_048_576, 1024, 64 * 1_048_576),
      steps: integer('LIMIT_STEPS', 20, 1, 100),
      groupsPerStep: integer('LIMIT_GROUPS_PER_STEP', 10, 1, 100),
      membersPerGroup: integer('LIMIT_MEMBERS_PER_GROUP', 50, 1, 1000),
      distinctMembers: integer('LIMIT_DISTINCT_MEMBERS', 200, 1, 10_000),
      queryPeriods: integer('LIMIT_QUERY_PERIODS', 250, 1, 10_000),
      querySpanDays: integer('LIMIT_QUERY_SPAN_DAYS', 90, 1, 3660),
      maxResults: integer('LIMIT_MAX_RESULTS', 512, 1, 100_000),
      apiPerSecond: integer('RATE_LIMIT_PER_SECOND', 50, 1, 1_000_000),
      apiPerMinute: integer('RATE_LIMIT_PER_MINUTE', 500, 1, 60_000_000),
      pagePerSecond: integer('PAGE_RATE_LIMIT_PER_SECOND', 10, 1, 1_000_000),
      authFailuresPerMinute: integer('AUTH_FAILURES_PER_MINUTE', 20, 1, 1_000_000),
      templateBytes: integer('LIMIT_TEMPLATE_BYTES', 16_384, 256, 1_048_576),
      pageCacheBytes: integer('PAGE_CACHE_MAX_BYTES', 33_554_432, 0, 4_294_967_296),
    },
    sync: readSyncConfig({ text, integer, url, problems }),
  };
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  return deepFreeze(config);
}

/** An IPv4 or IPv6 address, optionally with a prefix length (`10.0.0.0/8`, `fd00::/8`). */
/** A retention in days, where 0 means "keep for ever". */
function keptFor(days: number): number | null {
  return days === 0 ? null : days;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', bits, extra] = entry.split('/');
  if (extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
