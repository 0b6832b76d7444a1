/**
 * Reading availability and sequence requests from the Cronofy wire form (SPEC 4, 5): aliases,
 * durations in hours and minutes, `null` as absent, a missing `required` as "all", numeric
 * sequence ids. Every problem is collected with its dotted path.
 */
import type {
  AvailabilityRequest,
  SequenceRequest,
  StepRequest,
} from '../../app/availability/availability.ts';
import type { GroupRequest } from '../../app/availability/participants.ts';
import type { Limits } from '../../config/config.ts';
import type { ResponseFormat } from '../../domain/engine/types.ts';
import type { Problems } from '../../domain/errors.ts';
import { checkQuerySpan, periodsField, readGroups, readPeriods } from './periods-and-groups.ts';
import {
  child,
  isAbsent,
  isObject,
  type Json,
  readArray,
  readDuration,
  readEnum,
  readInteger,
  readObject,
  readString,
  readTime,
  readTimeZone,
} from './reader.ts';

/** `buffer.before|after` as a Duration (its minimum) or `{minimum, maximum}` (SPEC 5.5). */
function readBufferSide(
  value: unknown,
  path: string,
  problems: Problems,
): { minMinutes: number; maxMinutes: number | null } {
  const object = readObject(value, path, problems, false);
  if (object === undefined) return { minMinutes: 0, maxMinutes: null };
  if (isAbsent(object.minimum) && isAbsent(object.maximum)) {
    return {
      minMinutes: readDuration(object, path, problems, { required: true, min: 0 }) ?? 0,
      maxMinutes: null,
    };
  }
  const min =
    readDuration(object.minimum, child(path, 'minimum'), problems, { required: false, min: 0 }) ?? 0;
  const max =
    readDuration(object.maximum, child(path, 'maximum'), problems, { required: false, min: 0 }) ?? null;
  if (max !== null && max < min) {
    problems.add(
      child(path, 'maximum'),
      'errors.out_of_range',
      `${path}.maximum must not be below its minimum`,
    );
  }
  return { minMinutes: min, maxMinutes: max };
}

export function readBuffer(value: unknown, path: string, problems: Problems) {
  const object = readObject(value, path, problems, false);
  return {
    before: readBufferSide(object?.before, child(path, 'before'), problems),
    after: readBufferSide(object?.after, child(path, 'after'), problems),
  };
}

function countDistinctMembers(
  groups: readonly GroupRequest[][],
  path: string,
  problems: Problems,
  limits: Limits,
) {
  const distinct = new Set(groups.flat().flatMap((g) => g.members.map((m) => m.sub)));
  if (distinct.size > limits.distinctMembers) {
    problems.add(
      path,
      'errors.too_many_members',
      `at most ${limits.distinctMembers} distinct members per request`,
    );
  }
}

const FORMATS: readonly ResponseFormat[] = ['periods', 'slots', 'overlapping_slots'];

export function readMaxResults(
  value: unknown,
  path: string,
  problems: Problems,
  fallback: number,
  limits: Limits,
) {
  return readInteger(value, path, problems, { required: false, min: 1, max: limits.maxResults }) ?? fallback;
}

const QUERY_SLOTS_MAX = 50;

/** `query_slots` (SPEC 5.4): 1 to 50 `{start}` items, each a UTC Time; returns the start instants. */
function readQuerySlots(value: unknown, path: string, problems: Problems): number[] {
  const list = readArray(value, path, problems, { required: true, min: 1, max: QUERY_SLOTS_MAX });
  const starts: number[] = [];
  list?.forEach((item, i) => {
    const itemPath = child(path, i);
    const object = readObject(item, itemPath, problems, true);
    if (object === undefined) return;
    const start = readTime(object.start, child(itemPath, 'start'), problems, true);
    if (start !== undefined) starts.push(start);
  });
  return starts;
}

/** The body of `POST /v1/availability` (or an RTS link's `availability`), rooted at `base`. */
export function readAvailabilityQuery(
  body: Json,
  base: string,
  problems: Problems,
  limits: Limits,
  now: number,
  context: { tzid: string | null; minimumNoticeMinutes: number },
): AvailabilityRequest {
  const at = (key: string) => child(base, key);
  const groups = readGroups(body.participants, at('participants'), problems, limits);
  countDistinctMembers([groups], at('participants'), problems, limits);
  const durationMinutes = readDuration(body.required_duration, at('required_duration'), problems, {
    required: true,
    min: 1,
  });
  const startIntervalMinutes =
    readDuration(body.start_interval, at('start_interval'), problems, {
      required: false,
      min: 1,
      max: 1440,
    }) ?? null;
  const buffer = readBuffer(body.buffer, at('buffer'), problems);
  const periods = periodsField(body);
  const querySlots = isAbsent(body.query_slots)
    ? null
    : readQuerySlots(body.query_slots, at('query_slots'), problems);
  if (querySlots !== null && !isAbsent(periods.value)) {
    problems.add(at('query_slots'), 'errors.invalid_value', `give ${periods.key} or query_slots, not both`);
  }
  const queryPeriods =
    querySlots !== null
      ? querySlots.map((start) => ({ start, end: start + (durationMinutes ?? 1) * 60_000 }))
      : (readPeriods(periods.value, at(periods.key), problems, {
          required: true,
          max: limits.queryPeriods,
          allowEmpty: false,
        }) ?? []);
  checkQuerySpan(queryPeriods, at(querySlots === null ? periods.key : 'query_slots'), problems, limits, now);
  const format = readEnum(body.response_format, at('response_format'), problems, FORMATS) ?? 'periods';
  return {
    querySlots,
    groups,
    durationMinutes: durationMinutes ?? 1,
    startIntervalMinutes,
    bufferBeforeMinutes: buffer.before.minMinutes,
    bufferAfterMinutes: buffer.after.minMinutes,
    queryPeriods,
    format,
    maxResults: readMaxResults(body.max_results, at('max_results'), problems, 512, limits),
    tzid: context.tzid,
    minimumNoticeMinutes: context.minimumNoticeMinutes,
  };
}

