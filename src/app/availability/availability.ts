/**
 * `POST /v1/availability` and `POST /v1/sequenced_availability` (SPEC 5.4, 5.5): resolve the
 * members, then run the pure engine.
 */
import { findAvailability } from '../../domain/engine/availability.ts';
import { type Explanation, explainAvailability } from '../../domain/engine/explain.ts';
import { findRequestedSlots } from '../../domain/engine/query-slots.ts';
import { findSequences, SequenceTooComplexError } from '../../domain/engine/sequence.ts';
import type {
  AvailabilityQuery,
  AvailableSlot,
  GapBound,
  ResponseFormat,
  SequenceOption,
  SequenceQuery,
} from '../../domain/engine/types.ts';
import { DomainError, Problems } from '../../domain/errors.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import type { SourceFailure } from '../../ports/busy-source.ts';
import { type AvailabilityCompute, ComputeBudgetError, ComputeBusyError } from '../../ports/compute.ts';
import type { Caller } from '../accounts/auth.ts';
import type { AppContext } from '../context.ts';
import {
  availabilityExplained,
  type ExplanationDocument,
  explainRequest,
  explanationDocument,
  type NameOf,
  type StepWording,
  sequencesExplained,
} from './explanation.ts';
import {
  type BusyOptions,
  type GroupRequest,
  type ResolvedGroups,
  resolveGroups,
  yieldToEventLoop,
} from './participants.ts';

const MINUTE = 60_000;

/**
 * Member × candidate-start pairs that count as one more request against the rate limit: the
 * heaviest request the limits allow (20 steps of 500 members, minute starts over 90 days) costs
 * about 130 requests; an ordinary one (a few steps, tens of members, 15-minute starts over two
 * weeks) costs nothing extra.
 */
const PAIRS_PER_UNIT = 10_000_000;

function periodMinutes(periods: readonly Interval[]): number {
  return periods.reduce((sum, p) => sum + Math.max(0, p.end - p.start), 0) / MINUTE;
}

function pairs(groups: readonly GroupRequest[], minutes: number, startInterval: number | null): number {
  const members = groups.reduce((sum, g) => sum + g.members.length, 0);
  return members * Math.ceil(minutes / (startInterval ?? 15));
}

/** Extra rate-limit units a `POST /v1/availability` request costs (docs/api.md). */
export function availabilityCost(request: AvailabilityRequest): number {
  const minutes = periodMinutes(request.queryPeriods);
  return Math.floor(pairs(request.groups, minutes, request.startIntervalMinutes) / PAIRS_PER_UNIT);
}

/** Extra rate-limit units a sequence request costs (docs/api.md). */
export function sequenceCost(request: SequenceRequest): number {
  const minutes = periodMinutes(request.queryPeriods);
  const total = request.steps.reduce(
    (sum, step) => sum + pairs(step.groups, minutes, step.startIntervalMinutes),
    0,
  );
  return Math.floor(total / PAIRS_PER_UNIT);
}

export type AvailabilityRequest = {
  readonly groups: readonly GroupRequest[];
  readonly durationMinutes: number;
  readonly startIntervalMinutes: number | null;
  readonly bufferBeforeMinutes: number;
  readonly bufferAfterMinutes: number;
  readonly queryPeriods: readonly Interval[];
  /** `query_slots` starts (SPEC 5.4), else null; `queryPeriods` then holds the slots themselves. */
  readonly querySlots?: readonly number[] | null;
  readonly format: ResponseFormat;
  readonly maxResults: number;
  readonly tzid: string | null;
  readonly minimumNoticeMinutes: number;
};

export type StepRequest = {
  readonly path: string;
  readonly sequenceId: string | number;
  readonly ordinal: number | null;
  readonly groups: readonly GroupRequest[];
  readonly durationMinutes: number;
  readonly startIntervalMinutes: number | null;
  readonly before: { readonly minMinutes: number; readonly maxMinutes: number | null };
  readonly after: { readonly minMinutes: number; readonly maxMinutes: number | null };
  readonly stepPeriods: readonly Interval[] | null;
  /** The step's event template (RTSeq), kept as sent. */
  readonly event: Readonly<Record<string, unknown>> | null;
};

export type SequenceRequest = {
  readonly steps: readonly StepRequest[];
  readonly queryPeriods: readonly Interval[];
  readonly tzid: string | null;
  readonly minimumNoticeMinutes: number;
  readonly maxResults: number;
};

export type MemberFailure = SourceFailure & { readonly sub: string };

