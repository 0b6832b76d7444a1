/**
 * SPEC 5.7 read literally, for the property tests of explain.ts: minute cells for the minute
 * counts, every minute (and the notice bound) tried as the start of a free run, each rule of 5.7
 * written out as its own check. Shares no code with the engine; it leans on the brute-force engine
 * reference only for "are there slots". Inputs must lie on whole minutes (the notice bound may not).
 */
import type { Interval } from '../time/intervals.ts';
import {
  insideOne,
  referenceFitsConstraints,
  referenceIsFree,
  referenceMerge,
  referenceNoticeBound,
  referenceStarts,
} from './reference.test-support.ts';
import type { Group, MemberAvailability, SequenceQuery } from './types.ts';

const MINUTE = 60_000;

export type ReferenceReason = { code: string; subs: string[]; step: number | null };
export type ReferenceMember = {
  sub: string;
  step: number | null;
  openMinutes: number;
  freeMinutes: number;
  unavailable: boolean;
};

/** What the checks know besides the query: failed sources and full constraint periods, by sub. */
export type ReferenceFacts = {
  readonly unavailable: ReadonlySet<string>;
  readonly fullBySub: ReadonlyMap<string, readonly Interval[]>;
};

type Shape = {
  queryPeriods: readonly Interval[];
  stepPeriods: readonly Interval[] | null;
  bound: number;
  durationMs: number;
  before: number;
  after: number;
};

const touches = (set: readonly Interval[], start: number, end: number) =>
  set.some((i) => i.start < i.end && i.start < end && start < i.end);

function inWindow(shape: Shape, start: number, end: number): boolean {
  if (!insideOne(shape.queryPeriods, start, end)) return false;
  const step = shape.stepPeriods;
  return step === null || step.length === 0 || insideOne(step, start, end);
}

/** open_minutes, the open minutes outside full periods, free_minutes and whether a free run exists. */
export function referenceMemberFacts(member: MemberAvailability, full: readonly Interval[], shape: Shape) {
  const merged = referenceMerge(shape.queryPeriods);
  const from = merged[0]?.start ?? 0;
  const to = merged[merged.length - 1]?.end ?? 0;
  let open = 0;
  let unconstrained = 0;
  let free = 0;
  for (let t = from; t < to; t += MINUTE) {
    if (!inWindow(shape, t, t + MINUTE)) continue;
    if (member.open !== null && !insideOne(member.open, t, t + MINUTE)) continue;
    const part = Math.max(0, t + MINUTE - Math.max(t, shape.bound));
    open += part;
    // A cell lies in one constraint period (they start on whole minutes in every zone used).
    if (
      touches(full, t, t + MINUTE) ||
      !referenceFitsConstraints(member as Parameters<typeof referenceFitsConstraints>[0], [t])
    )
      continue;
    unconstrained += part;
    if (!touches(member.busy, t, t + MINUTE)) free += part;
  }
  const runStarts = [shape.bound];
  for (let t = from; t < to; t += MINUTE) runStarts.push(t);
  const hasRun = runStarts.some(
    (s) =>
      s >= shape.bound &&
      inWindow(shape, s, s + shape.durationMs) &&
      !full.some((f) => f.start <= s && s < f.end) &&
      // Also refuses a start in a full period of the member's own constraints (SPEC 5.1).
      referenceIsFree(member, s, s + shape.durationMs, shape.before, shape.after),
  );
  return {
    openMinutes: Math.floor(open / MINUTE),
    unconstrainedMinutes: Math.floor(unconstrained / MINUTE),
    freeMinutes: Math.floor(free / MINUTE),
    hasRun,
  };
}

/** SPEC 5.7 rule 2's list, first that applies. */
function firstCode(facts: ReturnType<typeof referenceMemberFacts>, unavailable: boolean): string | null {
  if (unavailable) return 'source_unavailable';
  if (facts.openMinutes === 0) return 'no_open_time';
  if (facts.unconstrainedMinutes === 0) return 'constraint_limit';
  if (facts.freeMinutes === 0) return 'fully_busy';
  if (!facts.hasRun) return 'too_short';
  return null;
}

type StepInput = { groups: readonly Group[]; shape: Shape; step: number | null };

