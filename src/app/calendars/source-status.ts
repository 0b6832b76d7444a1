/**
 * The account's source status (SPEC 8): every CalDAV and ICS calendar of an application with what
 * its last read found (when, ok or why not, how many busy intervals, which rules expansion
 * ignored). Used by `GET /v1/external_calendars` and `rtseq calendars list`. Where a calendar
 * lives is shown as `scheme://host:port` only: a feed URL's path and query often are its secret,
 * and CalDAV credentials never leave the sealed source.
 */
import { DomainError } from '../../domain/errors.ts';
import type { SourceStatusRecord } from '../../ports/source-status.ts';
import type { ApplicationRecord, CalendarRecord } from '../../ports/store.ts';
import type { AppContext } from '../context.ts';

export type ExternalCalendarStatus = {
  readonly calendar: CalendarRecord;
  /** `scheme://host[:port]` of the feed or CalDAV calendar; null when the source cannot be unsealed. */
  readonly origin: string | null;
  /** Null until the calendar has been read (reads happen for availability, pages and bookings). */
  readonly lastRead: SourceStatusRecord | null;
};

export type StatusFilter = {
  /** Only this account's calendars; it must be an account of the application. */
  readonly sub?: string;
  /** Default 100, at most 1000. */
  readonly limit?: number;
};

export async function listExternalCalendars(
  ctx: AppContext,
  application: ApplicationRecord,
  filter: StatusFilter = {},
  subPath = 'sub',
): Promise<ExternalCalendarStatus[]> {
  return ctx.store.read(async (repos) => {
    if (filter.sub !== undefined) {
      const [account] = await repos.accounts.byIds(application.id, [filter.sub]);
      if (account === undefined) {
        const description = `${filter.sub} is not an account of this application`;
        throw new DomainError('invalid_request', description, {
          problems: [{ path: subPath, code: 'errors.unknown_sub', description }],
        });
      }
    }
    const calendars = await repos.calendars.externalOf(application.id, {
      ...(filter.sub === undefined ? {} : { accountId: filter.sub }),
      limit: Math.min(filter.limit ?? 100, 1000),
    });
    const statuses = await repos.sourceStatus.byCalendars(calendars.map((c) => c.id));
    const byCalendar = new Map(statuses.map((status) => [status.calendarId, status]));
    return calendars.map((calendar) => ({
      calendar,
      origin: originOf(ctx, calendar),
      lastRead: byCalendar.get(calendar.id) ?? null,
    }));
  });
}

function originOf(ctx: AppContext, calendar: CalendarRecord): string | null {
  if (calendar.sourceSealed === null) return null;
  try {
    const source = JSON.parse(ctx.secrets.unseal(calendar.sourceSealed)) as {
      feedUrl?: unknown;
      calendarUrl?: unknown;
    };
    const url = new URL(String(source.feedUrl ?? source.calendarUrl));
    return `${url.protocol}//${url.host}`;
  } catch {
    return null;
  }
}
