/**
 * `findSequences`: SPEC 5.5 (`POST /v1/sequenced_availability` and every RTSeq page). Pure: `now`
 * and every calendar fact are inputs. The algorithm, its complexity and its invariants are in
 * docs/engine.md; in short: per step, the sorted available starts; then a right-to-left dynamic
 * programme over (step, set of steps already run) that keeps, for every start of the step, the
 * canonical completion of the rest, found with a sliding-window minimum over the next step's starts.
 */

import { withEngineCache } from './engine-cache.ts';
import {
  availableStarts,
  candidateStarts,
  type EngineCache,
  listSelectedMembers,
  noticeBound,
  packCached,
  slotWindow,
} from './free-time.ts';
import { anyLoad, optionFitsLoads } from './option-load.ts';
import type { ScheduledStep, SequenceOption, SequenceQuery, SequenceStep } from './types.ts';

/**
 * Thrown when shared ordinals make the exact search too large (it is exponential in the number of
 * steps sharing one ordinal). The limits are documented in docs/engine.md.
 */
export class SequenceTooComplexError extends Error {
  readonly code = 'sequence_too_complex';
  constructor(message: string) {
    super(message);
    this.name = 'SequenceTooComplexError';
  }
}

/** Upper bounds on the exact search; far above what 20 steps with distinct ordinals need. */
export const SEQUENCE_LIMITS = { work: 400_000_000, stateEntries: 12_000_000, steps: 30 } as const;

/** A step with its resolved participant buffers, slot window and available starts. */
export type PlannedStep = {
  readonly step: SequenceStep;
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly window: Float64Array;
  readonly starts: Float64Array;
};

/**
 * Steps grouped by running order: blocks run one after another; the steps of one block (a shared
 * ordinal) run in any order among themselves. Values are positions in `steps` (sorted by index).
 */
export function runningBlocks(steps: readonly SequenceStep[]): number[][] {
  if (steps.length === 0) return [];
  if (steps.some((step) => step.ordinal === null)) return steps.map((_, position) => [position]);
  const byOrdinal = new Map<number, number[]>();
  steps.forEach((step, position) => {
    const ordinal = step.ordinal!;
    const block = byOrdinal.get(ordinal);
    if (block === undefined) byOrdinal.set(ordinal, [position]);
    else block.push(position);
  });
  return [...byOrdinal.entries()].sort((a, b) => a[0] - b[0]).map((entry) => entry[1]);
}

/** Smallest allowed gap `start(q) - end(p)` for p then q (SPEC 5.5). */
export function minimumGapMs(p: SequenceStep, q: SequenceStep): number {
  return Math.max(p.after.minMs, q.before.minMs, 0);
}

/** Largest allowed gap `start(q) - end(p)` for p then q; `Infinity` when neither bounds it. */
export function maximumGapMs(p: SequenceStep, q: SequenceStep): number {
  return Math.min(p.after.maxMs ?? Infinity, q.before.maxMs ?? Infinity);
}

export function sortedSteps(query: SequenceQuery): SequenceStep[] {
  return [...query.steps].sort((a, b) => a.index - b.index);
}

/** Per-step availability (SPEC 5.1 to 5.3) for a sequence query. */
export function planSteps(
  query: SequenceQuery,
  steps: readonly SequenceStep[],
  cache: EngineCache,
): PlannedStep[] {
  const queryWindow = packCached(query.queryPeriods, cache);
  const notBefore = noticeBound(query.now, query.minimumNoticeMs);
  return steps.map((step) => {
    const beforeMs = Math.max(0, step.before.minMs);
    const afterMs = Math.max(0, step.after.minMs);
    const window = slotWindow(query.queryPeriods, step.stepPeriods, cache);
    const candidates = candidateStarts(
      query.alignmentZone,
      step.startIntervalMinutes,
      queryWindow,
      notBefore,
      cache,
    );
    const starts = availableStarts(
      candidates,
      step.groups,
      step.durationMs,
      window,
      beforeMs,
      afterMs,
      cache,
    );
    return { step, beforeMs, afterMs, window, starts };
  });
}

/**
 * DP state: step `position` has just run, `mask` holds every step run so far (it included). For
 * each available start `i` of the step: `end[i]` is the end of the last step of the canonical
 * completion (Infinity when none), `nextStep[i]`/`nextIndex[i]` the step and start index that
 * follow (-1 when this is the last step).
 */
type State = {
  readonly position: number;
  readonly end: Float64Array;
  readonly nextStep: Int8Array;
  readonly nextIndex: Int32Array;
  /** Successor states by step position, for following chains. */
  readonly successors: (State | undefined)[];
  /** True when only one running order remains after this state, so tails never differ in order. */
  readonly uniqueTail: boolean;
  alive: boolean;
};

function popcount(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count++;
  return count;
}

