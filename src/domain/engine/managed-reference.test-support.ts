/**
 * Brute-force reference for a member's open time under managed availability (SPEC 5.1), for the
 * property tests. Shares no code with the domain: wall times are found by scanning instants minute
 * by minute and reading each wall clock from `Intl`; a skipped wall time is read with the offset
 * seen just before the clock jumped over it; a repeated one is the earliest instant showing it.
 */
import type { Interval } from '../time/intervals.ts';
import type { MemberAvailability } from './types.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** A stored rule: `HH:MM` wall times in `tzid`, `endTime` up to `24:00`. */
export type RawRule = {
  readonly ruleId: string;
  readonly tzid: string;
  readonly calendarIds: null;
  readonly weeklyPeriods: readonly {
    readonly day: string;
    readonly startTime: string;
    readonly endTime: string;
  }[];
};

/** What an account has stored, all of it (in and out of any query's window). */
export type RawAccount = { readonly rules: readonly RawRule[]; readonly storedPeriods: readonly Interval[] };

/** A member as the request lists it, before anything is loaded. */
export type RawMember = {
  readonly sub: string;
  readonly busy: readonly Interval[];
  /** Member-level `available_periods`; `null` when absent. */
  readonly requestPeriods: readonly Interval[] | null;
  readonly managed: boolean;
  /** `availability_rule_ids`; `null` when absent. */
  readonly ruleIds: readonly string[] | null;
};

/**
 * The reference's member: besides `open` (the request-level periods), every set in `alsoInside`
 * must contain the slot in one of its intervals (reference.test-support.ts checks both).
 */
export type ReferenceMember = MemberAvailability & { readonly alsoInside: readonly (readonly Interval[])[] };

const formatters = new Map<string, Intl.DateTimeFormat>();
const localKeys = new Map<string, number>();

/** The wall clock of `zone` at `instant`, as the number `Date.UTC` gives for those fields. */
function localKey(zone: string, instant: number): number {
  const key = `${zone}@${instant}`;
  let value = localKeys.get(key);
  if (value === undefined) {
    let formatter = formatters.get(zone);
    if (formatter === undefined) {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
      formatters.set(zone, formatter);
    }
    const parts = formatter.formatToParts(instant);
    const get = (type: string) => Number(parts.find((part) => part.type === type)!.value);
    value = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
    localKeys.set(key, value);
  }
  return value;
}

const conversions = new Map<string, number>();

/** SPEC 5.1 by scanning: the instant of wall time `wall` (a `Date.UTC` number) in `zone`. */
export function referenceWallInstant(zone: string, wall: number): number {
  const key = `${zone}|${wall}`;
  const known = conversions.get(key);
  if (known !== undefined) return known;
  let found: number | undefined;
  // Every real offset lies within ±15 hours, so the instant is within this scan.
  for (let t = wall - 15 * HOUR; t <= wall + 15 * HOUR; t += MINUTE) {
    const local = localKey(zone, t);
    if (local === wall) {
      found = t;
      break;
    }
    if (local > wall) {
      // The clock jumped over `wall` between t - 1 minute and t: use the offset in force before.
      const previous = t - MINUTE;
      found = wall - (localKey(zone, previous) - previous);
      break;
    }
  }
  if (found === undefined) throw new Error(`no instant for ${new Date(wall).toISOString()} in ${zone}`);
  conversions.set(key, found);
  return found;
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/** Every occurrence of `rules` on local dates from `from - 2 days` to `to + 2 days`. */
export function referenceRuleIntervals(rules: readonly RawRule[], from: number, to: number): Interval[] {
  const out: Interval[] = [];
  for (const rule of rules) {
    for (let date = Math.floor(from / DAY) * DAY - 2 * DAY; date <= to + 2 * DAY; date += DAY) {
      const weekday = WEEKDAYS[new Date(date).getUTCDay()];
      for (const period of rule.weeklyPeriods) {
        if (period.day !== weekday) continue;
        const start = referenceWallInstant(rule.tzid, date + minutesOf(period.startTime) * MINUTE);
        const end = referenceWallInstant(rule.tzid, date + minutesOf(period.endTime) * MINUTE);
        if (start < end) out.push({ start, end });
      }
    }
  }
  return out;
}

/**
 * The reference member for a raw one: `open` is the request-level periods; when managed and the
 * account has any rule or stored period at all, the slot must also lie in one interval of the
 * union of the chosen rules' occurrences and every stored period. `from`/`to` bound the slots.
 */
export function referenceMember(
  member: RawMember,
  account: RawAccount,
  from: number,
  to: number,
): ReferenceMember {
  const base = { sub: member.sub, busy: member.busy, open: member.requestPeriods };
  const configured = account.rules.length > 0 || account.storedPeriods.length > 0;
  if (!member.managed || !configured) return { ...base, alsoInside: [] };
  const ids = member.ruleIds;
  const rules = account.rules.filter((rule) => ids === null || ids.includes(rule.ruleId));
  const managed = [...referenceRuleIntervals(rules, from, to), ...account.storedPeriods];
  return { ...base, alsoInside: [managed] };
}
