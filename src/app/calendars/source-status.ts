/**
 * The account's source status (SPEC 8): every CalDAV and ICS calendar of an application with what
 * its last read found (when, ok or why not, how many busy intervals, which rules expansion
 * ignored). Used by `GET /v1/external_calendars` and `rtseq calendars list`. Where a calendar
 * lives is shown as `scheme://host:port` only: a feed URL's path and query often are its secret,
 * and CalDAV credentials never leave the sealed source.
 *
 * Recording a read is also where changes of external calendars are noticed (SPEC 8d): a read that
 * covers the same window as the last successful one and finds other busy time is a change, told
 * to the channels watching the calendar.
 */
import { DomainError } from '../../domain/errors.ts';
import type { SourceFingerprint, SourceStatusRecord } from '../../ports/source-status.ts';
import type { ApplicationRecord, CalendarRecord, Store } from '../../ports/store.ts';
import { noteExternalChanges } from '../channels/channels.ts';
import type { AppContext } from '../context.ts';

/**
 * Stores what one read of an external calendar found (the busy source's sink, wiring/wire.ts), in
 * one transaction with what it means for channels: when the read covered the same window as the
 * stored fingerprint and found another one, the channels watching the calendar get a `change`
 * (coalesced as every change is; `changes_since` the time of this read). A read over another window
 * only replaces the stored fingerprint (nothing is known to have changed); a failed read keeps it;
 * a read older than the stored one changes nothing.
 */
export function recordSourceRead(store: Store, status: SourceStatusRecord): Promise<void> {
  return store.transaction(async (repos) => {
    const [stored] = await repos.sourceStatus.byCalendars([status.calendarId]);
    await repos.sourceStatus.record(status);
    if (stored === undefined || stored.readAt > status.readAt) return;
    if (differs(stored.fingerprint, status.fingerprint))
      await noteExternalChanges(repos, [status.calendarId], status.readAt);
  });
}

/** Both known, over the same window, and not the same busy time. */
function differs(before: SourceFingerprint | null, after: SourceFingerprint | null): boolean {
  if (before === null || after === null) return false;
  const sameWindow = before.windowStart === after.windowStart && before.windowEnd === after.windowEnd;
  return sameWindow && before.hash !== after.hash;
}

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
