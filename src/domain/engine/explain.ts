/**
 * "Why are there no times?" (SPEC 5.7): the reasons and per-member minute counts of an availability
 * or sequence query, computed from the same facts as the answer. Pure, like the rest of the engine;
 * it runs beside the engine (in the same compute job) only when a request asks for it.
 * The definitions made where SPEC 5.7 is silent are in docs/engine.md ("Explanations").
 */
import {
  EMPTY_PACKED,
  expandPacked,
  findContainingPacked,
  type Interval,
  intersectPacked,
  type PackedIntervals,
  packIntervals,
  subtractPacked,
} from '../time/intervals.ts';
import { createEngineCache, type EngineCache, noticeBound, packCached, slotWindow } from './free-time.ts';
import { planSteps, sortedSteps } from './sequence.ts';
import type { AvailabilityQuery, Group, MemberAvailability, SequenceQuery } from './types.ts';

/** SPEC 5.7's codes, in the order the rules look for them (reasons are listed in this order). */
export const REASON_CODES = [
  'in_the_past',
  'source_unavailable',
  'no_open_time',
  'constraint_limit',
  'fully_busy',
  'too_short',
  'no_common_time',
  'sequence_gaps',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** An external calendar that could not be read for this request (its member then has no open time). */
export type UnavailableSource = { readonly calendarId: string; readonly reason: string };

export type ExplainFacts = {
  /** Members (by sub) whose external source failed for this request, with the first failure. */
  readonly unavailable: ReadonlyMap<string, UnavailableSource>;
  /**
   * A member's constraint periods that are already full (SPEC 5.1 availability constraints): no
   * slot of the member may start in them. Default: the member's prepared `load.full` (none without
   * constraints); tests hand periods in directly.
   */
  readonly fullPeriods?: (member: MemberAvailability) => readonly Interval[];
};

/** One reason: `step` is the step's position in the request array, null for a query-wide reason. */
export type ExplainedReason = {
  readonly code: ReasonCode;
  readonly subs: readonly string[];
  readonly step: number | null;
};

/** A member's minutes in one step (or the query): whole minutes, rounded down. */
export type MemberMinutes = {
  readonly sub: string;
  readonly step: number | null;
  readonly openMinutes: number;
  readonly freeMinutes: number;
  readonly unavailableSource: UnavailableSource | null;
};

export type Explanation = {
  /** Empty exactly when the answer has times. */
  readonly reasons: readonly ExplainedReason[];
  readonly members: readonly MemberMinutes[];
};

const MINUTE = 60_000;

/** One slot shape: where its slots may lie (query periods, step periods, after notice) and its size. */
type Shape = {
  readonly window: PackedIntervals;
  readonly durationMs: number;
  readonly beforeMs: number;
  readonly afterMs: number;
};

/** What SPEC 5.7 needs to know about one listing of a member. */
export type MemberFacts = {
  readonly openMinutes: number;
  /** Open minutes outside full constraint periods. */
  readonly unconstrainedMinutes: number;
  readonly freeMinutes: number;
  /** Some slot of the shape's duration, any start, is free for the member (5.1 with its buffers). */
  readonly hasRun: boolean;
};

function measure(set: PackedIntervals): number {
  let total = 0;
  for (let i = 0; i < set.length; i += 2) total += set[i + 1]! - set[i]!;
  return total;
}

const wholeMinutes = (ms: number): number => Math.floor(ms / MINUTE);

/** True when the closed range `[from, to]` lies inside one interval of `set` (merged, half-open). */
function coversClosed(set: PackedIntervals, from: number, to: number): boolean {
  const k = findContainingPacked(set, from);
  return k >= 0 && to < set[k + 1]!;
}

/**
 * The facts of SPEC 5.7 for one listing of a member in one shape. A free run is a start `s` not
 * in a full constraint period with `[s, s + duration)` inside one interval of the window ∩ open(m)
 * and clear of busy time grown by the buffers: exactly an unaligned slot that is free for m.
 */
export function memberFacts(
  member: MemberAvailability,
  shape: Shape,
  full: PackedIntervals,
  cache: EngineCache,
): MemberFacts {
  const open =
    member.open === null ? shape.window : intersectPacked(shape.window, packCached(member.open, cache));
  const busy = packCached(member.busy, cache);
  const unconstrained = subtractPacked(open, full);
  const free = subtractPacked(unconstrained, busy);
  const runs = subtractPacked(open, expandPacked(busy, shape.afterMs, shape.beforeMs));
  let hasRun = false;
  for (let i = 0; i < runs.length && !hasRun; i += 2) {
    const lastStart = runs[i + 1]! - shape.durationMs;
    if (lastStart >= runs[i]! && !coversClosed(full, runs[i]!, lastStart)) hasRun = true;
  }
  return {
    openMinutes: wholeMinutes(measure(open)),
    unconstrainedMinutes: wholeMinutes(measure(unconstrained)),
    freeMinutes: wholeMinutes(measure(free)),
    hasRun,
  };
}

/** The first SPEC 5.7 step-2 code that applies to a needed member, or null when it has a run. */
export function memberCode(facts: MemberFacts, unavailable: boolean): ReasonCode | null {
  if (unavailable) return 'source_unavailable';
  if (facts.openMinutes === 0) return 'no_open_time';
  if (facts.unconstrainedMinutes === 0) return 'constraint_limit';
  if (facts.freeMinutes === 0) return 'fully_busy';
  if (!facts.hasRun) return 'too_short';
  return null;
}

/** Collects reasons by (code, step), each sub once per step, and members once per step. */
class Collector {
  readonly #reasons = new Map<string, { code: ReasonCode; subs: string[]; step: number | null }>();
  readonly #named = new Set<string>();
  readonly members: MemberMinutes[] = [];
  readonly #listed = new Set<string>();

  add(code: ReasonCode, sub: string, step: number | null): void {
    const subKey = `${step}\u0000${sub}`;
    if (this.#named.has(subKey)) return;
    this.#named.add(subKey);
    const key = `${code}\u0000${step}`;
    const reason = this.#reasons.get(key);
    if (reason === undefined) this.#reasons.set(key, { code, subs: [sub], step });
    else reason.subs.push(sub);
  }

  member(entry: MemberMinutes): void {
    const key = `${entry.step}\u0000${entry.sub}`;
    if (this.#listed.has(key)) return;
    this.#listed.add(key);
    this.members.push(entry);
  }

  reasons(): ExplainedReason[] {
    const rank = (code: ReasonCode) => REASON_CODES.indexOf(code);
    return [...this.#reasons.values()].sort(
      (a, b) => rank(a.code) - rank(b.code) || (a.step ?? -1) - (b.step ?? -1),
    );
  }
}

/** SPEC 5.7 step 2 for one step's (or the query's) groups; true when it found a reason. */
function explainGroups(
  groups: readonly Group[],
  shape: Shape,
  step: number | null,
  facts: ExplainFacts,
  cache: EngineCache,
  out: Collector,
): boolean {
  let found = false;
  const fullCache = new Map<MemberAvailability, PackedIntervals>();
  const fullOf = (member: MemberAvailability): PackedIntervals => {
    let full = fullCache.get(member);
    if (full === undefined) {
      const given = facts.fullPeriods?.(member) ?? member.load?.full ?? [];
      full = given.length === 0 ? EMPTY_PACKED : packIntervals(given);
      fullCache.set(member, full);
    }
    return full;
  };
  for (const group of groups) {
    const analysed = group.members.map((member) => ({
      member,
      facts: memberFacts(member, shape, fullOf(member), cache),
    }));
    for (const { member, facts: counts } of analysed) {
      const source = facts.unavailable.get(member.sub) ?? null;
      out.member({
        sub: member.sub,
        step,
        openMinutes: counts.openMinutes,
        freeMinutes: counts.freeMinutes,
        unavailableSource: source,
      });
    }
    const all = group.required >= group.members.length;
    const withRun = analysed.filter((entry) => entry.facts.hasRun).length;
    if (!all && withRun >= group.required) continue;
    for (const { member, facts: counts } of analysed) {
      const code = memberCode(counts, facts.unavailable.has(member.sub));
      if (code === null) continue;
      out.add(code, member.sub, step);
      found = true;
    }
  }
  return found;
}

function distinctSubs(groups: readonly Group[]): string[] {
  return [...new Set(groups.flatMap((group) => group.members.map((member) => member.sub)))];
}

/** The window after the notice bound: no slot starts earlier (SPEC 5.3). */
function afterNotice(window: PackedIntervals, bound: number): PackedIntervals {
  return intersectPacked(window, Float64Array.of(bound, Number.POSITIVE_INFINITY));
}

/** SPEC 5.7 rule 1: every query period ends at or before now plus minimum notice. */
function allInThePast(queryPeriods: readonly Interval[], bound: number): boolean {
  return queryPeriods.every((period) => period.end <= bound);
}

/**
 * SPEC 5.7 for `POST /v1/availability`: `found` is the number of results the answer has (the
 * reasons are empty exactly when it is not 0).
 */
export function explainAvailability(
  query: AvailabilityQuery,
  found: number,
  facts: ExplainFacts,
): Explanation {
  const cache = createEngineCache();
  const bound = noticeBound(query.now, query.minimumNoticeMs);
  const shape: Shape = {
    window: afterNotice(packCached(query.queryPeriods, cache), bound),
    durationMs: query.durationMs,
    beforeMs: Math.max(0, query.bufferBeforeMs),
    afterMs: Math.max(0, query.bufferAfterMs),
  };
  const out = new Collector();
  const step2 = explainGroups(query.groups, shape, null, facts, cache, out);
  if (found > 0) return { reasons: [], members: out.members };
  if (allInThePast(query.queryPeriods, bound)) {
    return { reasons: [{ code: 'in_the_past', subs: [], step: null }], members: out.members };
  }
  if (step2) return { reasons: out.reasons(), members: out.members };
  return {
    reasons: [{ code: 'no_common_time', subs: distinctSubs(query.groups), step: null }],
    members: out.members,
  };
}

/**
 * SPEC 5.7 for `POST /v1/sequenced_availability` and every link: `found` is the number of options
 * the answer has. Step 3 uses the engine's own per-step starts, so "no slot" means what it means
 * for the answer.
 */
export function explainSequences(query: SequenceQuery, found: number, facts: ExplainFacts): Explanation {
  const cache = createEngineCache();
  const bound = noticeBound(query.now, query.minimumNoticeMs);
  const steps = sortedSteps(query);
  const out = new Collector();
  let step2 = false;
  for (const step of steps) {
    const shape: Shape = {
      window: afterNotice(slotWindow(query.queryPeriods, step.stepPeriods, cache), bound),
      durationMs: step.durationMs,
      beforeMs: Math.max(0, step.before.minMs),
      afterMs: Math.max(0, step.after.minMs),
    };
    if (explainGroups(step.groups, shape, step.index, facts, cache, out)) step2 = true;
  }
  if (found > 0) return { reasons: [], members: out.members };
  if (allInThePast(query.queryPeriods, bound)) {
    return { reasons: [{ code: 'in_the_past', subs: [], step: null }], members: out.members };
  }
  if (step2) return { reasons: out.reasons(), members: out.members };
  const plans = planSteps(query, steps, cache);
  const empty = plans.filter((plan) => plan.starts.length === 0);
  if (empty.length > 0) {
    const reasons = empty.map(
      (plan): ExplainedReason => ({
        code: 'no_common_time',
        subs: distinctSubs(plan.step.groups),
        step: plan.step.index,
      }),
    );
    return { reasons, members: out.members };
  }
  const subs = [...new Set(steps.flatMap((step) => distinctSubs(step.groups)))];
  return { reasons: [{ code: 'sequence_gaps', subs, step: null }], members: out.members };
}