function windowOf(periods: readonly Interval[], paddingMs: number): Interval {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const p of periods) {
    start = Math.min(start, p.start);
    end = Math.max(end, p.end);
  }
  return { start: start - paddingMs, end: end + paddingMs };
}

export async function queryAvailability(
  ctx: AppContext,
  caller: Caller,
  request: AvailabilityRequest,
  options: { readonly explain?: boolean } = {},
): Promise<{
  slots: AvailableSlot[];
  failures: readonly MemberFailure[];
  explanation?: ExplanationDocument;
}> {
  const done = ctx.metrics?.startComputation('availability');
  const problems = new Problems();
  const padding = (request.bufferBeforeMinutes + request.bufferAfterMinutes) * MINUTE;
  const window = windowOf(request.queryPeriods, padding);
  const resolved = await resolveGroups(ctx, caller, [request.groups], window, problems, { fresh: false });
  problems.throwIfAny();
  const engineQuery: AvailabilityQuery = {
    groups: resolved.groups[0] ?? [],
    durationMs: request.durationMinutes * MINUTE,
    startIntervalMinutes: request.startIntervalMinutes,
    alignmentZone: request.tzid ?? 'UTC',
    queryPeriods: request.queryPeriods,
    now: ctx.clock.now(),
    minimumNoticeMs: request.minimumNoticeMinutes * MINUTE,
    bufferBeforeMs: request.bufferBeforeMinutes * MINUTE,
    bufferAfterMs: request.bufferAfterMinutes * MINUTE,
    format: request.format,
    maxResults: request.maxResults,
  };
  if (options.explain === true) {
    const explained = await explainedAvailability(ctx, engineQuery, request, resolved);
    done?.();
    return { ...explained, failures: resolved.failures };
  }
  // At most 50 requested slots: cheap enough to check inline, off the compute port.
  const slots =
    request.querySlots === null || request.querySlots === undefined
      ? await availabilityWithin(ctx, engineQuery)
      : findRequestedSlots(engineQuery, request.querySlots);
  done?.();
  return { slots, failures: resolved.failures };
}

/** The answer and its SPEC 5.7 explanation from the same engine query. */
async function explainedAvailability(
  ctx: AppContext,
  query: AvailabilityQuery,
  request: AvailabilityRequest,
  resolved: ResolvedGroups,
): Promise<{ slots: AvailableSlot[]; explanation: ExplanationDocument }> {
  const explain = explainRequest(resolved.failures);
  const wording: StepWording = {
    sequenceId: null,
    durationMinutes: request.durationMinutes,
    beforeMinutes: request.bufferBeforeMinutes,
    afterMinutes: request.bufferAfterMinutes,
  };
  let answer: { slots: AvailableSlot[]; explanation: Explanation };
  if (request.querySlots !== null && request.querySlots !== undefined) {
    const slots = findRequestedSlots(query, request.querySlots);
    answer = { slots, explanation: explainAvailability(query, slots.length, explain) };
  } else {
    answer = await withinBudget('query_periods', () => availabilityExplained(ctx.compute, query, explain));
  }
  const explanation = explanationDocument(answer.explanation, [wording], accountNames(resolved));
  return { slots: answer.slots, explanation };
}

const gap = (bound: StepRequest['before']): GapBound => ({
  minMs: bound.minMinutes * MINUTE,
  maxMs: bound.maxMinutes === null ? null : bound.maxMinutes * MINUTE,
});

/** Builds the engine query for a sequence from resolved groups (shared by the API and RTSeq pages). */
export function toSequenceQuery(
  request: SequenceRequest,
  resolved: ResolvedGroups,
  now: number,
): SequenceQuery {
  return {
    steps: request.steps.map((step, index) => ({
      index,
      ordinal: step.ordinal,
      groups: resolved.groups[index] ?? [],
      durationMs: step.durationMinutes * MINUTE,
      startIntervalMinutes: step.startIntervalMinutes ?? 15,
      before: gap(step.before),
      after: gap(step.after),
      stepPeriods: step.stepPeriods === null || step.stepPeriods.length === 0 ? null : step.stepPeriods,
    })),
    queryPeriods: request.queryPeriods,
    alignmentZone: request.tzid ?? 'UTC',
    now,
    minimumNoticeMs: request.minimumNoticeMinutes * MINUTE,
    maxResults: request.maxResults,
  };
}

