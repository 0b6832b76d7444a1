/**
 * fast-check generators for managed availability (SPEC 5.1): accounts with weekly rules in zones with
 * DST (gap and overlap days, a 30-minute change, a :30 zone), stored periods inside and far outside
 * the query window, and accounts with nothing configured; groups that share subs (never twice in one
 * group, SPEC 5.2). Shared by the property tests.
 */
import fc from 'fast-check';
import type { Interval } from '../time/intervals.ts';
import type { RawAccount, RawMember, RawRule } from './managed-reference.test-support.ts';
import type { ResponseFormat } from './types.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Days with a gap or an overlap (and two without), each with the zone it is tricky in. */
export const MANAGED_ANCHORS: readonly { zone: string; base: number }[] = [
  { zone: 'America/New_York', base: Date.UTC(2027, 2, 13, 20) }, // spring forward 2027-03-14 07:00Z
  { zone: 'America/New_York', base: Date.UTC(2026, 10, 1, 0) }, // fall back 2026-11-01 06:00Z
  { zone: 'Europe/London', base: Date.UTC(2026, 2, 28, 20) }, // spring forward 2026-03-29 01:00Z
  { zone: 'Europe/London', base: Date.UTC(2026, 9, 24, 20) }, // fall back 2026-10-25 01:00Z
  { zone: 'Australia/Lord_Howe', base: Date.UTC(2026, 9, 3, 6) }, // +30 min 2026-10-03 15:30Z
  { zone: 'Australia/Lord_Howe', base: Date.UTC(2026, 3, 4, 6) }, // -30 min 2026-04-04 15:00Z
  { zone: 'Asia/Kolkata', base: Date.UTC(2026, 5, 10, 0) },
  { zone: 'UTC', base: Date.UTC(2027, 0, 13, 0) },
];
const RULE_ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
export const MANAGED_SUBS = ['ann', 'bob', 'cat', 'dan'];
const HORIZON_MINUTES = 30 * 60;

const weekdayFormatters = new Map<string, Intl.DateTimeFormat>();
function weekdayAt(zone: string, instant: number): string {
  let formatter = weekdayFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'long' });
    weekdayFormatters.set(zone, formatter);
  }
  return formatter.format(instant).toLowerCase();
}

const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** A weekly period on a day the horizon touches (mostly), often starting or ending near 01:00-03:00. */
function weeklyPeriodArb(zone: string, base: number) {
  const nearby = [0, 1, 2].map((k) => weekdayAt(zone, base + k * DAY));
  return fc
    .record({
      day: fc.oneof(
        { arbitrary: fc.constantFrom(...nearby), weight: 4 },
        { arbitrary: fc.constantFrom('sunday', 'monday', 'wednesday', 'saturday'), weight: 1 },
      ),
      start: fc.oneof(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 95 })),
      length: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 8, max: 72 })),
    })
    .map(({ day, start, length }) => ({
      day,
      startTime: clock(start * 15),
      endTime: clock(Math.min(1440, (start + length) * 15)),
    }));
}

function ruleArb(ruleId: string, anchorZone: string, base: number): fc.Arbitrary<RawRule> {
  return fc
    .oneof(
      { arbitrary: fc.constant(anchorZone), weight: 3 },
      { arbitrary: fc.constantFrom(...RULE_ZONES), weight: 1 },
    )
    .chain((tzid) =>
      fc
        .array(weeklyPeriodArb(tzid, base), { minLength: 1, maxLength: 3 })
        .map((weeklyPeriods) => ({ ruleId, tzid, calendarIds: null, weeklyPeriods })),
    );
}

/** On the 5-minute grid, inside the horizon or days away from it (before or after). */
function storedPeriodArb(base: number): fc.Arbitrary<Interval> {
  return fc
    .record({
      offsetDays: fc.constantFrom(0, 0, 0, -3, 4),
      at: fc.integer({ min: 0, max: HORIZON_MINUTES / 5 }),
      length: fc.integer({ min: 1, max: 60 }),
    })
    .map(({ offsetDays, at, length }) => {
      const start = base + offsetDays * DAY + at * 5 * MINUTE;
      return { start, end: start + length * 5 * MINUTE };
    });
}

function accountArb(zone: string, base: number): fc.Arbitrary<RawAccount> {
  const rules = fc.oneof(
    { arbitrary: fc.constant([] as RawRule[]), weight: 2 },
    { arbitrary: fc.tuple(ruleArb('r0', zone, base)), weight: 2 },
    { arbitrary: fc.tuple(ruleArb('r0', zone, base), ruleArb('r1', zone, base)), weight: 1 },
  );
  const periods = fc.oneof(
    { arbitrary: fc.constant([] as Interval[]), weight: 2 },
    { arbitrary: fc.array(storedPeriodArb(base), { minLength: 1, maxLength: 3 }), weight: 1 },
  );
  return fc.record({ rules, storedPeriods: periods });
}

