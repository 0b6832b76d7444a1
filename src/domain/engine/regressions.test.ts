/**
 * The four wrong answers found by an independent brute-force check (issue 11), as named regression
 * tests at the domain level; test/http/availability-correctness.test.ts repeats them over HTTP.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Problems } from '../errors.ts';
import type { Interval } from '../time/intervals.ts';
import { findAvailability } from './availability.ts';
import { availabilityQuery, group, member } from './builders.test-support.ts';
import {
  type AccountRule,
  buildGroups,
  checkDistinctMembers,
  type GroupRequest,
  type MemberFacts,
  type MemberRequest,
} from './members.ts';
import { findSequences } from './sequence.ts';
import type { AvailabilityQuery, AvailableSlot } from './types.ts';

const MINUTE = 60_000;
const t = (iso: string) => Date.parse(iso);
const iv = (start: string, end: string): Interval => ({ start: t(start), end: t(end) });
const show = (slots: readonly AvailableSlot[]) =>
  slots.map((s) => `${new Date(s.start).toISOString()} ${new Date(s.end).toISOString()}`);

function managedMember(sub: string, overrides: Partial<MemberRequest> = {}): MemberRequest {
  return {
    sub,
    path: 'participants[0].members[0]',
    calendarIds: null,
    availablePeriods: null,
    managedAvailability: true,
    availabilityRuleIds: null,
    ...overrides,
  };
}

/**
 * What app/availability/participants.ts loads for one account: all of its rules, its stored periods meeting the
 * window, and whether it has any rule or period at all.
 */
function facts(
  sub: string,
  stored: { rules?: AccountRule[]; periods?: Interval[] },
  window: Interval,
): MemberFacts<{ calendarId: string }> {
  const rules = stored.rules ?? [];
  const periods = stored.periods ?? [];
  const inWindow = periods.filter((p) => p.end > window.start && p.start < window.end);
  return {
    calendarIdsByAccount: new Map([[sub, []]]),
    busyByCalendar: new Map(),
    failedCalendars: new Map(),
    reservedByAccount: new Map(),
    rulesByAccount: new Map([[sub, rules]]),
    periodsByAccount: new Map([[sub, inWindow]]),
    managedAccounts: new Set(rules.length > 0 || periods.length > 0 ? [sub] : []),
  };
}

/** The availability answer for one managed member, the window padded by the buffers as the app does. */
function answer(
  stored: { rules?: AccountRule[]; periods?: Interval[] },
  overrides: Partial<AvailabilityQuery> & { queryPeriods: Interval[] },
): AvailableSlot[] {
  const before = overrides.bufferBeforeMs ?? 0;
  const after = overrides.bufferAfterMs ?? 0;
  const starts = overrides.queryPeriods.map((p) => p.start);
  const ends = overrides.queryPeriods.map((p) => p.end);
  const window = { start: Math.min(...starts) - before - after, end: Math.max(...ends) + before + after };
  const requested: GroupRequest[] = [
    { path: 'participants[0]', members: [managedMember('x')], required: null },
  ];
  const built = buildGroups([requested], facts('x', stored, window), window);
  return findAvailability(availabilityQuery({ groups: built.groups[0]!, ...overrides }));
}

test('regression (issue 11.1): a managed member is restricted by a stored period outside the window', () => {
  const stored = { periods: [iv('2027-01-13T08:00:00Z', '2027-01-13T09:00:00Z')] };
  const query = {
    queryPeriods: [iv('2027-01-13T09:00:00Z', '2027-01-13T10:00:00Z')],
    durationMs: 30 * MINUTE,
    startIntervalMinutes: 30,
    format: 'slots' as const,
  };
  assert.deepEqual(answer(stored, query), []);
  assert.deepEqual(answer(stored, { ...query, bufferBeforeMs: 60 * MINUTE }), []);
  // The period on the next day: querying the first day alone, or both days, hides the first day.
  const nextDay = { periods: [iv('2027-01-14T08:00:00Z', '2027-01-14T09:00:00Z')] };
  assert.deepEqual(answer(nextDay, query), []);
  assert.deepEqual(
    show(answer(nextDay, { ...query, queryPeriods: [iv('2027-01-13T00:00:00Z', '2027-01-15T00:00:00Z')] })),
    [
      '2027-01-14T08:00:00.000Z 2027-01-14T08:30:00.000Z',
      '2027-01-14T08:30:00.000Z 2027-01-14T09:00:00.000Z',
    ],
  );
  // A rule far from the window restricts just the same; an account with nothing stored is free.
  const farRule: AccountRule = {
    ruleId: 'r',
    tzid: 'UTC',
    calendarIds: null,
    weeklyPeriods: [{ day: 'monday', startTime: '08:00', endTime: '09:00' }],
  };
  assert.deepEqual(answer({ rules: [farRule] }, query), []);
  assert.equal(answer({}, query).length, 2);
});

