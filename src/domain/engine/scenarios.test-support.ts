/** fast-check generators of small, nasty engine scenarios (shared by the property tests). */
import fc from 'fast-check';
import type { Interval } from '../time/intervals.ts';
import type {
  AvailabilityQuery,
  GapBound,
  Group,
  MemberAvailability,
  ResponseFormat,
  SequenceQuery,
  SequenceStep,
} from './types.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Zones with DST transitions, :30/:45 offsets and a 30-minute DST shift, each near a tricky day. */
export const ANCHORS: readonly { zone: string; base: number }[] = [
  { zone: 'UTC', base: Date.UTC(2026, 5, 10, 0) },
  { zone: 'Europe/London', base: Date.UTC(2026, 2, 28, 20) }, // spring forward 2026-03-29 01:00Z
  { zone: 'Europe/London', base: Date.UTC(2026, 9, 24, 20) }, // fall back 2026-10-25 01:00Z
  { zone: 'America/New_York', base: Date.UTC(2026, 2, 8, 2) }, // spring forward 2026-03-08 07:00Z
  { zone: 'America/New_York', base: Date.UTC(2026, 10, 1, 2) }, // fall back 2026-11-01 06:00Z
  { zone: 'Asia/Kolkata', base: Date.UTC(2026, 5, 10, 0) },
  { zone: 'Asia/Kathmandu', base: Date.UTC(2026, 5, 10, 0) },
  { zone: 'Australia/Lord_Howe', base: Date.UTC(2026, 3, 4, 10) }, // 30-min fall back 2026-04-04 15:00Z (local 2026-04-05 02:00)
  { zone: 'Australia/Lord_Howe', base: Date.UTC(2026, 9, 3, 10) }, // 30-min spring forward 2026-10-03 15:30Z
  { zone: 'America/New_York', base: Date.UTC(2027, 2, 14, 2) }, // spring forward 2027-03-14 07:00Z
];

const SUBS = ['ann', 'bob', 'cat', 'dan', 'eve'];

/** `arb` with probability 1/`oneIn`, otherwise `null`. */
function sometimes<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: arb, weight: 1 }, { arbitrary: fc.constant(null), weight: oneIn - 1 });
}

/** An interval on a 5-minute grid within `[0, horizonMinutes)` after `base`; sometimes empty. */
function gridInterval(
  base: number,
  horizonMinutes: number,
  maxLengthMinutes: number,
): fc.Arbitrary<Interval> {
  return fc
    .record({
      at: fc.integer({ min: 0, max: Math.floor(horizonMinutes / 5) }),
      length: fc.integer({ min: 0, max: Math.floor(maxLengthMinutes / 5) }),
    })
    .map(({ at, length }) => ({ start: base + at * 5 * MINUTE, end: base + (at + length) * 5 * MINUTE }));
}

type World = { base: number; zone: string; horizonMinutes: number; busyBySub: Map<string, Interval[]> };

function worldArb(horizonMinutes: number, maxBusy: number, maxBusyMinutes: number): fc.Arbitrary<World> {
  return fc.constantFrom(...ANCHORS).chain(({ zone, base }) =>
    fc
      .array(fc.array(gridInterval(base, horizonMinutes, maxBusyMinutes), { maxLength: maxBusy }), {
        minLength: SUBS.length,
        maxLength: SUBS.length,
      })
      .map((busy) => ({
        base,
        zone,
        horizonMinutes,
        busyBySub: new Map(SUBS.map((sub, k) => [sub, busy[k]!])),
      })),
  );
}

function memberArb(world: World, openFreq: number): fc.Arbitrary<MemberAvailability> {
  return fc
    .record({
      sub: fc.constantFrom(...SUBS),
      open: sometimes(
        fc.array(gridInterval(world.base, world.horizonMinutes, 900), { minLength: 1, maxLength: 3 }),
        openFreq,
      ),
    })
    .map(({ sub, open }) => ({ sub, busy: world.busyBySub.get(sub)!, open }));
}

function groupsArb(
  world: World,
  maxGroups: number,
  maxMembers: number,
  openFreq: number,
): fc.Arbitrary<Group[]> {
  return fc.array(
    fc
      .array(memberArb(world, openFreq), { minLength: 1, maxLength: maxMembers })
      .chain((members) =>
        fc
          .oneof(fc.constant(1), fc.constant(members.length), fc.integer({ min: 1, max: members.length }))
          .map((required) => ({ members, required })),
      ),
    { minLength: 1, maxLength: maxGroups },
  );
}

