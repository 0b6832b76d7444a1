/**
 * From the members named in a request and the facts read for them to the engine's groups (SPEC 5.1):
 * busy(m) from the member's calendars and reservations, open(m) from request-level periods and
 * managed availability. Pure: app/availability/participants.ts does the reading, this decides what it means.
 */
import type { Problems } from '../errors.ts';
import { type Interval, intersectIntervalSets, mergeIntervals } from '../time/intervals.ts';
import {
  expandWeeklyRules,
  type RuleOccurrences,
  ruleOccurrencesIn,
  type WeeklyRule,
} from '../time/weekly-rules.ts';
import { type AvailabilityConstraint, type CountedEvent, prepareMemberLoad } from './constraints.ts';
import type { Group, MemberAvailability } from './types.ts';

export type MemberRequest = {
  readonly sub: string;
  /** Dotted path of the member in the request, for error messages. */
  readonly path: string;
  readonly calendarIds: readonly string[] | null;
  readonly availablePeriods: readonly Interval[] | null;
  readonly managedAvailability: boolean;
  readonly availabilityRuleIds: readonly string[] | null;
  /** Load limits (SPEC 5.1); absent when the request gave none. */
  readonly availabilityConstraints?: readonly AvailabilityConstraint[];
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
  /** Stored available periods meeting the window (ones outside it cannot contain a slot). */
  readonly periodsByAccount: ReadonlyMap<string, readonly Interval[]>;
  /**
   * What availability constraints count (SPEC 5.1), for accounts of members that carry any: the
   * application's own events by calendar (read for the window widened to whole periods), and the
   * account's live holds and bookings (`calendarId` null: they count whatever the calendars).
   */
  readonly countedByAccount?: ReadonlyMap<string, readonly CountedRow[]>;
  /**
   * Accounts with at least one availability rule or stored available period **anywhere in time**
   * (SPEC 5.1): only these are restricted by managed availability. Never derived from the window.
   */
  readonly managedAccounts: ReadonlySet<string>;
};

/** One event or reservation as constraints count it, with where it lives. */
export type CountedRow = CountedEvent & { readonly calendarId: string | null };

/**
 * The events that count for a member's constraints: its rows on the calendars that count for it,
 * plus every reservation of its account (SPEC 5.1: the application's own events and active holds).
 */
export function countedFor(rows: readonly CountedRow[], calendarIds: readonly string[]): CountedEvent[] {
  const calendars = new Set(calendarIds);
  return rows.filter((row) => row.calendarId === null || calendars.has(row.calendarId));
}

export type BuiltGroups<F> = {
  /** Engine groups per step, in the order of the requested steps and groups. */
  readonly groups: Group[][];
  /** Every (member, failed calendar) pair once, in the order members are listed. */
  readonly failures: (F & { readonly sub: string })[];
};

/**
 * SPEC 5.2: a `sub` listed twice in one group is a 422 `errors.duplicate_member`, reported at every
 * repeat's `sub` (the first listing is the valid one). Several groups may share a sub.
 */
export function checkDistinctMembers(groups: readonly GroupRequest[], problems: Problems): void {
  for (const group of groups) {
    const seen = new Set<string>();
    for (const member of group.members) {
      if (seen.has(member.sub)) {
        problems.add(
          `${member.path}.sub`,
          'errors.duplicate_member',
          `${member.sub} is already a member of ${group.path}`,
        );
      }
      seen.add(member.sub);
    }
  }
}

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
 * open(m) over `window` (SPEC 5.1): `null` (unrestricted), else the intervals a slot must lie in.
 * Request-level periods restrict (`[]`: never free). With `managed_availability`, an account that has
 * any rule or stored period at all is restricted to the union of its chosen rules' intervals
 * (`availability_rule_ids`: `null` all, `[]` none) and its stored periods; an account with neither
 * is unrestricted. Whether it is managed never depends on the window or the buffers.
 * `occurrences` expands the rules (a cache may answer: app/availability/rule-expansions.ts).
 */
export function memberOpenTime<F extends { readonly calendarId: string }>(
  member: MemberRequest,
  facts: MemberFacts<F>,
  window: Interval,
  occurrences: RuleOccurrences = ruleOccurrencesIn,
): Interval[] | null {
  const open = member.availablePeriods === null ? null : mergeIntervals(member.availablePeriods);
  if (!member.managedAvailability || !facts.managedAccounts.has(member.sub)) return open;
  const rules = rulesFor(member, facts.rulesByAccount.get(member.sub) ?? []);
  const periods = facts.periodsByAccount.get(member.sub) ?? [];
  const managed = mergeIntervals([...expandWeeklyRules(rules, window, occurrences), ...periods]);
  return open === null ? managed : intersectIntervalSets(open, managed);
}

/**
 * Members with equal keys have the same availability. The usual member names only a sub, and its
 * key is the sub itself (no serialising for the thousands of mentions of a large request); any
 * other is serialised whole after a NUL, which no sub contains (the wire refuses it).
 */
export function memberKey(member: MemberRequest): string {
  const plain =
    member.calendarIds === null &&
    member.availablePeriods === null &&
    !member.managedAvailability &&
    member.availabilityRuleIds === null &&
    member.availabilityConstraints === undefined;
  if (plain) return member.sub;
  return `\u0000${JSON.stringify([
    member.sub,
    member.calendarIds,
    member.availablePeriods,
    member.managedAvailability,
    member.availabilityRuleIds,
    member.availabilityConstraints ?? null,
  ])}`;
}

/**
 * The engine's groups for every requested step. A member with a failed calendar gets no open time
 * for this request, and the failure is reported once per (sub, calendar). `occurrences` expands
 * availability rules (see memberOpenTime).
 */
export function buildGroups<F extends { readonly calendarId: string }>(
  requested: readonly (readonly GroupRequest[])[],
  facts: MemberFacts<F>,
  window: Interval,
  occurrences: RuleOccurrences = ruleOccurrencesIn,
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
    const open = memberOpenTime(member, facts, window, occurrences);
    const constraints = member.availabilityConstraints;
    if (constraints === undefined || constraints.length === 0) return { sub: member.sub, busy, open };
    const counted = countedFor(facts.countedByAccount?.get(member.sub) ?? [], calendarIds);
    return { sub: member.sub, busy, open, load: prepareMemberLoad(constraints, counted, window) };
  };
  // A member named the same way in many groups and steps is built once and shared: the engine's
  // caches (and the compute pool's transfer) then see one member, not one per mention.
  const built = new Map<string, MemberAvailability>();
  const shared = (member: MemberRequest): MemberAvailability => {
    const key = memberKey(member);
    let result = built.get(key);
    if (result === undefined) {
      result = availability(member);
      built.set(key, result);
    }
    return result;
  };
  const groups = requested.map((stepGroups) =>
    stepGroups.map((group) => ({
      members: group.members.map(shared),
      required: group.required ?? group.members.length,
    })),
  );
  return { groups, failures };
}
