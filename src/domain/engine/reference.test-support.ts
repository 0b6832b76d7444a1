/**
 * A deliberately simple, slow reference for SPEC 5.1 to 5.5, used only by the property tests.
 * It shares no code with the engine: it walks every minute, reads each wall clock from `Intl`
 * directly, tests freeness literally from the definitions, and enumerates every running order and
 * every combination of starts. Inputs must lie on whole minutes for the periods format.
 */
import type { Interval } from '../time/intervals.ts';
import type {
  AvailabilityQuery,
  AvailableSlot,
  Group,
  MemberAvailability,
  ScheduledStep,
  SequenceOption,
  SequenceQuery,
  SequenceStep,
} from './types.ts';

const MINUTE = 60_000;

const wallClockMemo = new Map<string, { second: number; minuteOfDay: number }>();
const referenceFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(zone: string, instant: number): { second: number; minuteOfDay: number } {
  const key = `${zone}@${instant}`;
  let memo = wallClockMemo.get(key);
  if (memo === undefined) {
    let formatter = referenceFormatters.get(zone);
    if (formatter === undefined) {
      formatter = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
      referenceFormatters.set(zone, formatter);
    }
    const parts = formatter.formatToParts(instant);
    const get = (type: string) => Number(parts.find((part) => part.type === type)!.value);
    memo = { second: get('second'), minuteOfDay: get('hour') * 60 + get('minute') };
    wallClockMemo.set(key, memo);
  }
  return memo;
}

/** SPEC 5.3 alignment, read off the wall clock. */
export function referenceIsAligned(zone: string, interval: number, instant: number): boolean {
  if (instant % 1000 !== 0) return false;
  const wall = wallClock(zone, instant);
  return wall.second === 0 && wall.minuteOfDay % interval === 0;
}

/** Union of intervals by repeated absorption (quadratic and obviously right). */
export function referenceMerge(intervals: readonly Interval[]): Interval[] {
  let pieces = intervals.filter((i) => i.start < i.end).map((i) => ({ start: i.start, end: i.end }));
  let changed = true;
  while (changed) {
    changed = false;
    outer: for (let a = 0; a < pieces.length; a++) {
      for (let b = a + 1; b < pieces.length; b++) {
        const x = pieces[a]!;
        const y = pieces[b]!;
        if (x.start <= y.end && y.start <= x.end) {
          pieces[a] = { start: Math.min(x.start, y.start), end: Math.max(x.end, y.end) };
          pieces = pieces.filter((_, k) => k !== b);
          changed = true;
          break outer;
        }
      }
    }
  }
  return pieces.sort((a, b) => a.start - b.start);
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The constraint period of an instant as a key (SPEC 5.1): the local date, the local date of its
 * ISO week's Monday, or the local year and month, read off `Intl` directly.
 */
export function referencePeriodKey(period: string, zone: string, instant: number): string {
  let formatter = dateFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
    });
    dateFormatters.set(zone, formatter);
  }
  const parts = formatter.formatToParts(instant);
  const get = (type: string) => parts.find((part) => part.type === type)!.value;
  const year = Number(get('year'));
  const month = Number(get('month'));
  const day = Number(get('day'));
  if (period === 'month') return `${year}-${month}`;
  if (period === 'day') return `${year}-${month}-${day}`;
  const sinceMonday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday'));
  return new Date(Date.UTC(year, month - 1, day - sinceMonday)).toISOString().slice(0, 10);
}

type ReferenceConstraint = {
  readonly limit: number;
  readonly period: string;
  readonly tzid: string;
  readonly tags: readonly string[] | null;
};
type Loaded = {
  readonly constraints?: readonly ReferenceConstraint[];
  readonly counted?: readonly { readonly startMs: number; readonly tags: readonly string[] }[];
};

/**
 * SPEC 5.1 availability constraints, literally: for every constraint, the counted events starting
 * in the period of each of `starts` plus the starts in that period stay within the limit.
 */
export function referenceFitsConstraints(member: Loaded, starts: readonly number[]): boolean {
  for (const constraint of member.constraints ?? []) {
    const counts = (tags: readonly string[]) =>
      constraint.tags === null || constraint.tags.some((tag) => tags.includes(tag));
    for (const start of starts) {
      const key = referencePeriodKey(constraint.period, constraint.tzid, start);
      const inPeriod = (t: number) => referencePeriodKey(constraint.period, constraint.tzid, t) === key;
      const events = (member.counted ?? []).filter((e) => counts(e.tags) && inPeriod(e.startMs)).length;
      const slots = starts.filter(inPeriod).length;
      if (events + slots > constraint.limit) return false;
    }
  }
  return true;
}

export function insideOne(set: readonly Interval[], start: number, end: number): boolean {
  return referenceMerge(set).some((piece) => piece.start <= start && end <= piece.end);
}

function intersects(a: Interval, start: number, end: number): boolean {
  return a.start < a.end && start < end && a.start < end && start < a.end;
}

/**
 * SPEC 5.1: free for m. A member may carry `alsoInside` (managed-reference.test-support.ts): sets
 * that must each contain the slot in one interval, besides `open`.
 */
