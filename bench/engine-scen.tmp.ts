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
};

/**
 * Busy time like real calendars: 5-60 minute events on a 5-minute grid, shuffled (not sorted);
 * about half of a group's events are shared team meetings, so "all of them" groups still meet.
 */
export function scenario(shape: Shape, seed: number): SequenceQuery {
  const random = prng(seed);
  const span = shape.days * DAY_MS;
  const event = (): Interval => {
    const start = START + Math.floor((random() * span) / (5 * MINUTE)) * 5 * MINUTE;
    return { start, end: start + (1 + Math.floor(random() * 12)) * 5 * MINUTE };
  };
  let memberCount = 0;
  const steps: SequenceStep[] = [];
  for (let s = 0; s < shape.steps; s++) {
    const groups: Group[] = shape.groups.map((g) => {
      const shared = Array.from({ length: Math.floor(shape.busyPerMember / 2) }, event);
      const members: MemberAvailability[] = Array.from({ length: g.size }, () => {
        const busy = [...shared, ...Array.from({ length: shape.busyPerMember - shared.length }, event)];
        for (let i = busy.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [busy[i], busy[j]] = [busy[j]!, busy[i]!];
        }
        return { sub: `acc_${memberCount++}`, busy, open: null };
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
      durationMs: [60, 30, 45, 60][s % 4]! * MINUTE,
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function time(run: () => unknown, iterations: number): { p50: number; p99: number; result: unknown } {
  let result: unknown;
  for (let i = 0; i < Math.min(5, iterations); i++) result = run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    result = run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), result };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

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
};

