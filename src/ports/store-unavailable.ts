/**
 * Whether an error from the store means the database is away for now (issue 21, item 8): it
 * could not be reached, dropped the connection, is shutting down or starting, has no connection
 * left, or (SQLite) stayed locked for the whole busy timeout. Such requests are answered 503 with
 * Retry-After (pages and API), never 500: nothing was changed, and the same request will work
 * once the database is back. Judged from the error's fields (Node's network codes, PostgreSQL
 * SQLSTATE codes, node:sqlite's result codes), so neither adapter's package is needed here.
 */

/** Node's socket errors when the database cannot be reached or hangs up. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL: admin/crash shutdown, cannot connect now (starting up), too many connections, and
 * every connection exception (class 08).
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What pg says when a connection ends under a query or no connection could be had in time. */
const PG_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
];

/** node:sqlite result codes: SQLITE_BUSY (5) and SQLITE_LOCKED (6), primary or extended. */
const SQLITE_BUSY_CODES = new Set([5, 6]);

function unavailableHere(error: { code?: unknown; errcode?: unknown; message?: unknown }): boolean {
  const code = error.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    if (code === 'ERR_SQLITE_ERROR' && typeof error.errcode === 'number') {
      return SQLITE_BUSY_CODES.has(error.errcode & 0xff);
    }
  }
  return (
    typeof error.message === 'string' && PG_MESSAGES.some((pattern) => pattern.test(error.message as string))
  );
}

export function isStoreUnavailable(error: unknown): boolean {
  // The error itself, its causes and an AggregateError's members (a few levels at most).
  const pending: unknown[] = [error];
  for (let seen = 0; pending.length > 0 && seen < 16; seen += 1) {
    const next = pending.shift();
    if (next === null || typeof next !== 'object') continue;
    if (unavailableHere(next as Record<string, unknown>)) return true;
    const { cause, errors } = next as { cause?: unknown; errors?: unknown };
    if (cause !== undefined) pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors.slice(0, 4));
  }
  return false;
}

/** Seconds a client is asked to wait when the database is away. */
export const STORE_RETRY_AFTER_SECONDS = 2;
