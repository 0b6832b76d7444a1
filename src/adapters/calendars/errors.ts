import type { ExternalCalendarErrorCode } from '../../ports/external-calendars.ts';

/**
 * The one error type the calendar adapters reject with. Messages name the operation and the
 * host, never credentials, request headers or full URLs with user info, so they can be logged
 * and shown to API clients ("which source failed", SPEC 8).
 */
export class ExternalCalendarError extends Error {
  readonly code: ExternalCalendarErrorCode;

  constructor(code: ExternalCalendarErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExternalCalendarError';
    this.code = code;
  }
}

export function isExternalCalendarError(value: unknown): value is ExternalCalendarError {
  return value instanceof ExternalCalendarError;
}

/** `scheme://host[:port]` of a URL, for messages; never the path's user info or query. */
export function describeOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(invalid URL)';
  }
}