/** Rule 2 for every step: the reasons (one per code and step, subs in listed order) and the members. */
function ruleTwo(steps: readonly StepInput[], facts: ReferenceFacts) {
  const byKey = new Map<string, ReferenceReason>();
  const members: ReferenceMember[] = [];
  for (const { groups, shape, step } of steps) {
    const named = new Set<string>();
    const listed = new Set<string>();
    for (const group of groups) {
      const rows = group.members.map((m) => ({
        m,
        f: referenceMemberFacts(m, facts.fullBySub.get(m.sub) ?? [], shape),
      }));
      for (const { m, f } of rows) {
        if (listed.has(m.sub)) continue;
        listed.add(m.sub);
        members.push({
          sub: m.sub,
          step,
          openMinutes: f.openMinutes,
          freeMinutes: f.freeMinutes,
          unavailable: facts.unavailable.has(m.sub),
        });
      }
      // Needed: every member of a group that requires all; in a k-of-n group with fewer than k
      // members having a run, the members without one.
      const needed =
        group.required === group.members.length
          ? rows
          : rows.filter((r) => r.f.hasRun).length < group.required
            ? rows.filter((r) => !r.f.hasRun)
            : [];
      for (const { m, f } of needed) {
        const code = firstCode(f, facts.unavailable.has(m.sub));
        if (code === null || named.has(m.sub)) continue;
        named.add(m.sub);
        const key = `${code}/${step}`;
        const reason = byKey.get(key) ?? { code, subs: [], step };
        reason.subs.push(m.sub);
        byKey.set(key, reason);
      }
    }
  }
  const order = ['source_unavailable', 'no_open_time', 'constraint_limit', 'fully_busy', 'too_short'];
  const reasons = [...byKey.values()].sort(
    (a, b) => order.indexOf(a.code) - order.indexOf(b.code) || (a.step ?? -1) - (b.step ?? -1),
  );
  return { reasons, members };
}

const subsOf = (groups: readonly Group[]) => [...new Set(groups.flatMap((g) => g.members.map((m) => m.sub)))];

/** The whole explanation of SPEC 5.7, given whether the answer has times. */
function explainSteps(
  steps: readonly StepInput[],
  queryPeriods: readonly Interval[],
  bound: number,
  hasTimes: boolean,
  facts: ReferenceFacts,
  stepHasSlots: (position: number) => boolean,
  sequence: boolean,
) {
  const { reasons, members } = ruleTwo(steps, facts);
  if (hasTimes) return { reasons: [] as ReferenceReason[], members };
  if (queryPeriods.every((p) => p.end <= bound)) {
    return { reasons: [{ code: 'in_the_past', subs: [], step: null }], members };
  }
  if (reasons.length > 0) return { reasons, members };
  const common: ReferenceReason[] = [];
  steps.forEach((s, position) => {
    if (!stepHasSlots(position))
      common.push({ code: 'no_common_time', subs: subsOf(s.groups), step: s.step });
  });
  if (common.length > 0 || !sequence) return { reasons: common, members };
  const all = [...new Set(steps.flatMap((s) => subsOf(s.groups)))];
  return { reasons: [{ code: 'sequence_gaps', subs: all, step: null }], members };
}

export function referenceExplainAvailability(
  query: {
    groups: readonly Group[];
    queryPeriods: readonly Interval[];
    now: number;
    minimumNoticeMs: number;
    durationMs: number;
    bufferBeforeMs: number;
    bufferAfterMs: number;
  },
  hasTimes: boolean,
  facts: ReferenceFacts,
) {
  const bound = referenceNoticeBound(query);
  const shape: Shape = {
    queryPeriods: query.queryPeriods,
    stepPeriods: null,
    bound,
    durationMs: query.durationMs,
    before: query.bufferBeforeMs,
    after: query.bufferAfterMs,
  };
  const steps = [{ groups: query.groups, shape, step: null }];
  // For a query, "no slot has every group satisfied" is what having no times means.
  return explainSteps(steps, query.queryPeriods, bound, hasTimes, facts, () => false, false);
}

export function referenceExplainSequences(query: SequenceQuery, hasTimes: boolean, facts: ReferenceFacts) {
  const bound = referenceNoticeBound(query);
  const sorted = [...query.steps].sort((a, b) => a.index - b.index);
  const steps = sorted.map((step) => ({
    groups: step.groups,
    step: step.index,
    shape: {
      queryPeriods: query.queryPeriods,
      stepPeriods: step.stepPeriods,
      bound,
      durationMs: step.durationMs,
      before: step.before.minMs,
      after: step.after.minMs,
    },
  }));
  const hasSlots = (position: number) => {
    const step = sorted[position]!;
    return (
      referenceStarts(
        step.groups,
        step.durationMs,
        step.startIntervalMinutes,
        query.alignmentZone,
        query.queryPeriods,
        step.stepPeriods,
        bound,
        step.before.minMs,
        step.after.minMs,
      ).length > 0
    );
  };
  return explainSteps(steps, query.queryPeriods, bound, hasTimes, facts, hasSlots, true);
}