function gridInterval(base: number, maxLengthMinutes: number): fc.Arbitrary<Interval> {
  return fc
    .record({
      at: fc.integer({ min: 0, max: HORIZON_MINUTES / 5 }),
      length: fc.integer({ min: 0, max: maxLengthMinutes / 5 }),
    })
    .map(({ at, length }) => ({ start: base + at * 5 * MINUTE, end: base + (at + length) * 5 * MINUTE }));
}

export type ManagedWorld = {
  readonly zone: string;
  readonly base: number;
  readonly accounts: ReadonlyMap<string, RawAccount>;
  readonly busy: ReadonlyMap<string, readonly Interval[]>;
};

export function managedWorldArb(): fc.Arbitrary<ManagedWorld> {
  return fc.constantFrom(...MANAGED_ANCHORS).chain(({ zone, base }) =>
    fc
      .record({
        accounts: fc.tuple(...MANAGED_SUBS.map(() => accountArb(zone, base))),
        busy: fc.tuple(...MANAGED_SUBS.map(() => fc.array(gridInterval(base, 120), { maxLength: 3 }))),
      })
      .map(({ accounts, busy }) => ({
        zone,
        base,
        accounts: new Map(MANAGED_SUBS.map((sub, k) => [sub, accounts[k]!])),
        busy: new Map(MANAGED_SUBS.map((sub, k) => [sub, busy[k]!])),
      })),
  );
}

function rawMemberArb(world: ManagedWorld, sub: string): fc.Arbitrary<RawMember> {
  return fc
    .record({
      managed: fc.oneof(
        { arbitrary: fc.constant(true), weight: 4 },
        { arbitrary: fc.constant(false), weight: 1 },
      ),
      ruleIds: fc.oneof(
        { arbitrary: fc.constant(null), weight: 3 },
        { arbitrary: fc.subarray(['r0', 'r1', 'rx']), weight: 1 },
      ),
      requestPeriods: fc.oneof(
        { arbitrary: fc.constant(null), weight: 4 },
        { arbitrary: fc.array(gridInterval(world.base, 600), { maxLength: 2 }), weight: 1 },
      ),
    })
    .map((fields) => ({ sub, busy: world.busy.get(sub)!, ...fields }));
}

export type RawGroup = { readonly members: readonly RawMember[]; readonly required: number };

/** Groups whose members are distinct within a group; a sub may appear in several groups. */
export function rawGroupsArb(world: ManagedWorld, maxGroups: number): fc.Arbitrary<RawGroup[]> {
  return fc.array(
    fc
      .shuffledSubarray(MANAGED_SUBS, { minLength: 1, maxLength: 3 })
      .chain((subs) => fc.tuple(...subs.map((sub) => rawMemberArb(world, sub))))
      .chain((members) =>
        fc
          .oneof(
            { arbitrary: fc.constant(1), weight: 2 },
            { arbitrary: fc.integer({ min: 1, max: members.length }), weight: 1 },
          )
          .map((required) => ({ members, required })),
      ),
    { minLength: 1, maxLength: maxGroups },
  );
}

export type ManagedQuery = {
  readonly world: ManagedWorld;
  readonly groups: readonly RawGroup[];
  readonly durationMs: number;
  readonly startIntervalMinutes: number | null;
  readonly queryPeriods: readonly Interval[];
  readonly now: number;
  readonly minimumNoticeMs: number;
  readonly bufferBeforeMs: number;
  readonly bufferAfterMs: number;
  readonly format: ResponseFormat;
};

export function managedQueryArb(): fc.Arbitrary<ManagedQuery> {
  return managedWorldArb().chain((world) =>
    fc.record({
      world: fc.constant(world),
      groups: rawGroupsArb(world, 2),
      durationMs: fc.constantFrom(15, 30, 60).map((m) => m * MINUTE),
      startIntervalMinutes: fc.oneof(fc.constant(null), fc.constantFrom(15, 30, 60)),
      queryPeriods: fc.array(gridInterval(world.base, 900), { minLength: 1, maxLength: 2 }),
      now: fc.integer({ min: -60, max: HORIZON_MINUTES }).map((m) => world.base + m * MINUTE + 250),
      minimumNoticeMs: fc.constantFrom(0, 0, 30 * MINUTE),
      bufferBeforeMs: fc.constantFrom(0, 0, 30 * MINUTE, 120 * MINUTE),
      bufferAfterMs: fc.constantFrom(0, 0, 15 * MINUTE),
      format: fc.constantFrom<ResponseFormat>('periods', 'slots', 'overlapping_slots'),
    }),
  );
}
