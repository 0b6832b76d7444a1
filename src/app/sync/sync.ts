/**
 * Keeping a Google or Microsoft 365 calendar's busy time in rtseq (SPEC 8c): one sync of one
 * calendar, full (the whole range, the copy replaced) or incremental (from the stored cursor, the
 * changes applied), then its push subscription kept alive. A cursor the provider no longer accepts
 * makes a full resync at once. Changes tell the calendar's channels (SPEC 8d); a new profile's
 * first complete sync tells them `profile_initial_sync_completed`.
 */
import type { Interval } from '../../domain/time/intervals.ts';
import type { CalendarRecord } from '../../ports/store.ts';
import type { SyncedCalendarRecord, SyncWrite } from '../../ports/sync.ts';
import {
  isProviderError,
  type RemoteCalendar,
  type SyncedCalendarProvider,
  type SyncResult,
} from '../../ports/synced-provider.ts';
import { noteExternalChanges, queueProfileNotification } from '../channels/channels.ts';
import type { AppContext } from '../context.ts';
import { providerOf, withAccessToken } from './grants.ts';
import { keepWatch, RENEW_MARGIN_MS } from './watch.ts';
import { describeProviderFailure } from './wording.ts';

const DAY_MS = 86_400_000;
/** One sync may take this long (a first sync of thousands of events pages through them). */
export const SYNC_DEADLINE_MS = 90_000;
/** A sync holds its calendar this long at most: a process that died mid-sync frees it then. */
export const SYNC_LEASE_MS = SYNC_DEADLINE_MS + 30_000;
/** After a failed sync, the next try comes this soon (or at the poll, when that is sooner). */
const RETRY_AFTER_FAILURE_MS = 30_000;

/** The range the copy covers (SPEC 8c): from a day ago to SYNC_DAYS_AHEAD days ahead. */
export function syncRange(ctx: AppContext, now: number): Interval {
  return { start: now - DAY_MS, end: now + ctx.config.sync.syncDaysAhead * DAY_MS };
}

/** The provider's view of an rtseq calendar that is kept by sync. */
export function remoteCalendarOf(record: SyncedCalendarRecord, calendar: CalendarRecord): RemoteCalendar {
  return {
    id: record.remoteId,
    name: calendar.name,
    primary: calendar.primary,
    readOnly: calendar.readOnly,
    tzid: calendar.tzid,
  };
}

export type SyncOutcome = 'ok' | 'reset' | 'failed';

/**
 * Syncs one calendar the caller has claimed (SyncRepo.claim); always releases it. A full sync runs
 * when there is no cursor yet, or the covered range no longer reaches a day short of the range
 * wanted now (the copy's end moves with time).
 */
export async function syncCalendar(ctx: AppContext, record: SyncedCalendarRecord): Promise<SyncOutcome> {
  const started = ctx.clock.now();
  const calendar = await ctx.store.read((repos) => repos.calendars.byId(record.calendarId));
  const provider = providerOf(ctx, record.provider);
  if (calendar === undefined || calendar.deleted || provider === undefined) {
    const reason = provider === undefined ? `${record.provider} is not configured on this server` : 'gone';
    await ctx.store.transaction((repos) =>
      repos.sync.recordFailure(record.calendarId, reason, started + pollMs(ctx)),
    );
    return 'failed';
  }
  const range = syncRange(ctx, started);
  const stale = record.coveredEnd === null || record.coveredEnd < range.end - DAY_MS;
  let outcome: SyncOutcome = 'ok';
  try {
    let full = record.cursor === null || stale;
    let result: SyncResult;
    try {
      result = await runSync(ctx, provider, record, calendar, full ? null : record.cursor, range);
    } catch (error) {
      if (full || !isProviderError(error) || error.code !== 'sync_reset') throw error;
      // The provider forgot the cursor (Google 410, Graph syncStateNotFound): everything again.
      outcome = 'reset';
      full = true;
      result = await runSync(ctx, provider, record, calendar, null, range);
    }
    await storeSync(ctx, record, calendar, result, full ? range : coveredOf(record, range), full);
  } catch (error) {
    const reason = describeProviderFailure(record.provider, error);
    await ctx.store.transaction((repos) =>
      repos.sync.recordFailure(
        record.calendarId,
        reason,
        ctx.clock.now() + Math.min(RETRY_AFTER_FAILURE_MS, pollMs(ctx)),
      ),
    );
    outcome = 'failed';
  }
  const now = ctx.clock.now();
  ctx.metrics?.providerSync(
    record.provider,
    outcome,
    (now - started) / 1000,
    Math.max(0, now - record.dueAt) / 1000,
  );
  return outcome;
}

