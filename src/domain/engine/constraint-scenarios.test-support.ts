/**
 * fast-check generators of availability constraints (SPEC 5.1) layered on the engine scenarios:
 * every sub gets 0 to 2 constraints in zones far from UTC or with DST changes, and events that
 * count (some outside the window but inside its periods). Members carry the prepared `load` for
 * the engine and the raw `constraints` and `counted` events for the reference, which judges
 * periods on its own (reference.test-support.ts).
 */
import fc from 'fast-check';
import type { Interval } from '../time/intervals.ts';
import {
  type AvailabilityConstraint,
  CONSTRAINT_PERIODS,
  type CountedEvent,
  prepareMemberLoad,
} from './constraints.ts';
import { availabilityQueryArb, sequenceQueryArb } from './scenarios.test-support.ts';
import type { AvailabilityQuery, Group, MemberAvailability, SequenceQuery } from './types.ts';

const MINUTE = 60_000;
const SUBS = ['ann', 'bob', 'cat', 'dan', 'eve'];
const ZONES = [
  'UTC',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Asia/Kolkata',
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
];
const TAGS = ['interview', 'screen'];

/** What the reference reads: the raw constraints and the events that count. */
export type ConstrainedMember = MemberAvailability & {
  readonly constraints?: readonly AvailabilityConstraint[];
  readonly counted?: readonly CountedEvent[];
};

type Loads = Map<
  string,
  { constraints: readonly AvailabilityConstraint[]; counted: readonly CountedEvent[] }
>;

const tagsArb = fc.subarray(TAGS);

function constraintArb(): fc.Arbitrary<AvailabilityConstraint> {
  return fc.record({
    limit: fc.integer({ min: 1, max: 3 }),
    period: fc.constantFrom(...CONSTRAINT_PERIODS),
    tzid: fc.constantFrom(...ZONES),
    tags: fc.oneof(fc.constant(null), fc.subarray(TAGS, { minLength: 1 })),
  });
}

/** Per sub: constraints (often none) and counted events within two days of the scenario's span. */
function loadsArb(span: Interval): fc.Arbitrary<Loads> {
  const from = span.start - 2 * 86_400_000;
  const minutes = Math.max(1, Math.floor((span.end - from) / MINUTE) + 2 * 1440);
  const eventArb = fc
    .record({ at: fc.integer({ min: 0, max: minutes }), tags: tagsArb })
    .map(({ at, tags }): CountedEvent => ({ startMs: from + at * MINUTE, tags }));
  return fc
    .array(
      fc.record({
        constraints: fc.oneof(
          { arbitrary: fc.constant([]), weight: 1 },
          { arbitrary: fc.array(constraintArb(), { minLength: 1, maxLength: 2 }), weight: 3 },
        ),
        counted: fc.array(eventArb, { maxLength: 6 }),
      }),
      { minLength: SUBS.length, maxLength: SUBS.length },
    )
    .map((list) => new Map(SUBS.map((sub, k) => [sub, list[k]!])));
}

function spanOf(periods: readonly Interval[]): Interval {
  const nonEmpty = periods.filter((p) => p.start < p.end);
  if (nonEmpty.length === 0) return { start: 0, end: 0 };
  return {
    start: Math.min(...nonEmpty.map((p) => p.start)),
    end: Math.max(...nonEmpty.map((p) => p.end)),
  };
}

function constrain(groups: readonly Group[], loads: Loads, window: Interval): Group[] {
  return groups.map((group) => ({
    required: group.required,
    members: group.members.map((member): ConstrainedMember => {
      const own = loads.get(member.sub);
      if (own === undefined || own.constraints.length === 0) return member;
      return {
        ...member,
        load: prepareMemberLoad(own.constraints, own.counted, window),
        constraints: own.constraints,
        counted: own.counted,
      };
    }),
  }));
}

export function constrainedAvailabilityArb(): fc.Arbitrary<AvailabilityQuery> {
  return availabilityQueryArb().chain((query) => {
    const window = spanOf(query.queryPeriods);
    return loadsArb(window).map((loads) => ({ ...query, groups: constrain(query.groups, loads, window) }));
  });
}

export function constrainedSequenceArb(): fc.Arbitrary<SequenceQuery> {
  return sequenceQueryArb().chain((query) => {
    const window = spanOf(query.queryPeriods);
    return loadsArb(window).map((loads) => ({
      ...query,
      steps: query.steps.map((step) => ({ ...step, groups: constrain(step.groups, loads, window) })),
    }));
  });
}
