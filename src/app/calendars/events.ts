/**
 * The Events API on native calendars (SPEC 7, reference 7.1-7.4): upsert and delete by
 * (calendar, event_id), bulk delete, and the paged reads of events and free-busy.
 */
import { DomainError, invalid, Problems } from '../../domain/errors.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import { startOfLocalDate } from '../../domain/time/wall-clock.ts';
import type {
  CalendarRecord,
  EventRecord,
  EventStatus,
  EventTransparency,
  Repos,
} from '../../ports/store.ts';
import { isSyncedProvider } from '../../ports/synced-provider.ts';
import type { AccountCaller } from '../accounts/auth.ts';
import type { AppContext } from '../context.ts';
import { outboxItem } from '../outbox-items.ts';
import { ownCalendar, pickCalendars } from './calendars.ts';
import { type PageCursor, type PagedResult, readPage } from './paging.ts';

/** An event boundary: an instant, or a calendar date (all-day; placed in the calendar's zone). */
export type EventTime =
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'date'; readonly year: number; readonly month: number; readonly day: number };

export type Attendee = { readonly email: string; readonly display_name?: string };

export type EventUpsert = {
  readonly eventId: string;
  readonly summary: string;
  readonly start: EventTime;
  readonly end: EventTime;
  readonly transparency: EventTransparency;
  readonly status: EventStatus;
  /** `attendees.invite` and `attendees.reject`/`remove`; null when `attendees` was absent. */
  readonly attendees: { readonly invite: readonly Attendee[]; readonly remove: readonly string[] } | null;
  /** The other wire fields, validated and kept as sent (start/end forms, description, …). */
  readonly data: Readonly<Record<string, unknown>>;
};

function instantOf(time: EventTime, zone: string): number {
  return time.kind === 'time' ? time.ms : startOfLocalDate(zone, time.year, time.month, time.day);
}

/** The calendar accepts writes through the Events API, else a 422 at `calendar_id`. */
function checkWritable(calendar: CalendarRecord): void {
  if (calendar.deleted) {
    throw invalid('calendar_id', 'errors.calendar_deleted', `${calendar.id} has been deleted`);
  }
  if (calendar.readOnly || calendar.kind === 'ics') {
    throw invalid('calendar_id', 'errors.calendar_readonly', `${calendar.id} is read-only`);
  }
  if (calendar.kind === 'caldav') {
    // CalDAV calendars are read live from their server; only rtseq's own bookings are written there.
    throw invalid(
      'calendar_id',
      'errors.not_supported',
      `${calendar.id} is a CalDAV calendar: events can be written through the API only to native, Google and Microsoft 365 calendars`,
    );
  }
}

/**
 * An event written through the API into a Google or Microsoft 365 calendar goes out to the
 * provider after commit, through the outbox, as bookings do (SPEC 8c); native events stay here.
 */
async function queueProviderWrite(
  ctx: AppContext,
  repos: Repos,
  caller: AccountCaller,
  calendar: CalendarRecord,
  eventId: string,
): Promise<void> {
  if (!isSyncedProvider(calendar.kind)) return;
  const event = await repos.events.byKey(calendar.id, eventId);
  if (event === undefined) return;
  await repos.outbox.insert(
    outboxItem(
      ctx,
      caller.application.id,
      'caldav_write',
      calendar.id,
      JSON.stringify({ calendarId: calendar.id, eventId, uid: event.eventUid }),
    ),
  );
}

function mergeAttendees(previous: unknown, change: EventUpsert['attendees']): Attendee[] {
  const list: Attendee[] = Array.isArray(previous)
    ? previous.filter(
        (a): a is Attendee =>
          typeof a === 'object' && a !== null && typeof (a as Attendee).email === 'string',
      )
    : [];
  if (change === null) return list;
  const key = (email: string) => email.trim().toLowerCase();
  const removed = new Set(change.remove.map(key));
  const merged = new Map(list.map((a) => [key(a.email), a]));
  for (const invitee of change.invite) merged.set(key(invitee.email), invitee);
  return [...merged.entries()].filter(([k]) => !removed.has(k)).map(([, a]) => a);
}