/** `sequence[]` plus query periods, rooted at `base` (`''` for the API, `availability` for RTSeq). */
export function readSequenceQuery(
  body: Json,
  base: string,
  problems: Problems,
  limits: Limits,
  now: number,
  context: { tzid: string | null; minimumNoticeMinutes: number; maxResults: number },
): SequenceRequest {
  const at = (key: string) => child(base, key);
  const sequencePath = at('sequence');
  const list =
    readArray(body.sequence, sequencePath, problems, { required: true, min: 1, max: limits.steps }) ?? [];
  const steps: StepRequest[] = [];
  const seenIds = new Map<string, number>();
  list.forEach((item, i) => {
    const path = child(sequencePath, i);
    const step = readObject(item, path, problems, true);
    if (step === undefined) return;
    let sequenceId: string | number | undefined;
    if (typeof step.sequence_id === 'number' && Number.isFinite(step.sequence_id))
      sequenceId = step.sequence_id;
    else
      sequenceId = readString(step.sequence_id, child(path, 'sequence_id'), problems, {
        required: true,
        min: 1,
        max: 256,
      });
    if (sequenceId !== undefined) {
      const key = String(sequenceId);
      if (seenIds.has(key)) {
        problems.add(
          child(path, 'sequence_id'),
          'errors.duplicate',
          `sequence_id ${key} is used by more than one step`,
        );
      }
      seenIds.set(key, i);
    }
    const ordinal = readInteger(step.ordinal, child(path, 'ordinal'), problems, {
      required: false,
      min: 0,
      max: 1_000_000,
    });
    const groups = readGroups(step.participants, child(path, 'participants'), problems, limits);
    const durationMinutes = readDuration(step.required_duration, child(path, 'required_duration'), problems, {
      required: true,
      min: 1,
    });
    const startIntervalMinutes =
      readDuration(step.start_interval, child(path, 'start_interval'), problems, {
        required: false,
        min: 1,
        max: 1440,
      }) ?? null;
    const buffer = readBuffer(step.buffer, child(path, 'buffer'), problems);
    const periods = periodsField(step);
    const stepPeriods = readPeriods(periods.value, child(path, periods.key), problems, {
      required: false,
      max: limits.queryPeriods,
      allowEmpty: true,
    });
    const event = isObject(step.event) ? step.event : null;
    if (!isAbsent(step.event) && event === null)
      problems.add(child(path, 'event'), 'errors.invalid_type', `${path}.event must be an object`);
    steps.push({
      path,
      sequenceId: sequenceId ?? i,
      ordinal: isAbsent(step.ordinal) ? null : (ordinal ?? 0),
      groups,
      durationMinutes: durationMinutes ?? 1,
      startIntervalMinutes,
      before: buffer.before,
      after: buffer.after,
      stepPeriods: stepPeriods === undefined || stepPeriods.length === 0 ? null : stepPeriods,
      event,
    });
  });
  const withOrdinal = list.filter((s) => isObject(s) && !isAbsent(s.ordinal)).length;
  if (withOrdinal > 0 && withOrdinal < list.length) {
    problems.add(sequencePath, 'errors.mixed_ordinals', 'either every step has an ordinal or none has');
  }
  countDistinctMembers(
    steps.map((s) => [...s.groups]),
    sequencePath,
    problems,
    limits,
  );
  const periods = periodsField(body);
  const queryPeriods =
    readPeriods(periods.value, at(periods.key), problems, {
      required: true,
      max: limits.queryPeriods,
      allowEmpty: false,
    }) ?? [];
  checkQuerySpan(queryPeriods, at(periods.key), problems, limits, now);
  return {
    steps,
    queryPeriods,
    tzid: context.tzid,
    minimumNoticeMinutes: context.minimumNoticeMinutes,
    maxResults: context.maxResults,
  };
}

/** Top-level `tzid` and `minimum_notice` shared by every availability-style request. */
export function readCommonContext(body: Json, problems: Problems) {
  return {
    tzid: readTimeZone(body.tzid, 'tzid', problems, false) ?? null,
    minimumNoticeMinutes:
      readDuration(body.minimum_notice, 'minimum_notice', problems, { required: false, min: 0 }) ?? 0,
  };
}
