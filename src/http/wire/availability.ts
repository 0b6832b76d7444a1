/**
 * Reading availability and sequence requests from the Cronofy wire form (SPEC 4, 5): aliases,
 * durations in hours and minutes, `null` as absent, a missing `required` as "all", numeric
 * sequence ids. Every problem is collected with its dotted path.
 */
import type { AvailabilityRequest, SequenceRequest, StepRequest } from '../../app/availability.ts';
import type { GroupRequest, MemberRequest } from '../../app/participants.ts';
import type { Limits } from '../../config/config.ts';
import { checkDistinctMembers } from '../../domain/engine/members.ts';
import type { ResponseFormat } from '../../domain/engine/types.ts';
import type { Problems } from '../../domain/errors.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import {
  child,
  isAbsent,
  isObject,
  type Json,
  readArray,
  readBoolean,
  readDuration,
  readEnum,
  readInteger,
  readObject,
  readString,
  readTime,
  readTimeZone,
} from './reader.ts';

const DAY_MS = 86_400_000;

/** `query_periods` with its alias `available_periods` (SPEC 4). */
export function periodsField(object: Json): { key: string; value: unknown } {
  if (isAbsent(object.query_periods) && !isAbsent(object.available_periods)) {
    return { key: 'available_periods', value: object.available_periods };
  }
  return { key: 'query_periods', value: object.query_periods };
}

export function readPeriods(
  value: unknown,
  path: string,
  problems: Problems,
  options: { required: boolean; max: number; allowEmpty: boolean },
): Interval[] | undefined {
  const list = readArray(value, path, problems, {
    required: options.required,
    min: options.allowEmpty ? 0 : 1,
    max: options.max,
  });
  if (list === undefined) return undefined;
  const periods: Interval[] = [];
  list.forEach((item, i) => {
    const itemPath = child(path, i);
    const object = readObject(item, itemPath, problems, true);
    if (object === undefined) return;
    const start = readTime(object.start, child(itemPath, 'start'), problems, true);
    const end = readTime(object.end, child(itemPath, 'end'), problems, true);
    if (start === undefined || end === undefined) return;
    if (end <= start) {
      problems.add(itemPath, 'errors.invalid_period', `${itemPath}.end must be after its start`);
      return;
    }
    periods.push({ start, end });
  });
  return periods;
}

/** Checks the limits of SPEC 6.1/9 on a request's query periods. */
export function checkQuerySpan(
  periods: readonly Interval[],
  path: string,
  problems: Problems,
  limits: Limits,
  now: number,
) {
  if (periods.length === 0) return;
  const first = Math.min(...periods.map((p) => p.start));
  const last = Math.max(...periods.map((p) => p.end));
  if (last - first > limits.querySpanDays * DAY_MS) {
    problems.add(
      path,
      'errors.span_too_long',
      `${path} must lie within ${limits.querySpanDays} days of each other`,
    );
  }
  if (last > now + 730 * DAY_MS) {
    problems.add(path, 'errors.too_far_ahead', `${path} must end within 2 years from now`);
  }
}

function readMember(
  value: unknown,
  path: string,
  problems: Problems,
  limits: Limits,
): MemberRequest | undefined {
  // SDKs accept bare strings locally; tolerate them on the wire too.
  if (typeof value === 'string') {
    return {
      sub: value,
      path,
      calendarIds: null,
      availablePeriods: null,
      managedAvailability: false,
      availabilityRuleIds: null,
    };
  }
  const object = readObject(value, path, problems, true);
  if (object === undefined) return undefined;
  const sub = readString(object.sub, child(path, 'sub'), problems, { required: true, min: 1, max: 128 });
  const calendarIdsRaw = readArray(object.calendar_ids, child(path, 'calendar_ids'), problems, {
    required: false,
    max: 100,
  });
  const calendarIds = calendarIdsRaw?.map((id, i) =>
    readString(id, child(child(path, 'calendar_ids'), i), problems, { required: true, min: 1, max: 128 }),
  );
  const periods = periodsField(object);
  const availablePeriods = readPeriods(periods.value, child(path, periods.key), problems, {
    required: false,
    max: limits.queryPeriods,
    allowEmpty: true,
  });
  const managed = readBoolean(object.managed_availability, child(path, 'managed_availability'), problems);
  const ruleIdsRaw = readArray(object.availability_rule_ids, child(path, 'availability_rule_ids'), problems, {
    required: false,
    max: 100,
  });
  const ruleIds = ruleIdsRaw?.map((id, i) =>
    readString(id, child(child(path, 'availability_rule_ids'), i), problems, { required: true, max: 64 }),
  );
  if (sub === undefined) return undefined;
  return {
    sub,
    path,
    calendarIds: calendarIds === undefined ? null : calendarIds.filter((c) => c !== undefined),
    availablePeriods: availablePeriods ?? null,
    managedAvailability: managed ?? false,
    availabilityRuleIds: ruleIds === undefined ? null : ruleIds.filter((r) => r !== undefined),
  };
}

export function readGroups(value: unknown, path: string, problems: Problems, limits: Limits): GroupRequest[] {
  const list = readArray(value, path, problems, { required: true, min: 1, max: limits.groupsPerStep });
  if (list === undefined) return [];
  const groups: GroupRequest[] = [];
  list.forEach((item, i) => {
    const groupPath = child(path, i);
    const object = readObject(item, groupPath, problems, true);
    if (object === undefined) return;
    const membersPath = child(groupPath, 'members');
    const rawMembers = readArray(object.members, membersPath, problems, {
      required: true,
      min: 1,
      max: limits.membersPerGroup,
    });
    const members = (rawMembers ?? [])
      .map((m, j) => readMember(m, child(membersPath, j), problems, limits))
      .filter((m) => m !== undefined);
    const requiredPath = child(groupPath, 'required');
    let required: number | null = null;
    if (!isAbsent(object.required) && object.required !== 'all') {
      if (typeof object.required !== 'number' || !Number.isInteger(object.required) || object.required < 1) {
        problems.add(
          requiredPath,
          'errors.invalid_value',
          `${requiredPath} must be "all" or a whole number of at least 1`,
        );
      } else if (rawMembers !== undefined && object.required > rawMembers.length) {
        problems.add(
          requiredPath,
          'errors.out_of_range',
          `${requiredPath} must not exceed the number of members (${rawMembers.length})`,
        );
      } else {
        required = object.required;
      }
    }
    groups.push({ path: groupPath, members, required });
  });
  checkDistinctMembers(groups, problems);
  return groups;
}

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
