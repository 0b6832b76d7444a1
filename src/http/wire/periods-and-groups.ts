/**
 * Reading the parts of availability and sequence requests that name time and people (SPEC 4, 5):
 * query periods with their alias, their span, and groups of members. Every problem is collected
 * with its dotted path.
 */
import type { GroupRequest, MemberRequest } from '../../app/availability/participants.ts';
import type { Limits } from '../../config/config.ts';
import { checkDistinctMembers } from '../../domain/engine/members.ts';
import type { Problems } from '../../domain/errors.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import { readConstraints } from './constraints.ts';
import {
  child,
  isAbsent,
  type Json,
  readArray,
  readBoolean,
  readObject,
  readString,
  readTime,
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

/** Member fields besides `sub`; a member without any of them is read by `plainMember`. */
const MEMBER_OPTIONS = [
  'calendar_ids',
  'query_periods',
  'available_periods',
  'managed_availability',
  'availability_rule_ids',
  'availability_constraints',
] as const;

/** A sub every check of `readString` (no NUL, not blank, at most 128 characters) accepts. */
const PLAIN_SUB = /^[\x21-\x7e]{1,128}$/;

/**
 * The usual member, `{"sub": "…"}` with a printable-ASCII sub and no other member field, read
 * without building the paths of fields it does not have (large requests name thousands of
 * members); undefined for anything else, which the full reader checks.
 */
function plainMember(object: Json, path: string): MemberRequest | undefined {
  const sub = object.sub;
  if (typeof sub !== 'string' || !PLAIN_SUB.test(sub)) return undefined;
  for (const key of MEMBER_OPTIONS) if (!isAbsent(object[key])) return undefined;
  return {
    sub,
    path,
    calendarIds: null,
    availablePeriods: null,
    managedAvailability: false,
    availabilityRuleIds: null,
  };
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
  const plain = plainMember(object, path);
  if (plain !== undefined) return plain;
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
  const constraints = readConstraints(
    object.availability_constraints,
    child(path, 'availability_constraints'),
    problems,
  );
  if (sub === undefined) return undefined;
  return {
    sub,
    path,
    calendarIds: calendarIds === undefined ? null : calendarIds.filter((c) => c !== undefined),
    availablePeriods: availablePeriods ?? null,
    managedAvailability: managed ?? false,
    availabilityRuleIds: ruleIds === undefined ? null : ruleIds.filter((r) => r !== undefined),
    ...(constraints === undefined ? {} : { availabilityConstraints: constraints }),
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
