import type { GapBound, Group, Interval, MemberAvailability, SequenceQuery, SequenceStep } from '../src/domain/engine/types.ts';
const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 10, 30);
/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Shape = {
  steps: number;
  groups: { size: number; required: 'all' | number }[];
  busyPerMember: number;
  days: number;
  intervalMinutes: number;
  maxGapMinutes: number | null;
  /** Events last 5 minutes to this many minutes. */
  eventMaxMinutes: number;
  durationsMinutes: number[];
};

/**
 * Busy time like real calendars: 5-60 minute events on a 5-minute grid; about half of a group's
 * events are shared team meetings (so "all of them" groups still meet). Each member's list is two
 * runs sorted by start (team calendar, then personal calendar), as per-calendar queries return
 * them, with the objects allocated in list order as a parser would. `shuffled` instead shuffles
 * every list (the engine's worst case for sorting and memory locality).
 */
export function scenario(shape: Shape, seed: number, shuffled = false): SequenceQuery {
  const random = prng(seed);
  const span = shape.days * DAY_MS;
  const event = (): Interval => {
    const start = START + Math.floor((random() * span) / (5 * MINUTE)) * 5 * MINUTE;
    return { start, end: start + (1 + Math.floor((random() * shape.eventMaxMinutes) / 5)) * 5 * MINUTE };
  };
  let memberCount = 0;
  const steps: SequenceStep[] = [];
  for (let s = 0; s < shape.steps; s++) {
    const groups: Group[] = shape.groups.map((g) => {
      // A group that must meet in full is a team: most of its meetings are shared.
      const sharedFraction = g.required === 'all' ? 0.8 : 0.5;
      const shared = Array.from({ length: Math.floor(shape.busyPerMember * sharedFraction) }, event);
      const members: MemberAvailability[] = Array.from({ length: g.size }, () => {
        const byStart = (a: Interval, b: Interval) => a.start - b.start;
        const personal = Array.from({ length: shape.busyPerMember - shared.length }, event).sort(byStart);
        const busy = [...[...shared].sort(byStart), ...personal];
        if (shuffled) {
          for (let i = busy.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [busy[i], busy[j]] = [busy[j]!, busy[i]!];
          }
        }
        return { sub: `acc_${memberCount++}`, busy: busy.map((b) => ({ start: b.start, end: b.end })), open: null };
      });
      return { members, required: g.required === 'all' ? g.size : g.required };
    });
    const gap = (min: number): GapBound => ({
      minMs: min * MINUTE,
      maxMs: shape.maxGapMinutes === null ? null : (min + shape.maxGapMinutes) * MINUTE,
    });
    steps.push({
      index: s,
      ordinal: s + 1,
      groups,
      durationMs: shape.durationsMinutes[s % shape.durationsMinutes.length]! * MINUTE,
      startIntervalMinutes: shape.intervalMinutes,
      before: gap(s % 2 === 0 ? 0 : 10),
      after: gap(s % 3 === 0 ? 15 : 0),
      stepPeriods: null,
    });
  }
  return {
    steps,
    queryPeriods: [{ start: START, end: START + span }],
    alignmentZone: 'America/New_York',
    now: START - DAY_MS,
    minimumNoticeMs: 0,
    maxResults: 512,
  };
}

export const M: Shape = {
  steps: 4,
  groups: [
    { size: 5, required: 'all' },
    { size: 5, required: 2 },
  ],
  busyPerMember: 500,
  days: 14,
  intervalMinutes: 15,
  maxGapMinutes: 120,
  eventMaxMinutes: 30,
  durationsMinutes: [30, 15, 30, 15],
};
export const L: Shape = {
  steps: 8,
  groups: [
    { size: 10, required: 3 },
    { size: 10, required: 2 },
  ],
  busyPerMember: 2000,
  days: 90,
  intervalMinutes: 5,
  maxGapMinutes: 120,
  eventMaxMinutes: 60,
  durationsMinutes: [60, 30, 45, 60],
};

