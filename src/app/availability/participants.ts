/**
 * Turns the members named in a request into what the engine needs (SPEC 5.1): their busy time
 * (native events, rtseq's holds and bookings, external calendars) and their open time (member
 * periods, availability rules, available periods). All I/O for one request happens here, in bulk.
 */
import { type AvailabilityConstraint, countingWindow } from '../../domain/engine/constraints.ts';
import {
  type AccountRule,
  buildGroups,
  type CountedRow,
  type GroupRequest,
  type MemberFacts,
  type MemberRequest,
  memberCalendarIds,
  memberKey,
} from '../../domain/engine/members.ts';
import type { Group } from '../../domain/engine/types.ts';
import type { Problems } from '../../domain/errors.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import type { SourceFailure } from '../../ports/busy-source.ts';
import type { AccountRecord, BusyRow, CalendarRecord, Repos } from '../../ports/store.ts';
import type { Caller } from '../accounts/auth.ts';
import type { AppContext } from '../context.ts';
import { isSyncedCalendar, readSyncedBusy } from '../sync/synced-busy.ts';

export type { GroupRequest, MemberRequest };

export type ResolvedGroups = {
  /** Engine groups, in the same order as the requested groups. */
  readonly groups: Group[][];
  readonly failures: readonly (SourceFailure & { sub: string })[];
  /** accounts by sub, for callers that need names or calendars. */
  readonly accounts: ReadonlyMap<string, AccountRecord>;
  readonly calendars: readonly CalendarRecord[];
};

/**
 * A link's own booking, left out of its own page while it is being rescheduled (SPEC 6.6): its
 * booking reservations, and one busy interval per event it wrote (calendar, start, end).
 */
export type OwnBooking = {
  readonly linkId: string;
  readonly events: readonly { readonly calendarId: string; readonly start: number; readonly end: number }[];
};

export type BusyOptions = {
  fresh: boolean;
  /**
   * A link id: its own holds are left out (SPEC 5.6: a hold blocks every *other* query and link; a
   * link holds at most one option, and its next hold or booking replaces it).
   */
  ignoreHoldsOf?: string;
  ignoreBooking?: OwnBooking;
};

/**
 * Takes out one interval equal to each own event from its calendar's busy list (never in place).
 * Synced calendars are left alone: their copy never holds rtseq's events, and their live reads
 * take their own out (app/sync/synced-busy.ts).
 */
function withoutOwnEvents(
  busyByCalendar: Map<string, readonly Interval[]>,
  own: OwnBooking,
  synced: ReadonlySet<string>,
): void {
  for (const event of own.events) {
    if (synced.has(event.calendarId)) continue;
    const busy = busyByCalendar.get(event.calendarId);
    if (busy === undefined) continue;
    const at = busy.findIndex((b) => b.start === event.start && b.end === event.end);
    if (at >= 0) busyByCalendar.set(event.calendarId, busy.toSpliced(at, 1));
  }
}

export type MemberDirectory = {
  readonly accountsBySub: Map<string, AccountRecord>;
  readonly calendarsByAccount: Map<string, CalendarRecord[]>;
  readonly calendars: readonly CalendarRecord[];
};

/**
 * Loads the accounts and calendars named by `members` and reports, with their paths, every sub
 * and calendar that is unknown or belongs to another application (the same 422 either way).
 */
export async function checkMembers(
  ctx: AppContext,
  caller: Caller,
  members: readonly MemberRequest[],
  problems: Problems,
  extraSubs: readonly string[] = [],
): Promise<MemberDirectory> {
  const subs = [...new Set([...members.map((m) => m.sub), ...extraSubs])];
  const loaded = await ctx.store.read(async (repos) => {
    const accounts = await repos.accounts.byIds(caller.application.id, subs);
    const calendars = (await repos.calendars.byAccounts(accounts.map((a) => a.id))).filter((c) => !c.deleted);
    return { accounts, calendars };
  });
  const accountsBySub = new Map(loaded.accounts.map((a) => [a.id, a]));
  const calendarsByAccount = new Map<string, CalendarRecord[]>();
  for (const calendar of loaded.calendars) {
    const list = calendarsByAccount.get(calendar.accountId) ?? [];
    list.push(calendar);
    calendarsByAccount.set(calendar.accountId, list);
  }
  // Built once per account that some member names calendars of (members repeat across steps).
  const calendarIdsOf = new Map<string, Set<string>>();
  for (const member of members) {
    const account = accountsBySub.get(member.sub);
    if (account === undefined) {
      problems.add(
        `${member.path}.sub`,
        'errors.unknown_sub',
        `${member.sub} is not an account of this application`,
      );
      continue;
    }
    if (member.calendarIds === null) continue;
    let own = calendarIdsOf.get(account.id);
    if (own === undefined) {
      own = new Set((calendarsByAccount.get(account.id) ?? []).map((c) => c.id));
      calendarIdsOf.set(account.id, own);
    }
    member.calendarIds.forEach((calendarId, i) => {
      if (!own.has(calendarId)) {
        problems.add(
          `${member.path}.calendar_ids[${i}]`,
          'errors.unknown_calendar',
          `${calendarId} is not a calendar of ${member.sub}`,
        );
      }
    });
  }
  return { accountsBySub, calendarsByAccount, calendars: loaded.calendars };
}

