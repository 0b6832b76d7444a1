/**
 * From the members named in a request and the facts read for them to the engine's groups (SPEC 5.1):
 * busy(m) from the member's calendars and reservations, open(m) from request-level periods and
 * managed availability. Pure: app/participants.ts does the reading, this decides what it means.
 */
import { type Interval, intersectIntervalSets, mergeIntervals } from '../time/intervals.ts';
import { expandWeeklyRules, type WeeklyRule } from '../time/weekly-rules.ts';
import type { Group, MemberAvailability } from './types.ts';

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

/** A stored availability rule of an account, as far as availability needs it. */
export type AccountRule = WeeklyRule & {
  readonly ruleId: string;
  /** The calendars whose busy time counts for the rule; `null` for all of the account's. */
  readonly calendarIds: readonly string[] | null;
};

/** What the load step read for one request, keyed by account (sub) or calendar id. */
export type MemberFacts<F extends { readonly calendarId: string }> = {
  /** The account's calendars that are not deleted, in a stable order. */
  readonly calendarIdsByAccount: ReadonlyMap<string, readonly string[]>;
  readonly busyByCalendar: ReadonlyMap<string, readonly Interval[]>;
  /** Calendars that could not be read (a member using one is unavailable, never silently free). */
  readonly failedCalendars: ReadonlyMap<string, F>;
  /** rtseq's own holds and bookings per account. */
  readonly reservedByAccount: ReadonlyMap<string, readonly Interval[]>;
  readonly rulesByAccount: ReadonlyMap<string, readonly AccountRule[]>;
  /** Stored available periods meeting the window. */
  readonly periodsByAccount: ReadonlyMap<string, readonly Interval[]>;
  /** Accounts whose managed availability restricts them (SPEC 5.1). */
  readonly managedAccounts: ReadonlySet<string>;
};

export type BuiltGroups<F> = {
  /** Engine groups per step, in the order of the requested steps and groups. */
  readonly groups: Group[][];
  /** Every (member, failed calendar) pair once, in the order members are listed. */
  readonly failures: (F & { readonly sub: string })[];
};

function rulesFor(member: MemberRequest, rules: readonly AccountRule[]): AccountRule[] {
  const ids = member.availabilityRuleIds;
  return ids === null ? [...rules] : rules.filter((rule) => ids.includes(rule.ruleId));
}

/**
 * The calendars whose busy time counts for a member: `calendar_ids` when given; otherwise, for
 * managed availability, the calendars named by the applicable rules when they name any; else all.
 */
export function memberCalendarIds(
  member: MemberRequest,
  accountCalendarIds: readonly string[],
  accountRules: readonly AccountRule[],
): string[] {
  const given = member.calendarIds;
  if (given !== null) return accountCalendarIds.filter((id) => given.includes(id));
  if (member.managedAvailability) {
    const named = new Set(rulesFor(member, accountRules).flatMap((rule) => rule.calendarIds ?? []));
    if (named.size > 0) return accountCalendarIds.filter((id) => named.has(id));
  }
  return [...accountCalendarIds];
}

/**
 * open(m) over `window`: `null` (unrestricted), else the intervals a slot must lie in. Request-level
 * periods restrict; managed availability restricts to the union of the chosen rules' intervals and
 * the stored periods when the account is managed.
 */
export function memberOpenTime<F extends { readonly calendarId: string }>(
  member: MemberRequest,
  facts: MemberFacts<F>,
  window: Interval,
): Interval[] | null {
  let open: Interval[] | null =
    member.availablePeriods === null ? null : mergeIntervals(member.availablePeriods);
  if (!member.managedAvailability) return open;
  const rules = rulesFor(member, facts.rulesByAccount.get(member.sub) ?? []);
  const periods = facts.periodsByAccount.get(member.sub) ?? [];
  if (facts.managedAccounts.has(member.sub) || member.availabilityRuleIds !== null) {
    const managed = mergeIntervals([...expandWeeklyRules(rules, window), ...periods]);
    open = open === null ? managed : intersectIntervalSets(open, managed);
  }
  return open;
}

/**
 * The engine's groups for every requested step. A member with a failed calendar gets no open time
 * for this request, and the failure is reported once per (sub, calendar).
 */
export function buildGroups<F extends { readonly calendarId: string }>(
  requested: readonly (readonly GroupRequest[])[],
  facts: MemberFacts<F>,
  window: Interval,
): BuiltGroups<F> {
  const failures: (F & { readonly sub: string })[] = [];
  const reported = new Set<string>();
  const availability = (member: MemberRequest): MemberAvailability => {
    const calendarIds = memberCalendarIds(
      member,
      facts.calendarIdsByAccount.get(member.sub) ?? [],
      facts.rulesByAccount.get(member.sub) ?? [],
    );
    const failed = calendarIds.flatMap((id) => facts.failedCalendars.get(id) ?? []);
    if (failed.length > 0) {
      for (const failure of failed) {
        const key = `${member.sub}\u0000${failure.calendarId}`;
        if (reported.has(key)) continue;
        reported.add(key);
        failures.push({ ...failure, sub: member.sub });
      }
      return { sub: member.sub, busy: [], open: [] };
    }
    const busy = calendarIds.flatMap((id) => facts.busyByCalendar.get(id) ?? []);
    busy.push(...(facts.reservedByAccount.get(member.sub) ?? []));
    return { sub: member.sub, busy, open: memberOpenTime(member, facts, window) };
  };
  const groups = requested.map((stepGroups) =>
    stepGroups.map((group) => ({
      members: group.members.map(availability),
      required: group.required ?? group.members.length,
    })),
  );
  return { groups, failures };
}
