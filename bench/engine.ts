/**
 * Availability engine benchmark (docs/benchmarks.md). Deterministic inputs from a seeded
 * PRNG; prints Markdown. Run: `node bench/engine.ts` (add `--quick` for fewer iterations).
 */
import { cpus } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type AvailabilityConstraint, prepareMemberLoad } from '../src/domain/engine/constraints.ts';
import { referenceSequences } from '../src/domain/engine/reference.test-support.ts';
import { findSequences } from '../src/domain/engine/sequence.ts';
import type {
  GapBound,
  Group,
  MemberAvailability,
  SequenceQuery,
  SequenceStep,
} from '../src/domain/engine/types.ts';
import type { Interval } from '../src/domain/time/intervals.ts';
import { prng } from './prng.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 10, 30);
const quick = process.argv.includes('--quick');

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
function scenario(shape: Shape, seed: number, shuffled = false): SequenceQuery {
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
        return {
          sub: `acc_${memberCount++}`,
          busy: busy.map((b) => ({ start: b.start, end: b.end })),
          open: null,
        };
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

/**
 * One availability constraint per member (at most 4 a day in New York), counting about 1.5 of its
 * busy events a day as ones the application wrote (some days full, most not). The
 * loads are prepared here, as the build step does once per request; `prepareMs` is that cost.
 */
function constrained(query: SequenceQuery, days: number): { query: SequenceQuery; prepareMs: number } {
  const constraint: AvailabilityConstraint = {
    limit: 4,
    period: 'day',
    tzid: 'America/New_York',
    tags: null,
  };
  const window = query.queryPeriods[0]!;
  const every = (busy: number) => Math.max(1, Math.round(busy / days / 1.5));
  const started = performance.now();
  const steps = query.steps.map((step) => ({
    ...step,
    groups: step.groups.map((group) => ({
      required: group.required,
      members: group.members.map((member) => ({
        ...member,
        load: prepareMemberLoad(
          [constraint],
          member.busy
            .filter((_, i) => i % every(member.busy.length) === 0)
            .map((b) => ({ startMs: b.start, tags: [] })),
          window,
        ),
      })),
    })),
  }));
  return { query: { ...query, steps }, prepareMs: performance.now() - started };
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

const M: Shape = {
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
const L: Shape = {
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

console.log(
  `# Engine benchmark\n\nnode ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})\n`,
);
console.log(
  '| scenario | steps | members/step | busy/member | window | interval | options | p50 ms | p99 ms | target p50 |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const prepared: string[] = [];
for (const [name, shape, iterations, target, shuffled, limited] of [
  ['M', M, quick ? 30 : 200, '≤ 1.0 ms', false, false],
  ['L', L, quick ? 8 : 40, '≤ 25 ms', false, false],
  ['M, shuffled busy', M, quick ? 30 : 200, '', true, false],
  ['L, shuffled busy', L, quick ? 8 : 40, '', true, false],
  ['M, one constraint per member', M, quick ? 30 : 200, '', false, true],
  ['L, one constraint per member', L, quick ? 8 : 40, '≤ 1.3 × L', false, true],
] as const) {
  let query = scenario(shape, 42, shuffled);
  if (limited) {
    const made = constrained(query, shape.days);
    query = made.query;
    prepared.push(`${name.split(',')[0]}: ${fmt(made.prepareMs)} ms`);
  }
  const measured = time(() => findSequences(query), iterations);
  const members = shape.groups.reduce((n, g) => n + g.size, 0);
  console.log(
    `| ${name} | ${shape.steps} | ${members} | ${shape.busyPerMember} | ${shape.days} d | ${shape.intervalMinutes} min | ${(measured.result as unknown[]).length} | ${fmt(measured.p50)} | ${fmt(measured.p99)} | ${target} |`,
  );
}

{
  // Alternating runs in one process, so load from other processes hits both sides alike.
  const ratios: string[] = [];
  for (const [name, shape] of [
    ['M', M],
    ['L', L],
  ] as const) {
    const plain = scenario(shape, 42);
    const limited = constrained(plain, shape.days).query;
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < (quick ? 6 : 20); i++) {
      a.push(time(() => findSequences(plain), 1).p50);
      b.push(time(() => findSequences(limited), 1).p50);
    }
    a.sort((x, y) => x - y);
    b.sort((x, y) => x - y);
    const [pa, pb] = [percentile(a, 50), percentile(b, 50)];
    ratios.push(`${name} ${fmt(pa)} → ${fmt(pb)} ms (${(pb / pa).toFixed(2)}×)`);
  }
  console.log(`\nOne constraint per member, alternating runs (median): ${ratios.join('; ')}.`);
}

console.log(
  `\nPreparing the constraint loads of every member (once per request, outside the engine): ${prepared.join(', ')}.`,
);

{
  const query = scenario(L, 42);
  gc();
  const before = process.memoryUsage().heapUsed;
  const committedBefore = getHeapStatistics().total_heap_size;
  let peak = before;
  for (let i = 0; i < 3; i++) {
    findSequences(query);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const committedAfter = getHeapStatistics().total_heap_size;
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
  console.log(
    `\nL heap: peak used growth ${mb(peak - before)} MB (sampled after each run, no forced GC), committed heap growth ${mb(committedAfter - committedBefore)} MB, retained after GC ${mb(retained)} MB (target ≤ 100 MB).\n`,
  );
}

console.log(
  '## Scaling (busy events per member and window both scaled; M-like shape, 60-minute gap maximum)\n',
);
console.log(
  '| scale | busy/member | window | engine p50 ms | ratio to 1× | reference ms | reference / engine |',
);
console.log('|---|---|---|---|---|---|---|');
let base = 0;
for (const scale of [1, 4, 16]) {
  const shape: Shape = { ...M, busyPerMember: 60 * scale, days: 1.5 * scale, maxGapMinutes: 60 };
  const query = scenario(shape, 7);
  const engine = time(() => findSequences(query), quick ? 10 : 50);
  if (scale === 1) base = engine.p50;
  let reference = 'not run (too slow)';
  let speedup = '';
  if (scale <= 4) {
    const started = performance.now();
    const expected = referenceSequences(query);
    const referenceMs = performance.now() - started;
    const same = JSON.stringify(expected) === JSON.stringify(engine.result);
    reference = `${fmt(referenceMs)}${same ? '' : ' (DIFFERS!)'}`;
    speedup = `${Math.round(referenceMs / engine.p50)}×`;
  }
  console.log(
    `| ${scale}× | ${shape.busyPerMember} | ${shape.days} d | ${fmt(engine.p50)} | ${(engine.p50 / base).toFixed(1)} | ${reference} | ${speedup} |`,
  );
}