const pollMs = (ctx: AppContext) => ctx.config.sync.syncPollSeconds * 1000;

function coveredOf(record: SyncedCalendarRecord, range: Interval): Interval {
  return { start: record.coveredStart ?? range.start, end: record.coveredEnd ?? range.end };
}

function runSync(
  ctx: AppContext,
  provider: SyncedCalendarProvider,
  record: SyncedCalendarRecord,
  calendar: CalendarRecord,
  cursor: string | null,
  range: Interval,
): Promise<SyncResult> {
  const deadline = ctx.clock.now() + SYNC_DEADLINE_MS;
  const remote = remoteCalendarOf(record, calendar);
  return withAccessToken(ctx, record.profileId, deadline, (token) =>
    provider.sync(token, remote, cursor, range, { deadline }),
  );
}

/**
 * Stores what one sync found, in one transaction: the copy (events rtseq wrote itself are left to
 * rtseq's own rows; events that do not make their owner busy have no row), the cursor, the next due
 * time; a `change` for the calendar's channels when anything changed; and, when this completed the
 * first sync of the profile's last calendar, `profile_initial_sync_completed`.
 */
async function storeSync(
  ctx: AppContext,
  record: SyncedCalendarRecord,
  calendar: CalendarRecord,
  result: SyncResult,
  covered: Interval,
  full: boolean,
): Promise<void> {
  const upserts: SyncWrite['upserts'][number][] = [];
  const removed: string[] = [];
  for (const change of result.changes) {
    if (change.kind === 'upsert' && change.busy !== null && change.rtseqUid === null) {
      upserts.push({ key: change.key, busy: change.busy });
    } else {
      removed.push(change.key);
    }
  }
  const now = ctx.clock.now();
  await ctx.store.transaction(async (repos) => {
    await repos.sync.applySync({
      calendarId: record.calendarId,
      full,
      upserts,
      removed: full ? [] : removed,
      cursor: result.cursor,
      covered,
      syncedAt: now,
      nextDueAt: now + pollMs(ctx),
    });
    const firstSync = record.syncedAt === null;
    if (!firstSync && (full || result.changes.length > 0)) {
      await noteExternalChanges(repos, [record.calendarId], now);
    }
    if (firstSync) {
      const siblings = await repos.sync.byProfile(record.profileId);
      const pending = siblings.filter((s) => s.calendarId !== record.calendarId && s.syncedAt === null);
      if (pending.length === 0) {
        await queueProfileNotification(ctx, repos, calendar.accountId, 'profile_initial_sync_completed');
      }
    }
  });
}

/** Calendars synced at once by one process (each one is a few provider calls in sequence). */
const SYNC_CONCURRENCY = 4;

/**
 * One round of the sync job: the calendars that are due (a push, the poll, a first sync) or whose
 * subscription is about to end, each claimed first so that one process syncs it, then synced and
 * its subscription kept alive, a few at a time. Returns how many were synced.
 */
export async function syncDueCalendars(ctx: AppContext, limit: number): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.store.read((repos) => repos.sync.due(now, now + RENEW_MARGIN_MS, limit));
  let next = 0;
  let synced = 0;
  const lane = async () => {
    while (next < due.length) {
      const record = due[next++]!;
      const claimed = await ctx.store.transaction((repos) =>
        repos.sync.claim(record.calendarId, ctx.clock.now(), ctx.clock.now() + SYNC_LEASE_MS),
      );
      if (!claimed) continue;
      try {
        const outcome = await syncCalendar(ctx, record);
        if (outcome !== 'failed') await keepWatch(ctx, record);
        synced += 1;
      } finally {
        await ctx.store.transaction((repos) => repos.sync.release(record.calendarId));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, due.length) }, lane));
  return synced;
}