/** Query periods: a few random ones plus, sometimes, two that touch (they must merge). */
function queryPeriodsArb(world: World, maxLengthMinutes: number): fc.Arbitrary<Interval[]> {
  return fc
    .tuple(
      fc.array(gridInterval(world.base, world.horizonMinutes, maxLengthMinutes), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.boolean(),
    )
    .map(([periods, touch]) => {
      const first = periods[0]!;
      return touch ? [...periods, { start: first.end, end: first.end + 2 * HOUR }] : periods;
    });
}

function nowArb(world: World): fc.Arbitrary<number> {
  return fc
    .tuple(
      fc.oneof(fc.constant(-60), fc.integer({ min: -60, max: world.horizonMinutes })),
      fc.integer({ min: 0, max: 59 }),
      fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 })),
    )
    .map(([minutes, seconds, ms]) => world.base + minutes * MINUTE + seconds * 1000 + ms);
}

const minutesArb = (values: number[]) => fc.constantFrom(...values).map((m) => m * MINUTE);

export function availabilityQueryArb(): fc.Arbitrary<AvailabilityQuery> {
  return worldArb(36 * 60, 5, 180).chain((world) =>
    fc.record({
      groups: groupsArb(world, 2, 3, 3),
      durationMs: minutesArb([5, 15, 30, 45, 60, 90]),
      startIntervalMinutes: fc.oneof(fc.constant(null), fc.constantFrom(1, 7, 15, 30, 45, 60)),
      alignmentZone: fc.constant(world.zone),
      queryPeriods: queryPeriodsArb(world, 600),
      now: nowArb(world),
      minimumNoticeMs: minutesArb([0, 0, 17, 60]),
      bufferBeforeMs: minutesArb([0, 0, 10, 30]),
      bufferAfterMs: minutesArb([0, 0, 5, 30]),
      format: fc.constantFrom<ResponseFormat>('periods', 'slots', 'overlapping_slots'),
      maxResults: fc.constantFrom(1, 3, 512, 512),
    }),
  );
}

function gapArb(): fc.Arbitrary<GapBound> {
  return fc
    .record({
      minMs: minutesArb([0, 0, 0, 10, 30]),
      extra: fc.oneof(fc.constant(null), minutesArb([0, 15, 60, 240])),
    })
    .map(({ minMs, extra }) => ({ minMs, maxMs: extra === null ? null : minMs + extra }));
}

/**
 * `ties` makes equal end times common (equal durations and intervals, short windows, shared
 * ordinals), so the canonical tie-breaks on running order and later starts are exercised.
 */
export function sequenceQueryArb(variant: 'general' | 'ties' = 'general'): fc.Arbitrary<SequenceQuery> {
  const ties = variant === 'ties';
  return worldArb(ties ? 8 * 60 : 30 * 60, 3, 90).chain((world) =>
    fc
      .record({
        stepCount: fc.integer({ min: ties ? 3 : 1, max: 4 }),
        ordinals: ties
          ? fc.constantFrom('shared', 'random')
          : fc.constantFrom('none', 'distinct', 'shared', 'random'),
      })
      .chain(({ stepCount, ordinals }) =>
        fc.record({
          steps: fc.tuple(
            ...Array.from(
              { length: stepCount },
              (_, index) =>
                fc.record({
                  index: fc.constant(index),
                  ordinal:
                    ordinals === 'none'
                      ? fc.constant(null)
                      : ordinals === 'distinct'
                        ? fc.constant(index + 1)
                        : ordinals === 'shared'
                          ? fc.constant(1)
                          : fc.integer({ min: 1, max: ties ? 2 : 3 }),
                  groups: groupsArb(world, 2, 3, 6),
                  durationMs: ties ? fc.constant(30 * MINUTE) : minutesArb([15, 30, 45, 60, 90]),
                  startIntervalMinutes: ties ? fc.constant(30) : fc.constantFrom(20, 30, 45, 60, 90),
                  before: ties ? fc.constant({ minMs: 0, maxMs: null }) : gapArb(),
                  after: ties
                    ? fc.constantFrom({ minMs: 0, maxMs: null }, { minMs: 0, maxMs: 30 * MINUTE })
                    : gapArb(),
                  stepPeriods: sometimes(
                    fc.array(gridInterval(world.base, world.horizonMinutes, 900), { maxLength: 2 }),
                    4,
                  ),
                }) as fc.Arbitrary<SequenceStep>,
            ),
          ),
          queryPeriods: queryPeriodsArb(world, ties ? 300 : 540),
          alignmentZone: fc.constant(world.zone),
          now: nowArb(world),
          minimumNoticeMs: minutesArb([0, 0, 45]),
          maxResults: fc.constantFrom(1, 4, 256, 256),
        }),
      ),
  );
}