/** The event's period in the calendar, or the 422 of an end not after its start. */
function periodOf(calendar: CalendarRecord, input: EventUpsert): { startMs: number; endMs: number } {
  const startMs = instantOf(input.start, calendar.tzid);
  const endMs = instantOf(input.end, calendar.tzid);
  if (endMs <= startMs) throw invalid('end', 'errors.invalid_period', 'end must be after start');
  return { startMs, endMs };
}

/** The record an upsert stores over `existing` (the event stored under its key, if any). */
function upserted(
  ctx: AppContext,
  calendar: CalendarRecord,
  input: EventUpsert,
  existing: EventRecord | undefined,
): EventRecord {
  const { startMs, endMs } = periodOf(calendar, input);
  const now = ctx.clock.now();
  const attendees = mergeAttendees(existing?.data.attendees, input.attendees);
  const data: Record<string, unknown> = { ...input.data };
  if (attendees.length > 0) data.attendees = attendees;
  else delete data.attendees;
  return {
    calendarId: calendar.id,
    eventId: input.eventId,
    eventUid: existing?.eventUid ?? ctx.ids.newId('evt'),
    summary: input.summary,
    startMs,
    endMs,
    allDay: input.start.kind === 'date',
    transparency: input.transparency,
    status: input.status,
    deleted: false,
    data,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
}

/** Creates or replaces the event (calendar, event_id); a deleted one comes back to life. */
export async function upsertEvent(
  ctx: AppContext,
  caller: AccountCaller,
  calendarId: string,
  input: EventUpsert,
): Promise<void> {
  await ctx.store.transaction(async (repos) => {
    const calendar = await ownCalendar(repos, caller, calendarId);
    checkWritable(calendar);
    periodOf(calendar, input);
    const existing = await repos.events.byKey(calendar.id, input.eventId);
    await repos.events.upsert(upserted(ctx, calendar, input, existing));
    await queueProviderWrite(ctx, repos, caller, calendar, input.eventId);
  });
}

/** One write of upsertEvents: the calendar it names and what upsertEvent would be given. */
export type EventWrite = { readonly calendarId: string; readonly input: EventUpsert };

/**
 * Several upsertEvent calls of one caller, in order, in one transaction (`POST /v1/batch`): each
 * write to a native calendar is stored exactly as upsertEvent would store it on its own. Returns,
 * in order, whether each write was stored: false for one upsertEvent would refuse (it does not
 * stop the others) and for one into a Google or Microsoft 365 calendar (its provider write goes
 * through the outbox: the caller runs upsertEvent for it). Any other error (the database's) rolls
 * back every write and is thrown.
 */
export async function upsertEvents(
  ctx: AppContext,
  caller: AccountCaller,
  writes: readonly EventWrite[],
): Promise<boolean[]> {
  /** A refusal upsertEvent would answer; anything else is thrown. */
  const refused = (error: unknown): false => {
    if (error instanceof DomainError) return false;
    throw error;
  };
  return ctx.store.transaction(async (repos) => {
    // The native calendars written here; null for one refused or a provider's.
    const calendars = new Map<string, CalendarRecord | null>();
    for (const calendarId of new Set(writes.map((w) => w.calendarId))) {
      try {
        const calendar = await ownCalendar(repos, caller, calendarId);
        checkWritable(calendar);
        calendars.set(calendarId, calendar.kind === 'native' ? calendar : null);
      } catch (error) {
        refused(error);
        calendars.set(calendarId, null);
      }
    }
    // What each key holds, read once, then as the earlier writes of this call left it.
    const current = new Map<string, EventRecord | undefined>();
    const keyOf = (calendarId: string, eventId: string) => `${calendarId}\n${eventId}`;
    for (const [calendarId, calendar] of calendars) {
      if (calendar === null) continue;
      const eventIds = [
        ...new Set(writes.filter((w) => w.calendarId === calendarId).map((w) => w.input.eventId)),
      ];
      for (const event of await repos.events.byKeys(calendarId, eventIds))
        current.set(keyOf(calendarId, event.eventId), event);
    }
    const written = new Set<string>();
    const stored = writes.map(({ calendarId, input }) => {
      const calendar = calendars.get(calendarId);
      if (calendar === undefined || calendar === null) return false;
      try {
        const key = keyOf(calendarId, input.eventId);
        current.set(key, upserted(ctx, calendar, input, current.get(key)));
        written.add(key);
        return true;
      } catch (error) {
        return refused(error);
      }
    });
    await repos.events.upsertMany([...written].map((key) => current.get(key)!));
    return stored;
  });
}

/** Deletes one event; an unknown or already deleted event_id is not an error (idempotent). */
export async function deleteEvent(
  ctx: AppContext,
  caller: AccountCaller,
  calendarId: string,
  eventId: string,
): Promise<void> {
  await ctx.store.transaction(async (repos) => {
    const calendar = await ownCalendar(repos, caller, calendarId);
    checkWritable(calendar);
    await repos.events.markDeleted(calendar.id, eventId, ctx.clock.now());
    await queueProviderWrite(ctx, repos, caller, calendar, eventId);
  });
}

/** `DELETE /v1/events`: every event of the account, or of the named calendars. */
export async function deleteEvents(
  ctx: AppContext,
  caller: AccountCaller,
  scope: { readonly all: boolean; readonly calendarIds: readonly string[] | null },
): Promise<number> {
  return ctx.store.transaction(async (repos) => {
    const own = await repos.calendars.byAccount(caller.account.id);
    const problems = new Problems();
    const named = pickCalendars(own, scope.calendarIds, 'calendar_ids', problems);
    problems.throwIfAny();
    const targets = (scope.all ? own : named).filter((c) => c.kind === 'native');
    return repos.events.markDeletedIn(
      targets.map((c) => c.id),
      ctx.clock.now(),
    );
  });
}

export type EventsQuery = {
  /** null: every event, whenever it happens (rtseq's events are all application-managed). */
  readonly window: Interval | null;
  readonly includeDeleted: boolean;
  readonly modifiedSince: number | null;
  readonly calendarIds: readonly string[] | null;
};

export type EventsPage = PagedResult<EventRecord> & {
  readonly calendars: ReadonlyMap<string, CalendarRecord>;
};

async function calendarsFor(
  repos: Repos,
  caller: AccountCaller,
  calendarIds: readonly string[] | null,
): Promise<CalendarRecord[]> {
  const own = await repos.calendars.byAccount(caller.account.id);
  const problems = new Problems();
  const picked = pickCalendars(own, calendarIds, 'calendar_ids', problems);
  problems.throwIfAny();
  return picked;
}

/** One page of events of the caller's calendars (all of them, or the named ones). */
async function readEventPage(
  ctx: AppContext,
  caller: AccountCaller,
  calendarIds: readonly string[] | null,
  cursor: PageCursor,
  pageSize: number,
  options: { window: Interval | null; includeDeleted: boolean; busyOnly?: boolean; modifiedSince?: number },
): Promise<EventsPage> {
  return ctx.store.read(async (repos) => {
    const calendars = await calendarsFor(repos, caller, calendarIds);
    const { window, ...pageOptions } = options;
    const page = await readPage(cursor, pageSize, (offset, limit) =>
      repos.events.page(
        calendars.map((c) => c.id),
        window,
        { ...pageOptions, offset, limit },
      ),
    );
    return { ...page, calendars: new Map(calendars.map((c) => [c.id, c])) };
  });
}

/** One page of `GET /v1/events`, ordered by start, then calendar and event_id. */
export function readEvents(
  ctx: AppContext,
  caller: AccountCaller,
  query: EventsQuery,
  cursor: PageCursor,
  pageSize: number,
): Promise<EventsPage> {
  return readEventPage(ctx, caller, query.calendarIds, cursor, pageSize, {
    window: query.window,
    includeDeleted: query.includeDeleted,
    ...(query.modifiedSince === null ? {} : { modifiedSince: query.modifiedSince }),
  });
}

export type FreeBusyQuery = { readonly window: Interval; readonly calendarIds: readonly string[] | null };

/**
 * One page of `GET /v1/free_busy`: the events that make the account busy (not deleted, not
 * cancelled, not transparent); tentative events are reported as `tentative`.
 */
export function readFreeBusy(
  ctx: AppContext,
  caller: AccountCaller,
  query: FreeBusyQuery,
  cursor: PageCursor,
  pageSize: number,
): Promise<EventsPage> {
  return readEventPage(ctx, caller, query.calendarIds, cursor, pageSize, {
    window: query.window,
    includeDeleted: false,
    busyOnly: true,
  });
}
