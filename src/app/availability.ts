/**
 * `POST /v1/availability` and `POST /v1/sequenced_availability` (SPEC 5.4, 5.5): resolve the
 * members, then run the pure engine.
 */
import { findAvailability } from '../domain/engine/availability.ts';
import { findSequences, SequenceTooComplexError } from '../domain/engine/sequence.ts';
import type {
  AvailableSlot,
  GapBound,
  ResponseFormat,
  SequenceOption,
  SequenceQuery,
} from '../domain/engine/types.ts';
import { DomainError, Problems } from '../domain/errors.ts';
import type { Interval } from '../domain/time/intervals.ts';
import type { SourceFailure } from '../ports/busy-source.ts';
import type { Caller } from './auth.ts';
import type { AppContext } from './context.ts';
import { type BusyOptions, type GroupRequest, type ResolvedGroups, resolveGroups } from './participants.ts';

const MINUTE = 60_000;

export type AvailabilityRequest = {
  readonly groups: readonly GroupRequest[];
  readonly durationMinutes: number;
  readonly startIntervalMinutes: number | null;
  readonly bufferBeforeMinutes: number;
  readonly bufferAfterMinutes: number;
  readonly queryPeriods: readonly Interval[];
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
): Promise<{ slots: AvailableSlot[]; failures: readonly MemberFailure[] }> {
  const done = ctx.metrics?.startComputation('availability');
  const problems = new Problems();
  const padding = (request.bufferBeforeMinutes + request.bufferAfterMinutes) * MINUTE;
  const window = windowOf(request.queryPeriods, padding);
  const resolved = await resolveGroups(ctx, caller, [request.groups], window, problems, { fresh: false });
  problems.throwIfAny();
  const slots = findAvailability({
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
  });
  done?.();
  return { slots, failures: resolved.failures };
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
): Promise<{ options: SequenceOption[]; failures: readonly MemberFailure[] }> {
  const done = ctx.metrics?.startComputation('sequenced_availability');
  const { query, resolved } = await resolveSequence(ctx, caller, request, { fresh: false });
  const options = searchSequences(query);
  done?.();
  return { options, failures: resolved.failures };
}

/** findSequences, with the engine's complexity guard turned into a 422 on `sequence`. */
export function searchSequences(query: SequenceQuery): SequenceOption[] {
  try {
    return findSequences(query);
  } catch (error) {
    if (error instanceof SequenceTooComplexError) {
      throw new DomainError('invalid_request', error.message, {
        problems: [{ path: 'sequence', code: 'errors.too_complex', description: error.message }],
      });
    }
    throw error;
  }
}
