/**
 * The one way the Microsoft adapter talks HTTP: a small typed client over `fetch` (decision 0012).
 * Every request carries an abort signal bound to the call's deadline; Graph requests hold one of
 * their mailbox's slots (mailbox-gate.ts) while in flight; 429 (Graph's `MailboxConcurrency`
 * included) and 503 with `Retry-After` are retried after the wait they ask for while the deadline
 * allows. The URLs are operator configuration (SPEC 8c): no outbound guard here.
 *
 * Messages name the operation only: never a token, a URL (delta links carry state tokens) or a body.
 */
import { type ProviderError, type ProviderErrorCode, providerError } from '../../../ports/synced-provider.ts';
import type { MailboxGate } from './mailbox-gate.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What a request came back with (any status: mapping is the caller's). */
export type HttpAnswer = { readonly status: number; readonly headers: Headers; readonly text: string };

export type TransportOptions = {
  /** Cap on one HTTP request, below the call's deadline. */
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly gate: MailboxGate;
  readonly fetch: typeof fetch;
};

export type RequestSpec = {
  readonly method: HttpMethod;
  readonly url: string;
  /** Names the operation in messages, e.g. `Microsoft Graph calendarView`. */
  readonly what: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The mailbox whose slot the request holds; null for the identity platform's token endpoint. */
  readonly mailbox: string | null;
};

/** Backoff when a 429 carries no Retry-After: 1 s, 2 s, 4 s … capped. */
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** Tries of one request at most, whatever Retry-After says (a `Retry-After: 0` loop ends here). */
const MAX_ATTEMPTS = 10;

/**
 * Sends the request, retrying rate-limit answers within `deadline`; resolves with the first
 * answer that is not one. Rejects `timeout` (deadline or `timeoutMs`), `unreachable` (network),
 * `rate_limited` (still limited when the next try would pass the deadline).
 */
export async function send(
  options: TransportOptions,
  spec: RequestSpec,
  deadline: number,
): Promise<HttpAnswer> {
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - options.now();
    if (remaining <= 0) throw providerError('timeout', `${spec.what}: deadline passed`);
    const answer =
      spec.mailbox === null
        ? await sendOnce(options, spec, remaining)
        : await options.gate.run(spec.mailbox, remaining, () =>
            sendOnce(options, spec, deadline - options.now()),
          );
    const waitMs = retryWaitMs(answer, attempt, options.now());
    if (waitMs === null) return answer;
    if (options.now() + waitMs >= deadline || attempt + 1 >= MAX_ATTEMPTS) {
      const code = graphErrorCode(answer);
      throw providerError(
        'rate_limited',
        `${spec.what}: still rate limited (HTTP ${answer.status}${code === null ? '' : ` ${code}`}) after ${attempt + 1} tries`,
      );
    }
    // The slot is free while waiting: other requests of the mailbox may go meanwhile.
    await options.sleep(waitMs);
  }
}

async function sendOnce(
  options: TransportOptions,
  spec: RequestSpec,
  remainingMs: number,
): Promise<HttpAnswer> {
  const limitMs = Math.min(options.timeoutMs, remainingMs);
  if (limitMs <= 0) throw providerError('timeout', `${spec.what}: deadline passed`);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limitMs);
  try {
    const response = await options.fetch(spec.url, {
      method: spec.method,
      headers: spec.headers,
      body: spec.body,
      signal: controller.signal,
      redirect: 'manual',
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (cause) {
    if (timedOut) throw providerError('timeout', `${spec.what}: no answer within ${limitMs} ms`);
    throw Object.assign(providerError('unreachable', `${spec.what}: ${networkReason(cause)}`), { cause });
  } finally {
    clearTimeout(timer);
  }
}

function networkReason(cause: unknown): string {
  const code = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? `network error ${code}` : 'network error';
}

/** Milliseconds to wait before trying again, or null when the answer is not a rate limit. */
export function retryWaitMs(answer: HttpAnswer, attempt: number, now: number): number | null {
  const retryAfter = parseRetryAfter(answer.headers.get('retry-after'), now);
  if (answer.status === 429)
    return retryAfter ?? Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(attempt, 15));
  if (answer.status === 503 && retryAfter !== null) return retryAfter;
  return null;
}

/** `Retry-After` as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The body as JSON, or `bad_response`. */
export function jsonOf(answer: HttpAnswer, what: string): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw providerError('bad_response', `${what}: the answer is not JSON (HTTP ${answer.status})`);
  }
}

/** Graph's `{"error": {"code": …}}`, or null. */
export function graphErrorCode(answer: HttpAnswer): string | null {
  try {
    const body = JSON.parse(answer.text) as { error?: { code?: unknown } } | null;
    const code = body?.error?.code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/** The error a Graph answer that is not success maps to (SPEC 8c; port's ProviderErrorCode). */
export function graphFailure(answer: HttpAnswer, what: string): ProviderError {
  const code = graphErrorCode(answer);
  const detail = `${what}: HTTP ${answer.status}${code === null ? '' : ` ${code}`}`;
  return providerError(statusCode(answer.status), detail);
}

function statusCode(status: number): ProviderErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  return 'bad_response';
}

export function isSuccess(answer: HttpAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}
