/**
 * Managed availability end to end in the domain against the brute-force references: members are
 * built by `buildGroups` from what the app would load (every rule, the stored periods meeting the
 * padded window, which accounts have anything at all), then run through the engine; the reference
 * expands rules by scanning wall clocks and checks every stored period, wherever it lies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Problems } from '../errors.ts';
import type { Interval } from '../time/intervals.ts';
import { findAvailability } from './availability.ts';
import { referenceMember } from './managed-reference.test-support.ts';
import { MANAGED_SUBS, type ManagedQuery, managedQueryArb } from './managed-scenarios.test-support.ts';
import { buildGroups, checkDistinctMembers, type GroupRequest, type MemberFacts } from './members.ts';
import { referenceAvailability, referenceSequences } from './reference.test-support.ts';
import { findSequences } from './sequence.ts';
import type { AvailabilityQuery, Group, SequenceQuery } from './types.ts';

const MINUTE = 60_000;

/** The app's busy-read window: the query periods' span padded by both buffers. */
function paddedWindow(q: ManagedQuery, paddingMs: number): Interval {
  const start = Math.min(...q.queryPeriods.map((p) => p.start));
  const end = Math.max(...q.queryPeriods.map((p) => p.end));
  return { start: start - paddingMs, end: end + paddingMs };
}

/** What app/availability/participants.ts reads for these accounts over `window`. */
function loaded(q: ManagedQuery, window: Interval): MemberFacts<{ calendarId: string }> {
  const accounts = [...q.world.accounts];
  return {
    calendarIdsByAccount: new Map(),
    busyByCalendar: new Map(),
    failedCalendars: new Map(),
    reservedByAccount: new Map(MANAGED_SUBS.map((sub) => [sub, q.world.busy.get(sub)!])),
    rulesByAccount: new Map(accounts.map(([sub, account]) => [sub, account.rules])),
    periodsByAccount: new Map(
      accounts.map(([sub, account]) => [
        sub,
        account.storedPeriods.filter((p) => p.end > window.start && p.start < window.end),
      ]),
    ),
    managedAccounts: new Set(
      accounts
        .filter(([, account]) => account.rules.length > 0 || account.storedPeriods.length > 0)
        .map(([sub]) => sub),
    ),
  };
}

function requests(q: ManagedQuery): GroupRequest[] {
  return q.groups.map((group, g) => ({
    path: `participants[${g}]`,
    required: group.required,
    members: group.members.map((m, k) => ({
      sub: m.sub,
      path: `participants[${g}].members[${k}]`,
      calendarIds: null,
      availablePeriods: m.requestPeriods,
      managedAvailability: m.managed,
      availabilityRuleIds: m.ruleIds,
    })),
  }));
}

function rotated<T>(list: readonly T[], k: number): T[] {
  return [...list.slice(k), ...list.slice(0, k)];
}

function referenceGroups(q: ManagedQuery): Group[] {
  const span = paddedWindow(q, 0);
  return q.groups.map((group) => ({
    required: group.required,
    members: group.members.map((m) => referenceMember(m, q.world.accounts.get(m.sub)!, span.start, span.end)),
  }));
}

function availabilityQuery(q: ManagedQuery, groups: readonly Group[]): AvailabilityQuery {
  return {
    groups,
    durationMs: q.durationMs,
    startIntervalMinutes: q.startIntervalMinutes,
    alignmentZone: q.world.zone,
    queryPeriods: q.queryPeriods,
    now: q.now,
    minimumNoticeMs: q.minimumNoticeMs,
    bufferBeforeMs: q.bufferBeforeMs,
    bufferAfterMs: q.bufferAfterMs,
    format: q.format,
    maxResults: 512,
  };
}

test('5.1 managed availability (rules across DST, stored periods in and out of the window, nothing configured) equals the reference', () => {
  fc.assert(
    fc.property(managedQueryArb(), (q) => {
      const window = paddedWindow(q, q.bufferBeforeMs + q.bufferAfterMs);
      const built = buildGroups([requests(q)], loaded(q, window), window);
      assert.deepEqual(
        findAvailability(availabilityQuery(q, built.groups[0]!)),
        referenceAvailability(availabilityQuery(q, referenceGroups(q))),
      );
    }),
    { numRuns: 600 },
  );
});

test('5.5 sequences of managed members (each step its own groups) equal the reference', () => {
  fc.assert(
    fc.property(managedQueryArb(), fc.integer({ min: 1, max: 2 }), (q, stepCount) => {
      const window = paddedWindow(q, q.bufferBeforeMs + q.bufferAfterMs);
      const steps = Array.from({ length: stepCount }, (_, index) => index);
      const sequence = (groupsOf: (index: number) => readonly Group[]): SequenceQuery => ({
        steps: steps.map((index) => ({
          index,
          ordinal: null,
          groups: groupsOf(index),
          durationMs: q.durationMs,
          startIntervalMinutes: q.startIntervalMinutes ?? 30,
          before: { minMs: q.bufferBeforeMs, maxMs: null },
          after: { minMs: q.bufferAfterMs, maxMs: index === 0 ? 180 * MINUTE : null },
          stepPeriods: null,
        })),
        queryPeriods: q.queryPeriods,
        alignmentZone: q.world.zone,
        now: q.now,
        minimumNoticeMs: q.minimumNoticeMs,
        maxResults: 256,
      });
      // Step k lists the groups rotated by k, so the same members meet in another order.
      const built = buildGroups(
        steps.map((k) => rotated(requests(q), k % q.groups.length)),
        loaded(q, window),
        window,
      );
      const reference = referenceGroups(q);
      assert.deepEqual(
        findSequences(sequence((k) => built.groups[k]!)),
        referenceSequences(sequence((k) => rotated(reference, k % q.groups.length))),
      );
    }),
    { numRuns: 150 },
  );
});

test('5.2 duplicate_member is reported for exactly the repeats within a group, never across groups', () => {
  const subs = ['a', 'b', 'c'];
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.constantFrom(...subs), { minLength: 1, maxLength: 4 }), {
        minLength: 1,
        maxLength: 3,
      }),
      (lists) => {
        const groups: GroupRequest[] = lists.map((list, g) => ({
          path: `participants[${g}]`,
          required: null,
          members: list.map((sub, k) => ({
            sub,
            path: `participants[${g}].members[${k}]`,
            calendarIds: null,
            availablePeriods: null,
            managedAvailability: false,
            availabilityRuleIds: null,
          })),
        }));
        const problems = new Problems();
        checkDistinctMembers(groups, problems);
        const expected = lists.flatMap((list, g) =>
          list.flatMap((sub, k) => (list.indexOf(sub) < k ? [`participants[${g}].members[${k}].sub`] : [])),
        );
        assert.deepEqual(
          problems.list.map((p) => p.path),
          expected,
        );
        assert.ok(problems.list.every((p) => p.code === 'errors.duplicate_member'));
      },
    ),
    { numRuns: 300 },
  );
});