export function referenceIsFree(
  member: MemberAvailability & { readonly alsoInside?: readonly (readonly Interval[])[] },
  start: number,
  end: number,
  before: number,
  after: number,
): boolean {
  if (member.open !== null && !insideOne(member.open, start, end)) return false;
  if (member.alsoInside?.some((set) => !insideOne(set, start, end))) return false;
  if (!referenceFitsConstraints(member as Loaded, [start])) return false;
  return !member.busy.some((busy) => intersects(busy, start - before, end + after));
}

function insideWindow(
  queryPeriods: readonly Interval[],
  stepPeriods: readonly Interval[] | null,
  s: number,
  e: number,
) {
  if (!insideOne(queryPeriods, s, e)) return false;
  return stepPeriods === null || stepPeriods.length === 0 || insideOne(stepPeriods, s, e);
}

function allFree(groups: readonly Group[], s: number, e: number, before: number, after: number): string[] {
  const subs: string[] = [];
  for (const group of groups) {
    for (const member of group.members) {
      if (referenceIsFree(member, s, e, before, after) && !subs.includes(member.sub)) subs.push(member.sub);
    }
  }
  return subs;
}

function selected(
  groups: readonly Group[],
  s: number,
  e: number,
  before: number,
  after: number,
): string[] | null {
  const subs: string[] = [];
  for (const group of groups) {
    const free = group.members.filter((member) => referenceIsFree(member, s, e, before, after));
    if (free.length < group.required) return null;
    for (const member of free.slice(0, group.required)) if (!subs.includes(member.sub)) subs.push(member.sub);
  }
  return subs;
}

/** SPEC 5.3: `now + minimum_notice`, rounded up to the whole second. */
export function referenceNoticeBound(query: { now: number; minimumNoticeMs: number }): number {
  let bound = query.now + query.minimumNoticeMs;
  while (bound % 1000 !== 0) bound++;
  return bound;
}

function span(periods: readonly Interval[]): { from: number; to: number } {
  const merged = referenceMerge(periods);
  if (merged.length === 0) return { from: 0, to: 0 };
  return { from: merged[0]!.start, to: merged[merged.length - 1]!.end };
}

/** Every available start of a slot shape, minute by minute (SPEC 5.1 to 5.3). */
export function referenceStarts(
  groups: readonly Group[],
  durationMs: number,
  interval: number,
  zone: string,
  queryPeriods: readonly Interval[],
  stepPeriods: readonly Interval[] | null,
  notBefore: number,
  before: number,
  after: number,
): number[] {
  const { from, to } = span(queryPeriods);
  const out: number[] = [];
  for (let s = Math.ceil(from / MINUTE) * MINUTE; s < to; s += MINUTE) {
    if (s < notBefore || !referenceIsAligned(zone, interval, s)) continue;
    const e = s + durationMs;
    if (!insideWindow(queryPeriods, stepPeriods, s, e)) continue;
    if (selected(groups, s, e, before, after) === null) continue;
    out.push(s);
  }
  return out;
}

export function referenceAvailability(query: AvailabilityQuery): AvailableSlot[] {
  const notBefore = referenceNoticeBound(query);
  const before = query.bufferBeforeMs;
  const after = query.bufferAfterMs;
  if (query.format === 'periods') return referencePeriods(query).slice(0, query.maxResults);
  const interval = query.startIntervalMinutes ?? 15;
  const starts = referenceStarts(
    query.groups,
    query.durationMs,
    interval,
    query.alignmentZone,
    query.queryPeriods,
    null,
    notBefore,
    before,
    after,
  );
  const out: AvailableSlot[] = [];
  for (const s of starts) {
    const e = s + query.durationMs;
    if (query.format === 'slots' && out.length > 0 && s < out[out.length - 1]!.end) continue;
    out.push({ start: s, end: e, participants: allFree(query.groups, s, e, before, after) });
  }
  return out.slice(0, query.maxResults);
}

/**
 * Periods over one-minute cells: a cell is free for m when the cell alone is a free slot for m
 * (5.1 with the buffers), so a run of cells is a period that keeps the buffers from every counted
 * member's busy time. Runs with the same participants and every group satisfied form the periods.
 */
function referencePeriods(query: AvailabilityQuery): AvailableSlot[] {
  const notBefore = referenceNoticeBound(query);
  const { from, to } = span(query.queryPeriods);
  const runs: AvailableSlot[] = [];
  for (let t = from; t < to; t += MINUTE) {
    if (!insideOne(query.queryPeriods, t, t + MINUTE)) continue;
    const satisfied = query.groups.every(
      (group) =>
        group.members.filter((m) =>
          referenceIsFree(m, t, t + MINUTE, query.bufferBeforeMs, query.bufferAfterMs),
        ).length >= group.required,
    );
    if (!satisfied) continue;
    const participants = allFree(query.groups, t, t + MINUTE, query.bufferBeforeMs, query.bufferAfterMs);
    const last = runs[runs.length - 1];
    if (last !== undefined && last.end === t && last.participants.join() === participants.join()) {
      runs[runs.length - 1] = { ...last, end: t + MINUTE };
    } else {
      runs.push({ start: t, end: t + MINUTE, participants });
    }
  }
  const out: AvailableSlot[] = [];
  for (const run of runs) {
    let start = Math.max(run.start, notBefore);
    if (query.startIntervalMinutes !== null) {
      start = Math.ceil(start / MINUTE) * MINUTE;
      while (start < run.end && !referenceIsAligned(query.alignmentZone, query.startIntervalMinutes, start)) {
        start += MINUTE;
      }
    }
    if (run.end - start >= query.durationMs)
      out.push({ start, end: run.end, participants: run.participants });
  }
  return out;
}

