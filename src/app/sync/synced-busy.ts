/**
 * Busy time of Google and Microsoft 365 calendars (SPEC 8c): page views and availability read the
 * synced copy (no provider call); a booking's fresh read (SPEC 6.3) and a window outside the copy's
 * range read the provider now, one call per profile for all of its calendars (Google's freeBusy).
 * Never silently free: a disconnected profile, a calendar whose first sync has not completed, and a
 * failed live read make the calendar's member unavailable, with a reason.
 */
import { type Interval, mergeIntervals, subtractIntervals } from '../../domain/time/intervals.ts';
import type { SourceFailure } from '../../ports/busy-source.ts';
import type { ProfileRecord } from '../../ports/connections.ts';
import type { CalendarRecord } from '../../ports/store.ts';
import type { SyncedCalendarRecord } from '../../ports/sync.ts';
import { isSyncedProvider } from '../../ports/synced-provider.ts';
import type { AppContext } from '../context.ts';
import { providerOf, withAccessToken } from './grants.ts';
import { remoteCalendarOf } from './sync.ts';
import { describeProviderFailure, providerLabel } from './wording.ts';

export type SyncedRead = { ok: true; busy: Interval[] } | { ok: false; failure: SourceFailure };

/** Events a rescheduling link wrote itself (SPEC 6.6): not busy on its own page. */
type OwnEvents = {
  readonly events: readonly { readonly calendarId: string; readonly start: number; readonly end: number }[];
};

export const isSyncedCalendar = (calendar: CalendarRecord): boolean => isSyncedProvider(calendar.kind);

/**
 * Busy time of these synced calendars in `window`, by calendar id; every calendar gets an answer.
 * The copy never holds events rtseq wrote itself (their busy time is rtseq's own), so a rescheduling
 * link's own events (`ignoreBooking`) only matter to live reads, which see every event: see readLive.
 */
export async function readSyncedBusy(
  ctx: AppContext,
  calendars: readonly CalendarRecord[],
  window: Interval,
  options: { readonly fresh: boolean; readonly ignoreBooking?: OwnEvents | undefined },
): Promise<Map<string, SyncedRead>> {
  const results = new Map<string, SyncedRead>();
  if (calendars.length === 0) return results;
  const ids = calendars.map((c) => c.id);
  const { records, profiles } = await ctx.store.read(async (repos) => {
    const records = await repos.sync.byCalendars(ids);
    const profileIds = [...new Set(records.map((r) => r.profileId))];
    const profiles = await Promise.all(profileIds.map((id) => repos.connections.profile(id)));
    return { records, profiles: profiles.filter((p): p is ProfileRecord => p !== undefined) };
  });
  const recordOf = new Map(records.map((r) => [r.calendarId, r]));
  const profileOf = new Map(profiles.map((p) => [p.id, p]));
  const fail = (calendar: CalendarRecord, reason: string) =>
    results.set(calendar.id, { ok: false, failure: { calendarId: calendar.id, reason } });
  const local: CalendarRecord[] = [];
  const live = new Map<string, { record: SyncedCalendarRecord; calendar: CalendarRecord }[]>();
  for (const calendar of calendars) {
    const record = recordOf.get(calendar.id);
    const label = providerLabel(calendar.kind);
    const profile = record === undefined ? undefined : profileOf.get(record.profileId);
    if (record === undefined || profile === undefined || providerOf(ctx, record.provider) === undefined) {
      fail(calendar, `${label} is not configured on this server`);
    } else if (profile.disconnectedAt !== null) {
      fail(calendar, `${label}: ${profile.profileName} is disconnected and must be connected again`);
    } else if (options.fresh || !covers(record, window)) {
      const group = live.get(record.profileId) ?? [];
      group.push({ record, calendar });
      live.set(record.profileId, group);
    } else if (record.syncedAt === null) {
      fail(calendar, `${label}: ${record.failure ?? 'the calendar is still being synced'}`);
    } else {
      local.push(calendar);
    }
  }
  if (local.length > 0) {
    const rows = await ctx.store.read((repos) =>
      repos.sync.busyIn(
        local.map((c) => c.id),
        window,
      ),
    );
    for (const calendar of local) results.set(calendar.id, { ok: true, busy: [] });
    for (const row of rows) {
      const entry = results.get(row.calendarId);
      if (entry?.ok === true) entry.busy.push(row.busy);
    }
  }
  await Promise.all([...live].map(([profileId, group]) => readLive(ctx, profileId, group, window, results)));
  if (options.ignoreBooking !== undefined) {
    await withoutOwnEvents(ctx, [...live.values()].flat(), window, options.ignoreBooking, results);
  }
  await withRtseqEvents(ctx, results, window, options.ignoreBooking);
  for (const result of results.values()) if (result.ok) result.busy.sort((a, b) => a.start - b.start);
  return results;
}