/**
 * Resolves every group of every step at once: checks the members, loads what their busy and open
 * time depend on in bulk (native busy time from the busy cache or a few calendars a statement;
 * reservations, rules and periods in one read; each external calendar once, in parallel; the event
 * loop free between the phases of a large request), then the domain builds the engine's groups. Unknown subs and calendars (or ones of another application) are collected into `problems`
 * with their paths and nothing is loaded; the caller throws. `options.fresh` reads external
 * calendars past their cache; `options.ignoreHoldsOf` leaves out the holds of one link (they never
 * block that link's own pages, holds or bookings); `options.ignoreBooking` leaves out a
 * rescheduling link's own booking.
 */
export async function resolveGroups(
  ctx: AppContext,
  caller: Caller,
  requested: readonly (readonly GroupRequest[])[],
  window: Interval,
  problems: Problems,
  options: BusyOptions,
): Promise<ResolvedGroups> {
  const allMembers = requested.flat().flatMap((g) => g.members);
  // A large request (hundreds of member entries) lets other requests through between its phases.
  const pause = allMembers.length >= LARGE_REQUEST_MEMBERS ? yieldToEventLoop : async () => undefined;
  await pause();
  const directory = await checkMembers(ctx, caller, allMembers, problems);
  const { accountsBySub, calendars } = directory;
  if (!problems.isEmpty) {
    return { groups: [], failures: [], accounts: accountsBySub, calendars };
  }
  await pause();
  const facts = await loadMemberFacts(ctx, allMembers, directory, window, options);
  await pause();
  const built = buildGroups(requested, facts, window, ctx.ruleExpansions?.occurrences);
  return { groups: built.groups, failures: built.failures, accounts: accountsBySub, calendars };
}

/** Member entries from which a request pauses between its phases (see resolveGroups). */
const LARGE_REQUEST_MEMBERS = 100;

/** Calendars whose busy rows are read by one statement; between statements other requests run. */
const BUSY_READ_CHUNK = 25;

/** Lets the event loop answer other requests (SQLite reads are synchronous). */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Busy rows of many calendars, read a few calendars at a time with the event loop free in between:
 * a request over 200 calendars and 60,000 events never blocks other requests for the whole read.
 */
async function readBusyInChunks(
  ctx: AppContext,
  calendarIds: readonly string[],
  window: Interval,
): Promise<BusyRow[]> {
  if (calendarIds.length <= BUSY_READ_CHUNK) {
    return ctx.store.read((repos) => repos.events.busyIn(calendarIds, window));
  }
  const rows: BusyRow[] = [];
  for (let i = 0; i < calendarIds.length; i += BUSY_READ_CHUNK) {
    const chunk = calendarIds.slice(i, i + BUSY_READ_CHUNK);
    for (const row of await ctx.store.read((repos) => repos.events.busyIn(chunk, window))) rows.push(row);
    await yieldToEventLoop();
  }
  return rows;
}

