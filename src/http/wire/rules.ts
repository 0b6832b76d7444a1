/**
 * Body readers of the managed-availability endpoints (reference 8.1, 8.2): availability rules
 * and available periods. Every reader collects all problems and never throws.
 */
import type { RuleInput } from '../../app/availability/managed-availability.ts';
import type { Problems } from '../../domain/errors.ts';
import type { WeeklyPeriod } from '../../domain/time/weekly-rules.ts';
import { CALENDAR_IDS_MAX, readId } from './fields.ts';
import {
  child,
  isObject,
  type Json,
  readArray,
  readEnum,
  readObject,
  readString,
  readTime,
  readTimeZone,
} from './reader.ts';

const WEEKLY_PERIODS_MAX = 200;
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

function readClock(
  value: unknown,
  path: string,
  problems: Problems,
  allowEndOfDay: boolean,
): number | undefined {
  const text = readString(value, path, problems, { required: true, max: 5 });
  if (text === undefined) return undefined;
  if (allowEndOfDay && text === '24:00') return 1440;
  const match = CLOCK.exec(text);
  if (match === null) {
    problems.add(path, 'errors.invalid_format', `${path} must be a 24-hour time HH:MM`);
    return undefined;
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/** A required ASCII identifier of at most 64 characters (rule and period ids). */
export function readAsciiId(value: unknown, path: string, problems: Problems): string | undefined {
  return readString(value, path, problems, { required: true, min: 1, max: 64, ascii: true });
}

/** `POST /v1/availability_rules` (reference 8.1). `end_time` may be `24:00` (end of the day). */
export function readRule(body: Json, problems: Problems): RuleInput | undefined {
  const ruleId = readAsciiId(body.availability_rule_id, 'availability_rule_id', problems);
  const tzid = readTimeZone(body.tzid, 'tzid', problems, true);
  const idList = readArray(body.calendar_ids, 'calendar_ids', problems, {
    required: false,
    min: 1,
    max: CALENDAR_IDS_MAX,
  });
  const calendarIds: string[] = [];
  idList?.forEach((item, i) => {
    const id = readId(item, child('calendar_ids', i), problems, 200);
    if (id !== undefined) calendarIds.push(id);
  });
  const list = readArray(body.weekly_periods, 'weekly_periods', problems, {
    required: true,
    min: 1,
    max: WEEKLY_PERIODS_MAX,
  });
  const weeklyPeriods: WeeklyPeriod[] = [];
  list?.forEach((item, i) => {
    const path = child('weekly_periods', i);
    const object = readObject(item, path, problems, true);
    if (object === undefined) return;
    const day = readEnum(object.day, child(path, 'day'), problems, DAYS, true);
    const start = readClock(object.start_time, child(path, 'start_time'), problems, false);
    const end = readClock(object.end_time, child(path, 'end_time'), problems, true);
    if (start !== undefined && end !== undefined && end <= start) {
      problems.add(
        child(path, 'end_time'),
        'errors.invalid_period',
        `${path}.end_time must be after its start_time`,
      );
      return;
    }
    if (day !== undefined && start !== undefined && end !== undefined) {
      weeklyPeriods.push({
        day,
        startTime: object.start_time as string,
        endTime: object.end_time as string,
      });
    }
  });
  if (!problems.isEmpty || ruleId === undefined || tzid === undefined) return undefined;
  return { ruleId, tzid, calendarIds: idList === undefined ? null : calendarIds, weeklyPeriods };
}

/** An available period boundary: a UTC Time or `{time, tzid}` (time always UTC). */
function readPeriodTime(value: unknown, path: string, problems: Problems): number | undefined {
  if (isObject(value)) {
    readTimeZone(value.tzid, child(path, 'tzid'), problems, false);
    return readTime(value.time, child(path, 'time'), problems, true);
  }
  return readTime(value, path, problems, true);
}

/** `POST /v1/available_periods` (reference 8.2). */
export function readPeriod(
  body: Json,
  problems: Problems,
): { periodId: string; startMs: number; endMs: number } | undefined {
  const periodId = readAsciiId(body.available_period_id, 'available_period_id', problems);
  const startMs = readPeriodTime(body.start, 'start', problems);
  const endMs = readPeriodTime(body.end, 'end', problems);
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs) {
    problems.add('end', 'errors.invalid_period', 'end must be after start');
  }
  if (!problems.isEmpty || periodId === undefined || startMs === undefined || endMs === undefined)
    return undefined;
  return { periodId, startMs, endMs };
}
