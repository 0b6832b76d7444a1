import { isOutboundError, networkReason, OutboundGuard } from '../net/outbound.ts';
import { describeOrigin, ExternalCalendarError, isExternalCalendarError } from './errors.ts';

/** The fetch the adapters call; injected so tests and deployments can replace it (jose's customFetch). */
export type FetchFn = typeof fetch;

/** Redirects an ICS or CalDAV request may follow, each hop checked again (SPEC 8a). */
export const MAX_CALENDAR_REDIRECTS = 3;

/** Refuses private addresses: what a calendar client gets when nobody hands it a guard. */
const DEFAULT_GUARD = new OutboundGuard({ allowPrivate: false });

/** I/O settings shared by the CalDAV client and the ICS feed reader. */
export type CalendarHttpOptions = {
  /**
   * Replaces the network entirely (unit tests with scripted answers). Without it every request
   * goes through `outbound`.
   */
  readonly fetch?: FetchFn;
  /** The outbound guard (SPEC 8a); defaults to one that refuses private addresses. */
  readonly outbound?: OutboundGuard;
  /**
   * Budget for one whole operation (discovery's several requests, or a report and its body),
   * not per request: SPEC 8's CALENDAR_TIMEOUT_MS is what a member waits at most.
   */
  readonly timeoutMs: number;
};

/** Per-operation transport rules: where credentials may go and how large an answer may be. */
export type TransportRules = {
  /** The origin the account was connected with; Authorization goes nowhere else. */
  readonly credentialOrigin?: string | null;
  readonly maxResponseBytes: number;
};

/**
 * Runs `operation` under one deadline. The fetch handed to it carries the deadline's signal, and
 * the returned promise settles by the deadline even if the fetch ignores its signal. Failures
 * come out as ExternalCalendarError: the deadline as 'timeout', network failures as
 * 'unreachable', a 401 from any request as 'auth_failed', anything unexpected as 'bad_response'.
 * `what` names the operation and host for messages; it must not contain credentials.
 */
export async function withDeadline<T>(
  options: CalendarHttpOptions,
  url: string,
  what: string,
  operation: (fetch: FetchFn, signal: AbortSignal) => Promise<T>,
  rules: TransportRules,
): Promise<T> {
  const origin = describeOrigin(url);
  const baseFetch: FetchFn =
    options.fetch ??
    ((options.outbound ?? DEFAULT_GUARD).fetcher({
      maxRedirects: MAX_CALENDAR_REDIRECTS,
      maxResponseBytes: rules.maxResponseBytes,
      ...(rules.credentialOrigin === undefined ? {} : { credentialOrigin: rules.credentialOrigin }),
    }) as FetchFn);
  const controller = new AbortController();
  const timeoutError = () =>
    new ExternalCalendarError('timeout', `${what} at ${origin}: no answer within ${options.timeoutMs} ms`);

  const guardedFetch: FetchFn = async (input, init) => {
    if (controller.signal.aborted) throw timeoutError();
    let response: Response;
    try {
      response = await baseFetch(input, { ...init, signal: controller.signal });
    } catch (cause) {
      if (controller.signal.aborted) throw timeoutError();
      if (isOutboundError(cause)) throw outboundFailure(cause, what, origin);
      throw new ExternalCalendarError(
        'unreachable',
        `${what} at ${origin}: ${networkReason((cause as { cause?: { code?: unknown } } | undefined)?.cause)}`,
        {
          cause,
        },
      );
    }
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      throw new ExternalCalendarError(
        'auth_failed',
        `${what} at ${origin}: the server rejected the username or password`,
      );
    }
    return response;
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(timeoutError());
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([operation(guardedFetch, controller.signal), deadline]);
  } catch (error) {
    if (isExternalCalendarError(error)) throw error;
    if (controller.signal.aborted) throw timeoutError();
    if (isOutboundError(error)) throw outboundFailure(error, what, origin);
    throw new ExternalCalendarError('bad_response', `${what} at ${origin}: unexpected answer`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    // Releases sockets still reading a body nobody will consume.
    controller.abort();
  }
}

/**
 * A guard failure as the calendar error a caller reports. Refused and unreachable targets read
 * alike ("could not be reached"); nothing of a private target's answer is ever passed on.
 */
function outboundFailure(
  cause: Error & { code: string },
  what: string,
  origin: string,
): ExternalCalendarError {
  const code = cause.code === 'refused' || cause.code === 'unreachable' ? 'unreachable' : 'bad_response';
  return new ExternalCalendarError(code, `${what} at ${origin}: ${cause.message}`, { cause });
}

/** Maps an HTTP status that is not success to the error a caller reports. */
export function statusError(status: number, what: string, url: string): ExternalCalendarError {
  const origin = describeOrigin(url);
  if (status === 401)
    return new ExternalCalendarError(
      'auth_failed',
      `${what} at ${origin}: the server rejected the username or password`,
    );
  if (status === 403)
    return new ExternalCalendarError('forbidden', `${what} at ${origin}: not allowed (HTTP 403)`);
  if (status === 404 || status === 410)
    return new ExternalCalendarError('not_found', `${what} at ${origin}: not found (HTTP ${status})`);
  return new ExternalCalendarError('bad_response', `${what} at ${origin}: HTTP ${status}`);
}
