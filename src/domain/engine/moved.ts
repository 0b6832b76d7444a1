/**
 * Moving some steps of a booked sequence while the others stay (SPEC 6.6). The fixed steps are
 * pinned to their booked times and participants; the moving steps must still meet every rule of
 * SPEC 5.5 against them. Options are keyed by the start of the earliest moving step: one option
 * per such start, the canonical one among those (earliest end of the last step, then the usual
 * tie-breaks of findSequences).
 */
import { type Interval, intersectIntervalSets } from '../time/intervals.ts';
import { createEngineCache } from './free-time.ts';
import { recheckSequenceOption } from './recheck.ts';
import { findSequences, planSteps, sortedSteps } from './sequence.ts';
import type { ScheduledStep, SequenceOption, SequenceQuery, SequenceStep } from './types.ts';

const FOREVER = 8.64e15;

function restrict(step: SequenceStep, query: SequenceQuery, to: Interval): SequenceStep {
  const periods = intersectIntervalSets(step.stepPeriods ?? query.queryPeriods, [to]);
  // An empty list would mean "unrestricted": an impossible period keeps it impossible.
  return { ...step, stepPeriods: periods.length > 0 ? periods : [{ start: to.start, end: to.start }] };
}

/**
 * The query with the fixed steps pinned: each may only take its booked interval, and its booked
 * participants are taken as free (their own booking is what holds them). Minimum notice applies
 * to the moving steps only, so a fixed step may lie in the past.
 */
export function pinFixedSteps(query: SequenceQuery, fixed: readonly ScheduledStep[]): SequenceQuery {
  if (fixed.length === 0) return query;
  const notBefore = query.now + query.minimumNoticeMs;
  const earliestFixed = Math.min(...fixed.map((s) => s.start));
  const byIndex = new Map(fixed.map((s) => [s.index, s]));
  return {
    ...query,
    now: Math.min(notBefore, earliestFixed),
    minimumNoticeMs: 0,
    steps: query.steps.map((step) => {
      const booked = byIndex.get(step.index);
      if (booked === undefined) return restrict(step, query, { start: notBefore, end: FOREVER });
      return {
        ...step,
        groups: [
          {
            members: booked.participants.map((sub) => ({ sub, busy: [], open: null })),
            required: booked.participants.length,
          },
        ],
        stepPeriods: [{ start: booked.start, end: booked.end }],
      };
    }),
  };
}

/**
 * Options for a pinned query where only the steps at `moving` (request indices) move. With every
 * step moving this is findSequences; with one moving step each of its available starts is checked
 * directly; otherwise the search runs once per start of each moving step, with the other moving
 * steps kept at or after it.
 */
export function findMovedSequences(pinned: SequenceQuery, moving: readonly number[]): SequenceOption[] {
  const movingSet = new Set(moving);
  if (pinned.steps.every((s) => movingSet.has(s.index))) return findSequences(pinned);
  const steps = sortedSteps(pinned);
  const plans = planSteps(pinned, steps, createEngineCache());
  const byKey = new Map<number, SequenceOption>();
  for (const plan of plans) {
    if (!movingSet.has(plan.step.index)) continue;
    for (const start of plan.starts) {
      if (byKey.has(start)) continue;
      const option = optionWithMovingStart(pinned, steps, movingSet, plan.step, start);
      if (option !== null) byKey.set(start, option);
    }
  }
  return [...byKey.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, pinned.maxResults)
    .map((entry) => entry[1]);
}

function optionWithMovingStart(
  pinned: SequenceQuery,
  steps: readonly SequenceStep[],
  moving: ReadonlySet<number>,
  first: SequenceStep,
  start: number,
): SequenceOption | null {
  if (moving.size === 1) {
    const fixed = steps.filter((s) => s.index !== first.index);
    const chosen = [
      ...fixed.map((s) => ({ index: s.index, start: s.stepPeriods![0]!.start })),
      { index: first.index, start },
    ].sort((a, b) => a.start - b.start);
    return recheckSequenceOption(pinned, { steps: chosen });
  }
  const query: SequenceQuery = {
    ...pinned,
    maxResults: 1,
    steps: pinned.steps.map((step) => {
      if (step.index === first.index)
        return { ...step, stepPeriods: [{ start, end: start + step.durationMs }] };
      if (moving.has(step.index)) return restrict(step, pinned, { start, end: FOREVER });
      return step;
    }),
  };
  return findSequences(query)[0] ?? null;
}
