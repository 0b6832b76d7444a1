/**
 * The official Calendar API v3 client (`@googleapis/calendar`) as this adapter uses it: pointed at
 * the operator's `apiUrl`, its own retry off, and every request carrying the deadline's signal
 * and the access token (docs/decisions/0011-google-client.md).
 */
import { type calendar_v3, calendar as googleCalendar } from '@googleapis/calendar';
import { asHttpError } from './transport.ts';

export type GoogleCalendarApi = calendar_v3.Calendar;

/** Per-request options of the official client: our signal, our token, its retry off. */
export type GoogleMethodOptions = {
  readonly signal: AbortSignal;
  readonly retry: false;
  readonly responseType: 'json';
  readonly headers: { readonly authorization: string };
};

/** The client for `{apiUrl}calendar/v3/…`; retry: false here and on every call. */
export function createCalendarApi(apiUrl: string): GoogleCalendarApi {
  return googleCalendar({
    version: 'v3',
    rootUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    retry: false,
  });
}

export function methodOptions(accessToken: string, signal: AbortSignal): GoogleMethodOptions {
  return { signal, retry: false, responseType: 'json', headers: { authorization: `Bearer ${accessToken}` } };
}

/** A delete or stop of something already gone (404, 410) is done. */
export function goneIsDone(error: unknown): { data: null } {
  const status = asHttpError(error)?.status;
  if (status === 404 || status === 410) return { data: null };
  throw error;
}

/**
 * Runs one request of the official client under a call's deadline, with its access token and the
 * adapter's retries (transport.ts); answers the response body.
 */
export type CallApi = <T>(
  what: string,
  request: (api: GoogleCalendarApi, options: GoogleMethodOptions) => Promise<{ data: T }>,
) => Promise<T>;