/** Every running order allowed by SPEC 5.5, as lists of positions (steps sorted by index). */
export function referenceOrders(steps: readonly SequenceStep[]): number[][] {
  const positions = steps.map((_, p) => p);
  if (steps.some((step) => step.ordinal === null)) return [positions];
  const out: number[][] = [];
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      out.push(prefix);
      return;
    }
    for (const p of rest)
      permute(
        [...prefix, p],
        rest.filter((x) => x !== p),
      );
  };
  permute([], positions);
  return out.filter((order) =>
    order.every((p, k) => k === 0 || steps[order[k - 1]!]!.ordinal! <= steps[p]!.ordinal!),
  );
}

function gapAllowed(p: SequenceStep, q: SequenceStep, gap: number): boolean {
  const min = Math.max(p.after.minMs, q.before.minMs, 0);
  const maxes = [p.after.maxMs, q.before.maxMs].filter((x): x is number => x !== null);
  return gap >= min && (maxes.length === 0 || gap <= Math.min(...maxes));
}

export function referenceSequences(query: SequenceQuery): SequenceOption[] {
  const steps = [...query.steps].sort((a, b) => a.index - b.index);
  const notBefore = referenceNoticeBound(query);
  const starts = steps.map((step) =>
    referenceStarts(
      step.groups,
      step.durationMs,
      step.startIntervalMinutes,
      query.alignmentZone,
      query.queryPeriods,
      step.stepPeriods,
      notBefore,
      step.before.minMs,
      step.after.minMs,
    ),
  );
  type Candidate = { order: number[]; times: number[]; lastEnd: number };
  const best = new Map<number, Candidate>();
  const better = (a: Candidate, b: Candidate): boolean => {
    if (a.lastEnd !== b.lastEnd) return a.lastEnd < b.lastEnd;
    for (let k = 0; k < a.order.length; k++) if (a.order[k] !== b.order[k]) return a.order[k]! < b.order[k]!;
    for (let k = 1; k < a.times.length; k++) if (a.times[k] !== b.times[k]) return a.times[k]! < b.times[k]!;
    return false;
  };
  for (const order of referenceOrders(steps)) {
    const walk = (k: number, times: number[]): void => {
      if (k === order.length) {
        // Literal no-overlap check between every pair of steps.
        for (let a = 0; a < order.length; a++) {
          for (let b = a + 1; b < order.length; b++) {
            const ia = { start: times[a]!, end: times[a]! + steps[order[a]!]!.durationMs };
            if (intersects(ia, times[b]!, times[b]! + steps[order[b]!]!.durationMs)) return;
          }
        }
        const last = steps[order[order.length - 1]!]!;
        const candidate = { order, times: [...times], lastEnd: times[times.length - 1]! + last.durationMs };
        const current = best.get(times[0]!);
        if (current === undefined || better(candidate, current)) best.set(times[0]!, candidate);
        return;
      }
      const step = steps[order[k]!]!;
      for (const t of starts[order[k]!]!) {
        if (k > 0) {
          const previous = steps[order[k - 1]!]!;
          if (!gapAllowed(previous, step, t - (times[k - 1]! + previous.durationMs))) continue;
        }
        times.push(t);
        walk(k + 1, times);
        times.pop();
      }
    };
    walk(0, []);
  }
  return [...best.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, candidate]) => ({
      steps: candidate.order.map((position, k): ScheduledStep => {
        const step = steps[position]!;
        const start = candidate.times[k]!;
        const end = start + step.durationMs;
        return {
          index: step.index,
          start,
          end,
          participants: selected(step.groups, start, end, step.before.minMs, step.after.minMs)!,
        };
      }),
    }))
    .filter((option) => optionWithinConstraints(steps, option))
    .slice(0, query.maxResults);
}

/**
 * The canonical option of a start is kept only when every selected member, counting all the
 * option's slots it takes part in, stays within its constraints (docs/engine.md, interpretation 23:
 * no other option of that start is looked for).
 */
function optionWithinConstraints(steps: readonly SequenceStep[], option: SequenceOption): boolean {
  for (const scheduled of option.steps) {
    const step = steps.find((s) => s.index === scheduled.index)!;
    for (const sub of scheduled.participants) {
      const starts = option.steps.filter((o) => o.participants.includes(sub)).map((o) => o.start);
      const listing = step.groups.flatMap((g) => g.members).find((m) => m.sub === sub)!;
      if (!referenceFitsConstraints(listing as Loaded, starts)) return false;
    }
  }
  return true;
}