/** The load step of resolveGroups: every fact the domain's build step needs, read in bulk. */
async function loadMemberFacts(
  ctx: AppContext,
  allMembers: readonly MemberRequest[],
  directory: MemberDirectory,
  window: Interval,
  options: BusyOptions,
): Promise<MemberFacts<SourceFailure>> {
  const { calendarsByAccount, calendars } = directory;
  const subs = [...new Set(allMembers.map((m) => m.sub))];
  const now = ctx.clock.now();
  const managedIds = [...new Set(allMembers.filter((m) => m.managedAvailability).map((m) => m.sub))];
  const busyByCalendar = new Map<string, readonly Interval[]>();
  const toRead: CalendarRecord[] = [];
  for (const calendar of calendars.filter((c) => c.kind === 'native')) {
    const cached = ctx.busyCache?.lookup(calendar, window);
    if (cached === undefined) toRead.push(calendar);
    else busyByCalendar.set(calendar.id, cached);
  }
  const busyRows = await readBusyInChunks(
    ctx,
    toRead.map((c) => c.id),
    window,
  );
  const bulk = await ctx.store.read(async (repos) => ({
    busy: busyRows,
    reservations: (await repos.reservations.liveIn(subs, window, now)).filter(
      (r) =>
        (options.ignoreHoldsOf === undefined || r.kind !== 'hold' || r.linkId !== options.ignoreHoldsOf) &&
        (options.ignoreBooking === undefined ||
          r.kind !== 'booking' ||
          r.linkId !== options.ignoreBooking.linkId),
    ),
    counted: await readCounted(repos, allMembers, calendarsByAccount, window, now, options),
    rules: await repos.rules.byAccounts(managedIds),
    periods: await repos.periods.byAccounts(managedIds, window),
    // Managed or not is decided by everything the account has stored, never by the window (5.1).
    withPeriods: await repos.periods.accountsWithAny(managedIds),
  }));

  const readBusy = new Map<string, Interval[]>(toRead.map((c) => [c.id, []]));
  for (const row of bulk.busy) readBusy.get(row.calendarId)?.push({ start: row.startMs, end: row.endMs });
  for (const calendar of toRead) {
    const busy = readBusy.get(calendar.id) ?? [];
    busyByCalendar.set(calendar.id, busy);
    ctx.busyCache?.store(calendar, window, busy);
  }
  const rulesByAccount = groupBy(bulk.rules, (rule): [string, AccountRule] => [rule.accountId, rule]);
  const calendarIdsByAccount = new Map(
    [...calendarsByAccount].map(([sub, list]) => [sub, list.map((c) => c.id)] as const),
  );

  // External calendars of the members, each read once (in parallel), only when some member uses it.
  const failedCalendars = new Map<string, SourceFailure>();
  const used = new Set<string>();
  const seen = new Set<string>();
  for (const member of allMembers) {
    // Members repeat across steps and groups (thousands of mentions in a large request).
    const key = memberKey(member);
    if (seen.has(key)) continue;
    seen.add(key);
    const ids = memberCalendarIds(
      member,
      calendarIdsByAccount.get(member.sub) ?? [],
      rulesByAccount.get(member.sub) ?? [],
    );
    for (const id of ids) used.add(id);
  }
  const synced = calendars.filter((c) => isSyncedCalendar(c) && used.has(c.id));
  const readingSynced = readSyncedBusy(ctx, synced, window, options);
  await Promise.all(
    calendars
      .filter((c) => c.kind !== 'native' && !isSyncedCalendar(c) && used.has(c.id))
      .map(async (calendar) => {
        if (ctx.external === null) {
          failedCalendars.set(calendar.id, {
            calendarId: calendar.id,
            reason: 'external calendars are not configured',
          });
          return;
        }
        const result = await ctx.external.readBusy(calendar, window, options);
        if (result.ok) busyByCalendar.set(calendar.id, result.busy);
        else failedCalendars.set(calendar.id, result.failure);
      }),
  );
  for (const [calendarId, result] of await readingSynced) {
    if (result.ok) busyByCalendar.set(calendarId, result.busy);
    else failedCalendars.set(calendarId, result.failure);
  }
  if (options.ignoreBooking !== undefined)
    withoutOwnEvents(busyByCalendar, options.ignoreBooking, new Set(synced.map((c) => c.id)));

  const periodsByAccount = groupBy(bulk.periods, (p): [string, Interval] => [
    p.accountId,
    { start: p.startMs, end: p.endMs },
  ]);
  return {
    calendarIdsByAccount,
    busyByCalendar,
    failedCalendars,
    reservedByAccount: groupBy(bulk.reservations, (r): [string, Interval] => [
      r.accountId,
      { start: r.startMs, end: r.endMs },
    ]),
    rulesByAccount,
    periodsByAccount,
    managedAccounts: new Set([...rulesByAccount.keys(), ...bulk.withPeriods]),
    countedByAccount: bulk.counted,
  };
}

/**
 * What the availability constraints of the members that carry any count (SPEC 5.1), read for the
 * window widened to whole periods: the accounts' events that the application wrote through the
 * Events API (on any of their calendars; the build step keeps the member's counted ones) and their
 * live holds and bookings, which stand for the events bookings write. The same holds and bookings
 * are left out as for busy time (a link's own hold; a rescheduling link's own booking).
 */
async function readCounted(
  repos: Repos,
  members: readonly MemberRequest[],
  calendarsByAccount: ReadonlyMap<string, readonly CalendarRecord[]>,
  window: Interval,
  now: number,
  options: BusyOptions,
): Promise<Map<string, CountedRow[]>> {
  const constraintsBySub = new Map<string, AvailabilityConstraint[]>();
  for (const member of members) {
    if (member.availabilityConstraints === undefined) continue;
    const list = constraintsBySub.get(member.sub) ?? [];
    list.push(...member.availabilityConstraints);
    constraintsBySub.set(member.sub, list);
  }
  const out = new Map<string, CountedRow[]>();
  for (const [sub, constraints] of constraintsBySub) {
    const counting = countingWindow(constraints, window);
    const calendarIds = (calendarsByAccount.get(sub) ?? []).map((c) => c.id);
    const rows: CountedRow[] = await repos.events.countedIn(calendarIds, counting);
    for (const r of await repos.reservations.liveIn([sub], counting, now)) {
      if (r.startMs < counting.start || r.startMs >= counting.end) continue;
      if (options.ignoreHoldsOf !== undefined && r.kind === 'hold' && r.linkId === options.ignoreHoldsOf)
        continue;
      if (options.ignoreBooking?.linkId === r.linkId && r.kind === 'booking') continue;
      rows.push({ calendarId: null, startMs: r.startMs, tags: r.tags ?? [] });
    }
    out.set(sub, rows);
  }
  return out;
}

function groupBy<T, V>(items: readonly T[], entry: (item: T) => [string, V]): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const item of items) {
    const [key, value] = entry(item);
    const list = out.get(key);
    if (list === undefined) out.set(key, [value]);
    else list.push(value);
  }
  return out;
}
