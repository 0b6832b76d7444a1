/**
 * How every call to Google runs: under the caller's deadline, each request with an abort signal
 * derived from it, rate-limit answers retried here (never by a client library), and every failure
 * turned into a {@link ProviderError} with a stable code. The official clients' own retry is off;
 * this is the only place that waits and tries again.
 */
import { type ProviderError, type ProviderErrorCode, providerError } from '../../../ports/synced-provider.ts';

export type GoogleClock = {
  /** Epoch ms; deadlines are read against it. */
  readonly now: () => number;
  /** Waits between rate-limited attempts (tests pass one that only advances their clock). */
  readonly sleep: (ms: number) => Promise<void>;
  /** Upper bound of one request, whatever the deadline leaves. */
  readonly timeoutMs: number;
};

/** First wait when Google sends no Retry-After; doubled on each further rate-limited answer. */
export const FIRST_BACKOFF_MS = 500;

/** Google's reasons (in `error.errors[].reason`) of a 403 that is a rate limit, not a refusal. */
const RATE_LIMIT_REASONS = new Set(['ratelimitexceeded', 'userratelimitexceeded']);

/**
 * An HTTP answer that is not a success, as either client saw it. Thrown by the request functions
 * handed to {@link runCall}; it never leaves this folder.
 */
export class GoogleHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfter: string | null;

  constructor(status: number, body: unknown, retryAfter: string | null) {
    super(`HTTP ${status}`);
    this.name = 'GoogleHttpError';
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

/** Errors this folder decided on itself (a malformed answer, a 410 read as sync_reset): passed on as they are. */
const decided = new WeakSet<Error>();

/** A ProviderError this adapter chose; {@link runCall} passes it through untouched. */
export function fail(code: ProviderErrorCode, message: string): ProviderError {
  const error = providerError(code, message);
  decided.add(error);
  return error;
}

/**
 * Runs `request` until it answers, retrying rate-limit answers after `Retry-After` (or
 * exponential backoff from {@link FIRST_BACKOFF_MS}) while the deadline allows.
 * `what` names the operation for messages (never a token or a URL with secrets).
 */
export async function runCall<T>(
  what: string,
  deadline: number,
  clock: GoogleClock,
  request: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const remainingMs = deadline - clock.now();
    if (remainingMs <= 0) throw fail('timeout', `Google ${what}: no answer before the deadline`);
    const signal = AbortSignal.timeout(Math.max(1, Math.min(remainingMs, clock.timeoutMs)));
    let failure: unknown;
    try {
      return await request(signal);
    } catch (error) {
      failure = error;
    }
    if (failure instanceof Error && decided.has(failure)) throw failure;
    const httpError = asHttpError(failure);
    if (httpError === null) {
      if (signal.aborted) throw fail('timeout', `Google ${what}: no answer before the deadline`);
      if (isNetworkFailure(failure)) throw fail('unreachable', `Google ${what}: ${networkReason(failure)}`);
      throw fail('bad_response', `Google ${what}: ${failure instanceof Error ? failure.message : 'failed'}`);
    }
    if (!isRateLimit(httpError)) throw fail(codeOfStatus(httpError.status), describe(what, httpError));
    const waitMs = retryAfterMs(httpError.retryAfter, clock.now()) ?? FIRST_BACKOFF_MS * 2 ** attempt;
    if (clock.now() + waitMs >= deadline) {
      throw fail('rate_limited', `Google ${what}: still rate limited when the deadline came`);
    }
    await clock.sleep(waitMs);
  }
}

/** The status and body of a failed answer, from either client, or null for a network failure. */
export function asHttpError(error: unknown): GoogleHttpError | null {
  if (error instanceof GoogleHttpError) return error;
  // gaxios (under @googleapis/calendar) rejects with a GaxiosError whose `response` is the answer.
  const response = (error as { response?: unknown } | null)?.response as
    | { status?: unknown; data?: unknown; headers?: unknown }
    | undefined;
  if (response === undefined || response === null || typeof response.status !== 'number') return null;
  const headers = response.headers as { get?: (name: string) => string | null } | undefined;
  const retryAfter = typeof headers?.get === 'function' ? headers.get('retry-after') : null;
  return new GoogleHttpError(response.status, response.data, retryAfter);
}

export function isRateLimit(error: GoogleHttpError): boolean {
  if (error.status === 429) return true;
  if (error.status !== 403) return false;
  return errorReasons(error.body).some((reason) => RATE_LIMIT_REASONS.has(reason.toLowerCase()));
}

function codeOfStatus(status: number): ProviderErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  return 'bad_response';
}

/** The reasons of Google's error body `{"error": {"errors": [{"reason"}], "status", "message"}}`. */
export function errorReasons(body: unknown): string[] {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return [];
  const reasons: string[] = [];
  const list = (error as { errors?: unknown }).errors;
  if (Array.isArray(list)) {
    for (const item of list) {
      const reason = (item as { reason?: unknown } | null)?.reason;
      if (typeof reason === 'string') reasons.push(reason);
    }
  }
  return reasons;
}

function describe(what: string, error: GoogleHttpError): string {
  const reasons = errorReasons(error.body);
  return `Google ${what}: HTTP ${error.status}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`;
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 10.2.3); null when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * A request that got no answer: fetch's TypeError, or gaxios' error without a response. Anything
 * else thrown on the way (the client refusing its own parameters, say) is not the network's fault.
 */
function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof Error && GAXIOS_ERROR in error);
}

/** How gaxios marks its errors (`GAXIOS_ERROR_SYMBOL`, a registered symbol); it is not our dependency to import. */
const GAXIOS_ERROR = Symbol.for('gaxios-gaxios-error');

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `could not be reached (${code})` : 'could not be reached';
}