/** Busy-read window for a sequence: the query periods padded by the largest participant buffer. */
export function sequenceWindow(request: SequenceRequest): Interval {
  const padding = Math.max(0, ...request.steps.map((s) => s.before.minMinutes + s.after.minMinutes)) * MINUTE;
  return windowOf(request.queryPeriods, padding);
}

export async function resolveSequence(
  ctx: AppContext,
  caller: Caller,
  request: SequenceRequest,
  options: BusyOptions,
): Promise<{ query: SequenceQuery; resolved: ResolvedGroups }> {
  const problems = new Problems();
  const resolved = await resolveGroups(
    ctx,
    caller,
    request.steps.map((s) => s.groups),
    sequenceWindow(request),
    problems,
    options,
  );
  problems.throwIfAny();
  return { query: toSequenceQuery(request, resolved, ctx.clock.now()), resolved };
}

export async function querySequences(
  ctx: AppContext,
  caller: Caller,
  request: SequenceRequest,
  explain: { readonly explain?: boolean } = {},
): Promise<{
  options: SequenceOption[];
  failures: readonly MemberFailure[];
  explanation?: ExplanationDocument;
}> {
  const done = ctx.metrics?.startComputation('sequenced_availability');
  const { query, resolved } = await resolveSequence(ctx, caller, request, { fresh: false });
  await yieldToEventLoop(); // between loading and handing over: let waiting requests through
  if (explain.explain === true) {
    const answer = await withinBudget('sequence', () =>
      sequencesExplained(ctx.compute, query, explainRequest(resolved.failures)),
    );
    done?.();
    await yieldToEventLoop();
    const explanation = explanationDocument(
      answer.explanation,
      sequenceWording(request, true),
      accountNames(resolved),
    );
    return { options: answer.options, failures: resolved.failures, explanation };
  }
  const options = await searchSequences(ctx, query);
  done?.();
  await yieldToEventLoop();
  return { options, failures: resolved.failures };
}

/** Members' account names for an explanation's words. */
export function accountNames(resolved: ResolvedGroups): NameOf {
  return (sub) => resolved.accounts.get(sub)?.name;
}

/** How each step is named in explanations: by `sequence_id`, or not at all (`named` false: RTS). */
export function sequenceWording(request: SequenceRequest, named: boolean): StepWording[] {
  return request.steps.map((step) => ({
    sequenceId: named ? step.sequenceId : null,
    durationMinutes: step.durationMinutes,
    beforeMinutes: step.before.minMinutes,
    afterMinutes: step.after.minMinutes,
  }));
}

/** The engine on the event loop, for contexts without a compute pool (tests and tools). */
const inline: AvailabilityCompute = {
  findAvailability: async (query) => findAvailability(query),
  findSequences: async (query) => findSequences(query),
};

function tooComplex(path: string, description: string): DomainError {
  return new DomainError('invalid_request', description, {
    problems: [{ path, code: 'errors.too_complex', description }],
  });
}

const SHRINK =
  'shrink the query periods, the number of steps, groups or members, or use a larger start_interval';

function budgetExceeded(error: ComputeBudgetError): string {
  return `the availability computation ran over its budget of ${error.budgetMs} ms; ${SHRINK}`;
}

/**
 * The pool was at capacity (docs/deployment.md, "Compute capacity"): an application over its
 * share, or a full API queue, is told to slow down (429); a page, or work that waited out its
 * budget, finds the server busy (503). Both with Retry-After.
 */
export function busyError(error: ComputeBusyError): DomainError {
  const code = error.lane === 'api' && error.reason === 'full' ? 'rate_limited' : 'unavailable';
  return new DomainError(code, error.message, { retryAfterSeconds: error.retryAfterSeconds });
}

async function availabilityWithin(ctx: AppContext, query: AvailabilityQuery): Promise<AvailableSlot[]> {
  return withinBudget('query_periods', () => (ctx.compute ?? inline).findAvailability(query));
}

/**
 * Runs engine work with the engine's complexity guard and the compute budget turned into a 422
 * `errors.too_complex` at `path`.
 */
export async function withinBudget<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SequenceTooComplexError) throw tooComplex(path, error.message);
    if (error instanceof ComputeBudgetError) throw tooComplex(path, budgetExceeded(error));
    if (error instanceof ComputeBusyError) throw busyError(error);
    throw error;
  }
}

/** findSequences through the context's compute port, within the budget (422 on `sequence`). */
export function searchSequences(ctx: AppContext, query: SequenceQuery): Promise<SequenceOption[]> {
  return withinBudget('sequence', () => (ctx.compute ?? inline).findSequences(query));
}