test('regression (issue 11.2): weekly rules across a spring-forward gap take the offset before it', () => {
  const sunday = (startTime: string, endTime: string): AccountRule => ({
    ruleId: 'sunday',
    tzid: 'America/New_York',
    calendarIds: null,
    weeklyPeriods: [{ day: 'sunday', startTime, endTime }],
  });
  const periods = (rule: AccountRule, from: string, to: string) =>
    show(answer({ rules: [rule] }, { queryPeriods: [iv(from, to)], durationMs: 30 * MINUTE }));
  assert.deepEqual(periods(sunday('02:00', '04:00'), '2027-03-14T05:00:00Z', '2027-03-14T09:00:00Z'), [
    '2027-03-14T07:00:00.000Z 2027-03-14T08:00:00.000Z',
  ]);
  assert.deepEqual(periods(sunday('01:30', '02:30'), '2027-03-14T04:00:00Z', '2027-03-14T10:00:00Z'), [
    '2027-03-14T06:30:00.000Z 2027-03-14T07:30:00.000Z',
  ]);
  // Fall back: a repeated wall time is its first occurrence (01:00 EDT = 05:00Z, 01:30 EDT = 05:30Z).
  assert.deepEqual(periods(sunday('01:00', '01:30'), '2027-11-07T00:00:00Z', '2027-11-07T12:00:00Z'), [
    '2027-11-07T05:00:00.000Z 2027-11-07T05:30:00.000Z',
  ]);
});

test('regression (issue 11.3): a sub twice in one group is refused; in two groups it is listed once', () => {
  const listing = (sub: string, path: string): MemberRequest => ({
    ...managedMember(sub, { path }),
    managedAvailability: false,
  });
  const problems = new Problems();
  checkDistinctMembers(
    [
      {
        path: 'participants[0]',
        members: [
          listing('a', 'participants[0].members[0]'),
          listing('a', 'participants[0].members[1]'),
          listing('b', 'participants[0].members[2]'),
        ],
        required: 2,
      },
      { path: 'participants[1]', members: [listing('a', 'participants[1].members[0]')], required: null },
    ],
    problems,
  );
  assert.deepEqual(
    problems.list.map((p) => [p.path, p.code]),
    [['participants[0].members[1].sub', 'errors.duplicate_member']],
  );

  const day = iv('2026-11-24T09:00:00Z', '2026-11-24T10:00:00Z');
  const a = member('a');
  const b = member('b');
  const groups = [group([b, a], 1), group([a, member('c')], 2)];
  const slots = findAvailability(
    availabilityQuery({ groups, queryPeriods: [day], format: 'slots', startIntervalMinutes: 60 }),
  );
  assert.deepEqual(
    slots.map((s) => s.participants),
    [['b', 'a', 'c']],
  );
  const options = findSequences({
    steps: [
      {
        index: 0,
        ordinal: null,
        groups,
        durationMs: 60 * MINUTE,
        startIntervalMinutes: 60,
        before: { minMs: 0, maxMs: null },
        after: { minMs: 0, maxMs: null },
        stepPeriods: null,
      },
    ],
    queryPeriods: [day],
    alignmentZone: 'UTC',
    now: 0,
    minimumNoticeMs: 0,
    maxResults: 10,
  });
  assert.deepEqual(
    options.map((o) => o.steps[0]!.participants),
    [['b', 'a', 'c']],
  );
});

test('regression (issue 11.4): minimum notice is rounded up to the whole second', () => {
  const now = t('2026-11-24T17:12:55.404Z');
  const periods = findAvailability(
    availabilityQuery({
      groups: [group([member('a')])],
      queryPeriods: [iv('2026-11-24T17:00:00Z', '2026-11-24T18:00:00Z')],
      durationMs: 15 * MINUTE,
      now,
    }),
  );
  assert.deepEqual(show(periods), ['2026-11-24T17:12:56.000Z 2026-11-24T18:00:00.000Z']);
  const withNotice = findAvailability(
    availabilityQuery({
      groups: [group([member('a')])],
      queryPeriods: [iv('2026-11-24T17:00:00Z', '2026-11-24T18:00:00Z')],
      durationMs: 15 * MINUTE,
      now,
      minimumNoticeMs: 10 * MINUTE,
    }),
  );
  assert.deepEqual(show(withNotice), ['2026-11-24T17:22:56.000Z 2026-11-24T18:00:00.000Z']);
});
