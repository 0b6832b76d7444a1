/**
 * Turns the members named in a request into what the engine needs (SPEC 5.1): their busy time
 * (native events, rtseq's holds and bookings, external calendars) and their open time (member
 * periods, availability rules, available periods). All I/O for one request happens here, in bulk.
 */
import type { Group, Interval, MemberAvailability } from '../domain/engine/types.ts';
import type { Problems } from '../domain/errors.ts';
import { intersectIntervalSets, mergeIntervals } from '../domain/time/intervals.ts';
import { localParts, zonedWallTimeToInstants } from '../domain/time/zones.ts';
import type { SourceFailure } from '../ports/busy-source.ts';
import type { AccountRecord, AvailabilityRuleRecord, CalendarRecord } from '../ports/store.ts';
import type { Caller } from './auth.ts';
import type { AppContext } from './context.ts';

export type MemberRequest = {
  readonly sub: string;
  /** Dotted path of the member in the request, for error messages. */
  readonly path: string;
  readonly calendarIds: readonly string[] | null;
  readonly availablePeriods: readonly Interval[] | null;
  readonly managedAvailability: boolean;
  readonly availabilityRuleIds: readonly string[] | null;
};

export type GroupRequest = {
  readonly path: string;
  readonly members: readonly MemberRequest[];
  /** `null` = "all" (also when the request omitted it). */
  readonly required: number | null;
};