/** Compares the running orders of two completions from the same state (negative: `x` first). */
function compareTailOrders(state: State, x: number, y: number): number {
  let current = state;
  let a = x;
  let b = y;
  for (;;) {
    const stepA = current.nextStep[a]!;
    const stepB = current.nextStep[b]!;
    if (stepA !== stepB) return stepA - stepB;
    if (stepA < 0) return 0;
    a = current.nextIndex[a]!;
    b = current.nextIndex[b]!;
    current = current.successors[stepA]!;
  }
}

/**
 * The dynamic program's size for these blocks and plans: `work` counts its state transitions (each
 * over every start), `entries` the states it keeps. A block of b shared-ordinal steps has
 * b·2^(b-1) states; distinct ordinals make every block one step, so both grow linearly.
 */
export function sequenceWork(
  blocks: readonly number[][],
  plans: readonly PlannedStep[],
): { readonly work: number; readonly entries: number } {
  let maxStarts = 0;
  for (const plan of plans) maxStarts = Math.max(maxStarts, plan.starts.length);
  let work = 0;
  let entries = 0;
  blocks.forEach((block, j) => {
    const b = block.length;
    const states = b * 2 ** (b - 1);
    const successors = Math.max(b - 1, blocks[j + 1]?.length ?? 1);
    work += states * successors * 2 * maxStarts;
    entries += states * maxStarts;
  });
  return { work, entries };
}

function checkComplexity(blocks: readonly number[][], plans: readonly PlannedStep[]): void {
  if (plans.length > SEQUENCE_LIMITS.steps) {
    throw new SequenceTooComplexError(`a sequence may have at most ${SEQUENCE_LIMITS.steps} steps`);
  }
  const { work, entries } = sequenceWork(blocks, plans);
  if (work > SEQUENCE_LIMITS.work || entries > SEQUENCE_LIMITS.stateEntries) {
    throw new SequenceTooComplexError(
      'too many steps share an ordinal for this window and start interval; use distinct ordinals or a shorter window',
    );
  }
}

/**
 * Canonical sequence options (SPEC 5.5), one per possible first start, sorted by that start and
 * truncated to `maxResults`. Throws `SequenceTooComplexError` only for large shared-ordinal blocks.
 */
export function findSequences(query: SequenceQuery): SequenceOption[] {
  if (query.steps.length === 0 || query.maxResults <= 0) return [];
  return withEngineCache((cache) => {
    const steps = sortedSteps(query);
    const plans = planSteps(query, steps, cache);
    if (plans.some((plan) => plan.starts.length === 0)) return [];
    const blocks = runningBlocks(steps);
    checkComplexity(blocks, plans);
    const states = solve(blocks, plans);
    return collectOptions(query, blocks, plans, states, cache);
  });
}

function solve(blocks: readonly number[][], plans: readonly PlannedStep[]): Map<number, State> {
  const states = new Map<number, State>();
  const stateKey = (position: number, mask: number): number => mask * 32 + position;
  let maxStarts = 0;
  for (const plan of plans) maxStarts = Math.max(maxStarts, plan.starts.length);
  const deque = new Int32Array(maxStarts);

  let prefix = 0;
  const prefixes = blocks.map((block) => {
    const before = prefix;
    for (const position of block) prefix |= 1 << position;
    return before;
  });

  for (let j = blocks.length - 1; j >= 0; j--) {
    const block = blocks[j]!;
    const blockPrefix = prefixes[j]!;
    const fullSubset = (1 << block.length) - 1;
    const laterAllSingles = blocks.slice(j + 1).every((later) => later.length === 1);
    const subsets: number[] = [];
    for (let subset = 1; subset <= fullSubset; subset++) subsets.push(subset);
    subsets.sort((a, b) => popcount(b) - popcount(a));

    for (const subset of subsets) {
      let mask = blockPrefix;
      for (let t = 0; t < block.length; t++) if (subset & (1 << t)) mask |= 1 << block[t]!;
      const remainingInBlock = block.length - popcount(subset);
      const successorPositions: number[] = [];
      let successorMask = (position: number) => mask | (1 << position);
      if (remainingInBlock > 0) {
        for (let t = 0; t < block.length; t++) if (!(subset & (1 << t))) successorPositions.push(block[t]!);
      } else if (j + 1 < blocks.length) {
        successorPositions.push(...blocks[j + 1]!);
        successorMask = (position: number) => prefixes[j + 1]! | (1 << position);
      }
      for (let t = 0; t < block.length; t++) {
        if (!(subset & (1 << t))) continue;
        const p = block[t]!;
        const plan = plans[p]!;
        const state = computeState(
          plan,
          p,
          plans,
          successorPositions.map((q) => states.get(stateKey(q, successorMask(q)))),
          successorPositions,
          remainingInBlock <= 1 && laterAllSingles,
          deque,
        );
        states.set(stateKey(p, mask), state);
      }
    }
  }
  return states;
}