/**
 * The events rtseq itself keeps in these calendars (written through the Events API, or by
 * bookings) count at once, before the outbox has written them to the provider and whatever sync
 * brings back of them (which the copy leaves to these rows); a rescheduling link's own are left out.
 */
async function withRtseqEvents(
  ctx: AppContext,
  results: Map<string, SyncedRead>,
  window: Interval,
  own: OwnEvents | undefined,
): Promise<void> {
  const readable = [...results].filter(([, result]) => result.ok).map(([id]) => id);
  if (readable.length === 0) return;
  const rows = await ctx.store.read((repos) => repos.events.busyIn(readable, window));
  for (const row of rows) {
    const mine = own?.events.some(
      (e) => e.calendarId === row.calendarId && e.start === row.startMs && e.end === row.endMs,
    );
    const result = results.get(row.calendarId);
    if (mine !== true && result?.ok === true) result.busy.push({ start: row.startMs, end: row.endMs });
  }
}

/**
 * A live read (Google's freeBusy) sees the events a rescheduling link wrote, merged with any busy
 * time next to or under them: their intervals are taken out, and the copy's rows (every other event
 * as last synced) are put back, so an event under the link's own booking still counts.
 */
async function withoutOwnEvents(
  ctx: AppContext,
  read: readonly { record: SyncedCalendarRecord; calendar: CalendarRecord }[],
  window: Interval,
  own: OwnEvents,
  results: Map<string, SyncedRead>,
): Promise<void> {
  for (const { record, calendar } of read) {
    const result = results.get(calendar.id);
    const mine = own.events.filter((e) => e.calendarId === calendar.id);
    if (result?.ok !== true || mine.length === 0) continue;
    const copy =
      record.syncedAt !== null && covers(record, window)
        ? await ctx.store.read((repos) => repos.sync.busyIn([calendar.id], window))
        : [];
    result.busy = mergeIntervals([...subtractIntervals(result.busy, mine), ...copy.map((row) => row.busy)]);
  }
}

function covers(record: SyncedCalendarRecord, window: Interval): boolean {
  return (
    record.coveredStart !== null &&
    record.coveredEnd !== null &&
    record.coveredStart <= window.start &&
    window.end <= record.coveredEnd
  );
}

/** One provider call for all of a profile's calendars in the request, within CALENDAR_TIMEOUT_MS. */
async function readLive(
  ctx: AppContext,
  profileId: string,
  group: readonly { record: SyncedCalendarRecord; calendar: CalendarRecord }[],
  window: Interval,
  results: Map<string, SyncedRead>,
): Promise<void> {
  const first = group[0]!.record;
  const provider = providerOf(ctx, first.provider)!;
  const deadline = ctx.clock.now() + ctx.config.calendarTimeoutMs;
  try {
    const busy = await withAccessToken(ctx, profileId, deadline, (token) =>
      provider.readBusy(
        token,
        group.map((g) => remoteCalendarOf(g.record, g.calendar)),
        window,
        { deadline },
      ),
    );
    for (const { record, calendar } of group) {
      const found = busy.get(record.remoteId);
      results.set(
        calendar.id,
        found === undefined
          ? {
              ok: false,
              failure: { calendarId: calendar.id, reason: describeProviderFailure(first.provider, null) },
            }
          : { ok: true, busy: [...found] },
      );
    }
  } catch (error) {
    const reason = describeProviderFailure(first.provider, error);
    for (const { calendar } of group)
      results.set(calendar.id, { ok: false, failure: { calendarId: calendar.id, reason } });
  }
}