export type ResolvedGroups = {
  /** Engine groups, in the same order as the requested groups. */
  readonly groups: Group[][];
  readonly failures: readonly (SourceFailure & { sub: string })[];
  /** accounts by sub, for callers that need names or calendars. */
  readonly accounts: ReadonlyMap<string, AccountRecord>;
  readonly calendars: readonly CalendarRecord[];
};

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Expands weekly rule periods (local wall times in the rule's zone) into instants over a window. */
export function expandWeeklyRules(rules: readonly AvailabilityRuleRecord[], window: Interval): Interval[] {
  const out: Interval[] = [];
  for (const rule of rules) {
    // Walk local dates from a day before the window to a day after, in the rule's zone.
    const first = localParts(rule.tzid, window.start - 86_400_000);
    const cursor = new Date(Date.UTC(first.year, first.month - 1, first.day));
    const lastMs = window.end + 86_400_000;
    for (let guard = 0; guard < 800; guard++) {
      const [y, m, d] = [cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, cursor.getUTCDate()];
      const dayName = DAY_NAMES[cursor.getUTCDay()];
      for (const period of rule.weeklyPeriods) {
        if (period.day !== dayName) continue;
        const [sh, sm] = period.startTime.split(':').map(Number) as [number, number];
        const [eh, em] = period.endTime.split(':').map(Number) as [number, number];
        const start = firstInstantAtOrAfter(rule.tzid, y, m, d, sh, sm);
        const end = firstInstantAtOrAfter(rule.tzid, y, m, d, eh, em);
        if (end > start) out.push({ start, end });
      }
      if (Date.UTC(y, m - 1, d) - 86_400_000 > lastMs + 86_400_000) break;
      cursor.setUTCDate(cursor.getUTCDate() + 1);
    }
  }
  return mergeIntervals(out.filter((i) => i.end > window.start && i.start < window.end));
}

/** A wall time skipped by spring-forward maps to the first instant after the gap. */
function firstInstantAtOrAfter(
  zone: string,
  y: number,
  m: number,
  d: number,
  hh: number,
  mm: number,
): number {
  for (let step = 0; step <= 180; step += 15) {
    const found = zonedWallTimeToInstants(zone, y, m, d, hh, mm + step);
    if (found.length > 0) return found[0]! - step * 60_000;
  }
  return zonedWallTimeToInstants(zone, y, m, d, hh + 3, mm)[0] ?? Date.UTC(y, m - 1, d, hh, mm);
}

/**
 * A link's own booking, left out of its own page while it is being rescheduled (SPEC 6.6): its
 * booking reservations, and one busy interval per event it wrote (calendar, start, end).
 */
export type OwnBooking = {
  readonly linkId: string;
  readonly events: readonly { readonly calendarId: string; readonly start: number; readonly end: number }[];
};

export type BusyOptions = { fresh: boolean; ignoreHolder?: string; ignoreBooking?: OwnBooking };

/** Takes out one interval equal to each own event from its calendar's busy list (never in place). */
function withoutOwnEvents(busyByCalendar: Map<string, readonly Interval[]>, own: OwnBooking): void {
  for (const event of own.events) {
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
    if (caller.kind === 'account' && caller.account.id !== account.id) {
      problems.add(
        `${member.path}.sub`,
        'errors.not_permitted',
        'an access token may only query its own account',
      );
      continue;
    }
    const own = new Set((calendarsByAccount.get(account.id) ?? []).map((c) => c.id));
    member.calendarIds?.forEach((calendarId, i) => {
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
 * Resolves every group of every step at once. Unknown subs and calendars (or ones of another
 * application) are collected into `problems` with their paths; the caller throws.
 * `ignoreHolder` leaves out the holds of one page session (its own hold must not block its booking);
 * `ignoreBooking` leaves out a rescheduling link's own booking.
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
  const subs = [...new Set(allMembers.map((m) => m.sub))];
  const now = ctx.clock.now();
  const { accountsBySub, calendarsByAccount, calendars } = await checkMembers(
    ctx,
    caller,
    allMembers,
    problems,
  );
  if (!problems.isEmpty) {
    return { groups: [], failures: [], accounts: accountsBySub, calendars };
  }

  const managedIds = [...new Set(allMembers.filter((m) => m.managedAvailability).map((m) => m.sub))];
  const nativeCalendars = calendars.filter((c) => c.kind === 'native');
  const busyByCalendar = new Map<string, readonly Interval[]>();
  const toRead: CalendarRecord[] = [];
  for (const calendar of nativeCalendars) {
    const cached = ctx.busyCache?.lookup(calendar, window);
    if (cached === undefined) toRead.push(calendar);
    else busyByCalendar.set(calendar.id, cached);
  }
  const bulk = await ctx.store.read(async (repos) => ({
    busy: await repos.events.busyIn(
      toRead.map((c) => c.id),
      window,
    ),
    reservations: (await repos.reservations.liveIn(subs, window, now)).filter(
      (r) =>
        (options.ignoreHolder === undefined || r.kind !== 'hold' || r.holderKey !== options.ignoreHolder) &&
        (options.ignoreBooking === undefined ||
          r.kind !== 'booking' ||
          r.linkId !== options.ignoreBooking.linkId),
    ),
    rules: await repos.rules.byAccounts(managedIds),
    periods: await repos.periods.byAccounts(managedIds, window),
  }));

  const readBusy = new Map<string, Interval[]>(toRead.map((c) => [c.id, []]));
  for (const row of bulk.busy) readBusy.get(row.calendarId)?.push({ start: row.startMs, end: row.endMs });
  for (const calendar of toRead) {
    const busy = readBusy.get(calendar.id) ?? [];
    busyByCalendar.set(calendar.id, busy);
    ctx.busyCache?.store(calendar, window, busy);
  }

  // External calendars of the members, each read once (in parallel), only when some member uses it.
  const failures: (SourceFailure & { sub: string })[] = [];
  const failedCalendars = new Map<string, SourceFailure>();
  const externalNeeded = new Set<string>();
  for (const member of allMembers) {
    for (const calendar of calendarsFor(member, calendarsByAccount.get(member.sub) ?? [], bulk.rules)) {
      if (calendar.kind !== 'native') externalNeeded.add(calendar.id);
    }
  }
  await Promise.all(
    calendars
      .filter((c) => externalNeeded.has(c.id))
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
  if (options.ignoreBooking !== undefined) withoutOwnEvents(busyByCalendar, options.ignoreBooking);

  const reservedByAccount = new Map<string, Interval[]>();
  for (const r of bulk.reservations) {
    const list = reservedByAccount.get(r.accountId) ?? [];
    list.push({ start: r.startMs, end: r.endMs });
    reservedByAccount.set(r.accountId, list);
  }

  const memberAvailability = (member: MemberRequest): MemberAvailability => {
    const calendars = calendarsFor(member, calendarsByAccount.get(member.sub) ?? [], bulk.rules);
    const failed = calendars.map((c) => failedCalendars.get(c.id)).filter((f) => f !== undefined);
    if (failed.length > 0) {
      for (const f of failed) {
        if (!failures.some((x) => x.sub === member.sub && x.calendarId === f.calendarId)) {
          failures.push({ ...f, sub: member.sub });
        }
      }
      // Never silently free: a member whose source failed is unavailable for this request.
      return { sub: member.sub, busy: [], open: [] };
    }
    const busy = calendars.flatMap((c) => busyByCalendar.get(c.id) ?? []);
    busy.push(...(reservedByAccount.get(member.sub) ?? []));
    let open: Interval[] | null =
      member.availablePeriods === null ? null : mergeIntervals(member.availablePeriods);
    if (member.managedAvailability) {
      const rules = bulk.rules.filter(
        (r) =>
          r.accountId === member.sub &&
          (member.availabilityRuleIds === null || member.availabilityRuleIds.includes(r.ruleId)),
      );
      const periods = bulk.periods.filter((p) => p.accountId === member.sub);
      if (rules.length > 0 || periods.length > 0 || member.availabilityRuleIds !== null) {
        const managed = mergeIntervals([
          ...expandWeeklyRules(rules, window),
          ...periods.map((p) => ({ start: p.startMs, end: p.endMs })),
        ]);
        open = open === null ? managed : intersectIntervalSets(open, managed);
      }
    }
    return { sub: member.sub, busy, open };
  };

  const groups = requested.map((stepGroups) =>
    stepGroups.map((g) => ({
      members: g.members.map(memberAvailability),
      required: g.required ?? g.members.length,
    })),
  );
  return { groups, failures, accounts: accountsBySub, calendars };
}

/**
 * The calendars whose busy time counts for a member: `calendar_ids` when given; otherwise, for
 * managed availability, the calendars named by the applicable rules when they name any; else all.
 */
function calendarsFor(
  member: MemberRequest,
  calendars: readonly CalendarRecord[],
  rules: readonly AvailabilityRuleRecord[],
): CalendarRecord[] {
  if (member.calendarIds !== null) return calendars.filter((c) => member.calendarIds!.includes(c.id));
  if (member.managedAvailability) {
    const named = new Set(
      rules
        .filter((r) => r.accountId === member.sub && (member.availabilityRuleIds?.includes(r.ruleId) ?? true))
        .flatMap((r) => r.calendarIds ?? []),
    );
    if (named.size > 0) return calendars.filter((c) => named.has(c.id));
  }
  return [...calendars];
}