function computeState(
  plan: PlannedStep,
  position: number,
  plans: readonly PlannedStep[],
  successorStates: readonly (State | undefined)[],
  successorPositions: readonly number[],
  uniqueTail: boolean,
  deque: Int32Array,
): State {
  const starts = plan.starts;
  const n = starts.length;
  const duration = plan.step.durationMs;
  const end = new Float64Array(n);
  const nextStep = new Int8Array(n).fill(-1);
  const nextIndex = new Int32Array(n).fill(-1);
  const successors: (State | undefined)[] = [];
  const state: State = { position, end, nextStep, nextIndex, successors, uniqueTail, alive: false };

  if (successorPositions.length === 0) {
    for (let i = 0; i < n; i++) end[i] = starts[i]! + duration;
    state.alive = n > 0;
    return state;
  }
  end.fill(Infinity);
  // Successors are tried in ascending position and only a strictly earlier end replaces the
  // current choice, so equal ends go to the smaller next position: the order that comes first.
  successorPositions.forEach((q, s) => {
    const next = successorStates[s];
    successors[q] = next;
    if (next === undefined || !next.alive) return;
    const qPlan = plans[q]!;
    const minGap = minimumGapMs(plan.step, qPlan.step);
    const maxGap = maximumGapMs(plan.step, qPlan.step);
    if (maxGap < minGap) return;
    const qStarts = qPlan.starts;
    const qEnd = next.end;
    const m = qStarts.length;
    // Sliding-window minimum over q's starts in [end(p) + minGap, end(p) + maxGap]; both bounds
    // grow with p's start. The deque holds candidates in start order with strictly worsening
    // keys, key = (end of completion, running order of the completion); among equal keys the
    // earlier start stays in front, which is the canonical tie-break on later steps' starts.
    let head = 0;
    let tail = 0;
    let pushed = 0;
    for (let i = 0; i < n; i++) {
      const pEnd = starts[i]! + duration;
      const low = pEnd + minGap;
      const high = pEnd + maxGap;
      while (pushed < m && qStarts[pushed]! <= high) {
        const candidateEnd = qEnd[pushed]!;
        if (candidateEnd !== Infinity) {
          while (tail > head) {
            const back = deque[tail - 1]!;
            const backEnd = qEnd[back]!;
            const worse =
              backEnd > candidateEnd ||
              (backEnd === candidateEnd && !next.uniqueTail && compareTailOrders(next, back, pushed) > 0);
            if (!worse) break;
            tail--;
          }
          deque[tail++] = pushed;
        }
        pushed++;
      }
      while (head < tail && qStarts[deque[head]!]! < low) head++;
      if (head < tail) {
        const best = deque[head]!;
        if (qEnd[best]! < end[i]!) {
          end[i] = qEnd[best]!;
          nextStep[i] = q;
          nextIndex[i] = best;
        }
      }
    }
  });
  for (let i = 0; i < n; i++) {
    if (end[i] !== Infinity) {
      state.alive = true;
      break;
    }
  }
  return state;
}

function collectOptions(
  query: SequenceQuery,
  blocks: readonly number[][],
  plans: readonly PlannedStep[],
  states: Map<number, State>,
  cache: EngineCache,
): SequenceOption[] {
  type Head = { start: number; end: number; position: number; index: number; state: State };
  const heads: Head[] = [];
  for (const p of blocks[0]!) {
    const state = states.get((1 << p) * 32 + p)!;
    const starts = plans[p]!.starts;
    for (let i = 0; i < starts.length; i++) {
      if (state.end[i] !== Infinity)
        heads.push({ start: starts[i]!, end: state.end[i]!, position: p, index: i, state });
    }
  }
  // Same first start: earliest end wins, then the smaller first position (positions are unique
  // per start, and the rest of the tie-break already lives in each state's chain).
  heads.sort((a, b) => a.start - b.start || a.end - b.end || a.position - b.position);
  const options: SequenceOption[] = [];
  // Constraints across steps (a member in two steps counts two): the canonical option of a start
  // that overloads a member is dropped, start and all (docs/engine.md, interpretation 23).
  const stepsByIndex = anyLoad(query.steps) ? new Map(query.steps.map((step) => [step.index, step])) : null;
  for (let h = 0; h < heads.length && options.length < query.maxResults; h++) {
    if (h > 0 && heads[h]!.start === heads[h - 1]!.start) continue;
    const steps = buildOption(plans, heads[h]!.state, heads[h]!.index, cache);
    if (stepsByIndex !== null && !optionFitsLoads(stepsByIndex, steps)) continue;
    options.push({ steps });
  }
  return options;
}

function buildOption(
  plans: readonly PlannedStep[],
  first: State,
  firstIndex: number,
  cache: EngineCache,
): ScheduledStep[] {
  const out: ScheduledStep[] = [];
  let state: State | undefined = first;
  let index = firstIndex;
  while (state !== undefined) {
    const plan = plans[state.position]!;
    const start = plan.starts[index]!;
    const end = start + plan.step.durationMs;
    const participants =
      listSelectedMembers(
        plan.step.groups,
        plan.window,
        start,
        end,
        plan.beforeMs,
        plan.afterMs,
        cache,
        true,
      ) ?? [];
    out.push({ index: plan.step.index, start, end, participants });
    const next: number = state.nextStep[index]!;
    if (next < 0) break;
    index = state.nextIndex[index]!;
    state = state.successors[next];
  }
  return out;
}
