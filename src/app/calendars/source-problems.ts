/**
 * What a failed connection attempt tells the person or the client (SPEC 8, 8a): each adapter
 * error code becomes one problem at the field to fix. The words never tell a refused private
 * address apart from an unreachable server: the guard's refusals arrive as `unreachable` too.
 */
import { DomainError } from '../../domain/errors.ts';
import type { ExternalCalendarErrorCode } from '../../ports/external-calendars.ts';

/**
 * Field paths the problems are reported at; the API uses the wire names, the CLI its flags.
 */
export type ConnectPaths = {
  readonly serverUrl: string;
  readonly username: string;
  readonly password: string;
  readonly url: string;
  readonly sub: string;
  readonly applicationCalendarId: string;
};

export function errorCode(error: unknown): ExternalCalendarErrorCode | null {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'timeout':
    case 'auth_failed':
    case 'forbidden':
    case 'not_found':
    case 'unreachable':
    case 'bad_response':
    case 'parse_failed':
    case 'over_budget':
      return code;
    default:
      return null;
  }
}

export function caldavProblem(
  code: ExternalCalendarErrorCode | null,
  timeoutMs: number,
  paths: ConnectPaths,
) {
  switch (code) {
    case 'auth_failed':
      return problem(
        paths.password,
        'errors.caldav_auth_failed',
        'the CalDAV server rejected the username or password',
      );
    case 'forbidden':
      return problem(
        paths.username,
        'errors.caldav_forbidden',
        'the CalDAV server accepted the login but does not let this user list calendars',
      );
    case 'timeout':
      return problem(
        paths.serverUrl,
        'errors.caldav_unreachable',
        `the CalDAV server did not answer within ${timeoutMs} ms`,
      );
    case 'unreachable':
      return problem(paths.serverUrl, 'errors.caldav_unreachable', 'the CalDAV server could not be reached');
    default:
      return problem(
        paths.serverUrl,
        'errors.caldav_not_found',
        'no CalDAV calendars were found at this URL (is it the CalDAV address of the server?)',
      );
  }
}

export function icsProblem(
  code: ExternalCalendarErrorCode | null,
  limits: { calendarTimeoutMs: number; computeBudgetMs: number },
  paths: ConnectPaths,
) {
  switch (code) {
    case 'parse_failed':
      return problem(paths.url, 'errors.ics_invalid', 'the URL does not serve iCalendar (ICS) data');
    case 'over_budget':
      return problem(
        paths.url,
        'errors.ics_invalid',
        `reading the feed's events took longer than ${limits.computeBudgetMs} ms`,
      );
    case 'timeout':
      return problem(
        paths.url,
        'errors.ics_unreachable',
        `the feed did not answer within ${limits.calendarTimeoutMs} ms`,
      );
    case 'not_found':
      return problem(paths.url, 'errors.ics_unreachable', 'the feed was not found (HTTP 404)');
    case 'auth_failed':
    case 'forbidden':
      return problem(paths.url, 'errors.ics_unreachable', 'the feed refused access');
    case 'bad_response':
      return problem(
        paths.url,
        'errors.ics_unreachable',
        'the feed gave an unexpected answer or is too large',
      );
    default:
      return problem(paths.url, 'errors.ics_unreachable', 'the feed could not be reached');
  }
}

export function problem(path: string, code: string, description: string): DomainError {
  return new DomainError('invalid_request', description, { problems: [{ path, code, description }] });
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
