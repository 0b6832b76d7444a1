/**
 * Wire readers and writers of the calendar, event, free-busy and managed-availability endpoints
 * (reference 7 and 8). Like reader.ts, every reader collects all problems with dotted paths and
 * never throws.
 */
import type { Attendee, EventsQuery, EventTime, EventUpsert, FreeBusyQuery } from '../../app/events.ts';
import type { RuleInput } from '../../app/managed-availability.ts';
import type { PageQuery } from '../../app/paging.ts';
import type { Problems } from '../../domain/errors.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import { startOfLocalDate } from '../../domain/time/wall-clock.ts';
import type { WeeklyPeriod } from '../../domain/time/weekly-rules.ts';
import { localParts } from '../../domain/time/zones.ts';
import type {
  AvailabilityRuleRecord,
  AvailablePeriodRecord,
  CalendarRecord,
  EventRecord,
} from '../../ports/store.ts';
import {
  child,
  formatUtc,
  isAbsent,
  isObject,
  type Json,
  parseDate,
  readArray,
  readBoolean,
  readEnum,
  readObject,
  readString,
  readTime,
  readTimeZone,
  readUrl,
} from './reader.ts';

/** The query string as parsed by `queryOf` (`name[]` lists under `name`). */
export type QueryMap = Readonly<Record<string, string | readonly string[]>>;

/** Longest `event_id`: room for an application key plus a step suffix (SPEC 6.3), far from abuse. */
export const EVENT_ID_MAX = 256;
export const SUMMARY_MAX = 1024;
export const DESCRIPTION_MAX = 4096;
/** Most calendar ids one request may name (`calendar_ids[]`, rules). */
export const CALENDAR_IDS_MAX = 50;
const REMINDERS_MAX = 10;
const ATTENDEES_MAX = 100;
const WEEKLY_PERIODS_MAX = 200;
/** Beyond any instant the API accepts (year 9999), so an open-ended window stays finite. */
const FAR_PAST = -8.64e15;
const FAR_FUTURE = 8.64e15;
const DAY_MS = 86_400_000;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}$/;
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** True when the text holds a C0 control character or DEL. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Query strings

/** A parameter given once; own properties only (a query may carry `__proto__`). */
function scalar(query: QueryMap, key: string, problems: Problems): string | undefined {
  if (!Object.hasOwn(query, key)) return undefined;
  const value = query[key];
  if (typeof value !== 'string') {
    problems.add(key, 'errors.invalid_type', `${key} must be given once`);
    return undefined;
  }
  return value;
}

/** `tzid` given once and valid; an unusable value is reported once. */
function queryZone(query: QueryMap, problems: Problems, required: boolean): string | undefined {
  const given = Object.hasOwn(query, 'tzid');
  const text = scalar(query, 'tzid', problems);
  if (given && text === undefined) return undefined;
  return readTimeZone(text, 'tzid', problems, required);
}

function queryBoolean(query: QueryMap, key: string, problems: Problems): boolean | undefined {
  const text = scalar(query, key, problems);
  if (text === undefined) return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  problems.add(key, 'errors.invalid_type', `${key} must be true or false`);
  return undefined;
}

function queryList(query: QueryMap, key: string, problems: Problems): string[] | undefined {
  if (!Object.hasOwn(query, key)) return undefined;
  const value = query[key]!;
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.length > CALENDAR_IDS_MAX) {
    problems.add(key, 'errors.too_long', `${key} may have at most ${CALENDAR_IDS_MAX} items`);
    return undefined;
  }
  let ok = true;
  list.forEach((item, i) => {
    if (item.length === 0 || item.length > 200) {
      problems.add(child(key, i), 'errors.invalid_value', `${key}[${i}] must be a calendar id`);
      ok = false;
    }
  });
  return ok ? list : undefined;
}

/** A `from`/`to` parameter: a Date (start of that day in `tzid`) or a UTC Time. */
function queryInstant(
  query: QueryMap,
  key: string,
  problems: Problems,
  tzid: string | undefined,
): { ms: number; canonical: string } | undefined {
  const text = scalar(query, key, problems);
  if (text === undefined) return undefined;
  if (DATE_LIKE.test(text)) {
    const date = parseDate(text);
    if (date === undefined) {
      problems.add(key, 'errors.invalid_time', `${key} must be a real date such as 2026-01-30`);
      return undefined;
    }
    if (tzid === undefined) return undefined;
    return { ms: startOfLocalDate(tzid, ...date), canonical: text };
  }
  const ms = readTime(text, key, problems, false);
  return ms === undefined ? undefined : { ms, canonical: formatUtc(ms) };
}

function checkRange(
  from: { ms: number } | undefined,
  to: { ms: number } | undefined,
  problems: Problems,
): void {
  if (from !== undefined && to !== undefined && to.ms <= from.ms) {
    problems.add('to', 'errors.invalid_period', 'to must be after from');
  }
}

function windowOf(from: { ms: number } | undefined, to: { ms: number } | undefined): Interval | null {
  if (from === undefined && to === undefined) return null;
  return { start: from?.ms ?? FAR_PAST, end: to?.ms ?? FAR_FUTURE };
}

export type PagedQuery<Q> = {
  readonly query: Q;
  /** Only the parameters that shape the result, defaults resolved: stored in page tokens. */
  readonly canonical: PageQuery;
  /** The zone for `localized_times=true`, else null (UTC times). */
  readonly localizedZone: string | null;
};

function canonicalOf(entries: Record<string, string | readonly string[] | undefined>): PageQuery {
  const out: Record<string, string | readonly string[]> = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * `GET /v1/events`. `tzid` is required. `from`/`to` narrow the result to events overlapping
 * them; without either every event is returned (rtseq's events are all managed, and managed
 * events ignore the default window). `include_managed`/`only_managed`, `include_moved` and
 * `include_geo` are accepted and change nothing.
 */
export function readEventsQuery(query: QueryMap, problems: Problems): PagedQuery<EventsQuery> {
  const tzid = queryZone(query, problems, true);
  const from = queryInstant(query, 'from', problems, tzid);
  const to = queryInstant(query, 'to', problems, tzid);
  checkRange(from, to, problems);
  const includeDeleted = queryBoolean(query, 'include_deleted', problems);
  const localized = queryBoolean(query, 'localized_times', problems);
  for (const flag of ['include_managed', 'only_managed', 'include_moved', 'include_geo']) {
    queryBoolean(query, flag, problems);
  }
  const lastModifiedText = scalar(query, 'last_modified', problems);
  const lastModified = readTime(lastModifiedText, 'last_modified', problems, false);
  const calendarIds = queryList(query, 'calendar_ids', problems);
  return {
    query: {
      window: windowOf(from, to),
      includeDeleted: includeDeleted ?? false,
      modifiedSince: lastModified ?? null,
      calendarIds: calendarIds ?? null,
    },
    canonical: canonicalOf({
      tzid,
      from: from?.canonical,
      to: to?.canonical,
      include_deleted: includeDeleted === undefined ? undefined : String(includeDeleted),
      localized_times: localized === undefined ? undefined : String(localized),
      last_modified: lastModified === undefined ? undefined : formatUtc(lastModified),
      calendar_ids: calendarIds,
    }),
    localizedZone: localized === true && tzid !== undefined ? tzid : null,
  };
}

function localDateText(zone: string, ms: number): string {
  const p = localParts(zone, ms);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * `GET /v1/free_busy`. `tzid` is required; `from` defaults to the date 42 days ago and `to`
 * (exclusive) to the date 201 days ahead, both in `tzid`, resolved once so later pages agree.
 */
export function readFreeBusyQuery(
  query: QueryMap,
  problems: Problems,
  now: number,
): PagedQuery<FreeBusyQuery> {
  const tzid = queryZone(query, problems, true);
  const withDefaults: Record<string, string | readonly string[]> = { ...query };
  if (tzid !== undefined && !Object.hasOwn(query, 'from'))
    withDefaults.from = localDateText(tzid, now - 42 * DAY_MS);
  if (tzid !== undefined && !Object.hasOwn(query, 'to'))
    withDefaults.to = localDateText(tzid, now + 201 * DAY_MS);
  const from = queryInstant(withDefaults, 'from', problems, tzid);
  const to = queryInstant(withDefaults, 'to', problems, tzid);
  checkRange(from, to, problems);
  const localized = queryBoolean(query, 'localized_times', problems);
  queryBoolean(query, 'include_managed', problems);
  const calendarIds = queryList(query, 'calendar_ids', problems);
  return {
    query: {
      window: windowOf(from, to) ?? { start: FAR_PAST, end: FAR_FUTURE },
      calendarIds: calendarIds ?? null,
    },
    canonical: canonicalOf({
      tzid,
      from: from?.canonical,
      to: to?.canonical,
      localized_times: localized === undefined ? undefined : String(localized),
      calendar_ids: calendarIds,
    }),
    localizedZone: localized === true && tzid !== undefined ? tzid : null,
  };
}

/** `GET /v1/available_periods`: `tzid` is required when `from` or `to` is given; `to` is exclusive. */
export function readAvailablePeriodsQuery(query: QueryMap, problems: Problems): PagedQuery<Interval | null> {
  const needsZone = Object.hasOwn(query, 'from') || Object.hasOwn(query, 'to');
  const tzid = queryZone(query, problems, needsZone);
  const from = queryInstant(query, 'from', problems, tzid);
  const to = queryInstant(query, 'to', problems, tzid);
  checkRange(from, to, problems);
  const localized = queryBoolean(query, 'localized_times', problems);
  if (localized === true && tzid === undefined && !problems.list.some((p) => p.path === 'tzid')) {
    problems.add('tzid', 'errors.required', 'tzid is required with localized_times');
  }
  return {
    query: windowOf(from, to),
    canonical: canonicalOf({
      tzid,
      from: from?.canonical,
      to: to?.canonical,
      localized_times: localized === undefined ? undefined : String(localized),
    }),
    localizedZone: localized === true && tzid !== undefined ? tzid : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** A Date (`YYYY-MM-DD`) or a UTC Time in the accepted forms. */
function readDateOrTime(value: unknown, path: string, problems: Problems): EventTime | undefined {
  if (isAbsent(value)) {
    problems.add(path, 'errors.required', `${path} is required`);
    return undefined;
  }
  if (typeof value === 'string' && DATE_LIKE.test(value)) {
    const date = parseDate(value);
    if (date === undefined) {
      problems.add(path, 'errors.invalid_time', `${path} must be a real date such as 2026-01-30`);
      return undefined;
    }
    return { kind: 'date', year: date[0], month: date[1], day: date[2] };
  }
  const ms = readTime(value, path, problems, true);
  return ms === undefined ? undefined : { kind: 'time', ms };
}

/**
 * An event boundary in any of the three wire forms (reference 1.4): a UTC Time, a Date, or
 * `{time, tzid}` whose `time` is always UTC (or a Date). Returns the value and its wire form.
 */
export function readEventTime(
  value: unknown,
  path: string,
  problems: Problems,
): { time: EventTime; wire: unknown } | undefined {
  if (isObject(value)) {
    const time = readDateOrTime(value.time, child(path, 'time'), problems);
    const tzid = readTimeZone(value.tzid, child(path, 'tzid'), problems, false);
    if (time === undefined) return undefined;
    return { time, wire: tzid === undefined ? { time: value.time } : { time: value.time, tzid } };
  }
  if (!isAbsent(value) && typeof value !== 'string') {
    problems.add(path, 'errors.invalid_type', `${path} must be a time, a date or {time, tzid}`);
    return undefined;
  }
  const time = readDateOrTime(value, path, problems);
  return time === undefined ? undefined : { time, wire: value };
}

function readCoordinate(value: unknown, path: string, problems: Problems, limit: number): unknown {
  if (isAbsent(value)) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (
    (typeof value === 'string' && (value.trim() === '' || value.length > 32)) ||
    !Number.isFinite(number) ||
    Math.abs(number) > limit
  ) {
    problems.add(path, 'errors.invalid_value', `${path} must be a number from -${limit} to ${limit}`);
    return undefined;
  }
  return value;
}

function readLocation(value: unknown, problems: Problems): Json | undefined {
  const object = readObject(value, 'location', problems, false);
  if (object === undefined) return undefined;
  const description = readString(object.description, 'location.description', problems, {
    required: false,
    max: 1024,
  });
  const lat = readCoordinate(object.lat, 'location.lat', problems, 90);
  const long = readCoordinate(object.long, 'location.long', problems, 180);
  const location: Json = {};
  if (description !== undefined) location.description = description;
  if (lat !== undefined) location.lat = lat;
  if (long !== undefined) location.long = long;
  return location;
}

function readReminders(value: unknown, problems: Problems): Json[] | undefined {
  const list = readArray(value, 'reminders', problems, { required: false, max: REMINDERS_MAX });
  if (list === undefined) return undefined;
  const out: Json[] = [];
  list.forEach((item, i) => {
    const path = child('reminders', i);
    const object = readObject(item, path, problems, true);
    if (object === undefined) return;
    const minutes = object.minutes;
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 0 || minutes > 40_320) {
      problems.add(child(path, 'minutes'), 'errors.out_of_range', `${path}.minutes must be from 0 to 40320`);
      return;
    }
    out.push({ minutes });
  });
  return out;
}

function readEmail(value: unknown, path: string, problems: Problems): string | undefined {
  const email = readString(value, path, problems, { required: true, min: 1, max: 320 });
  if (email === undefined) return undefined;
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    problems.add(path, 'errors.invalid_format', `${path} must be an email address`);
    return undefined;
  }
  return email;
}

function readAttendees(value: unknown, problems: Problems): EventUpsert['attendees'] {
  const object = readObject(value, 'attendees', problems, false);
  if (object === undefined) return null;
  const invite: Attendee[] = [];
  const remove: string[] = [];
  const inviteList = readArray(object.invite, 'attendees.invite', problems, {
    required: false,
    max: ATTENDEES_MAX,
  });
  inviteList?.forEach((item, i) => {
    const path = child('attendees.invite', i);
    const entry = readObject(item, path, problems, true);
    if (entry === undefined) return;
    const email = readEmail(entry.email, child(path, 'email'), problems);
    const name = readString(entry.display_name, child(path, 'display_name'), problems, {
      required: false,
      max: 200,
    });
    if (email !== undefined) invite.push(name === undefined ? { email } : { email, display_name: name });
  });
  // Ruby's docs name the removal list `reject`, C# sends `remove`: both are accepted.
  for (const key of ['reject', 'remove']) {
    const list = readArray(object[key], `attendees.${key}`, problems, {
      required: false,
      max: ATTENDEES_MAX,
    });
    list?.forEach((item, i) => {
      const path = child(`attendees.${key}`, i);
      const entry = readObject(item, path, problems, true);
      if (entry === undefined) return;
      const email = readEmail(entry.email, child(path, 'email'), problems);
      if (email !== undefined) remove.push(email);
    });
  }
  return { invite, remove };
}

function readColor(value: unknown, path: string, problems: Problems): string | undefined {
  const color = readString(value, path, problems, { required: false, max: 7 });
  if (color !== undefined && !HEX_COLOR.test(color)) {
    problems.add(path, 'errors.invalid_format', `${path} must be a hex color such as #49BED8`);
    return undefined;
  }
  return color;
}

/** A required printable id: no control characters, not blank. */
function readId(value: unknown, path: string, problems: Problems, max: number): string | undefined {
  const id = readString(value, path, problems, { required: true, min: 1, max });
  if (id !== undefined && hasControl(id)) {
    problems.add(path, 'errors.invalid_format', `${path} must not contain control characters`);
    return undefined;
  }
  return id;
}

/** `POST /v1/calendars/{calendar_id}/events` (reference 7.1). */
export function readEventUpsert(body: Json, problems: Problems): EventUpsert | undefined {
  const eventId = readId(body.event_id, 'event_id', problems, EVENT_ID_MAX);
  const summary = readString(body.summary, 'summary', problems, { required: true, min: 1, max: SUMMARY_MAX });
  const description = readString(body.description, 'description', problems, {
    required: false,
    max: DESCRIPTION_MAX,
  });
  const start = readEventTime(body.start, 'start', problems);
  const end = readEventTime(body.end, 'end', problems);
  if (start !== undefined && end !== undefined) {
    if (start.time.kind !== end.time.kind) {
      problems.add('end', 'errors.invalid_value', 'start and end must both be dates or both be times');
    } else if (start.time.kind === 'time' && end.time.kind === 'time' && end.time.ms <= start.time.ms) {
      problems.add('end', 'errors.invalid_period', 'end must be after start');
    } else if (start.time.kind === 'date' && end.time.kind === 'date') {
      const a = Date.UTC(start.time.year, start.time.month - 1, start.time.day);
      const b = Date.UTC(end.time.year, end.time.month - 1, end.time.day);
      if (b <= a)
        problems.add('end', 'errors.invalid_period', 'end must be after start (the end date is exclusive)');
    }
  }
  const tzid = readTimeZone(body.tzid, 'tzid', problems, false);
  const location = readLocation(body.location, problems);
  const url = readUrl(body.url, 'url', problems, false);
  const reminders = readReminders(body.reminders, problems);
  const remindersCreateOnly = readBoolean(body.reminders_create_only, 'reminders_create_only', problems);
  const transparency = readEnum(body.transparency, 'transparency', problems, [
    'opaque',
    'transparent',
  ] as const);
  const status = readEnum(body.status, 'status', problems, ['confirmed', 'tentative', 'cancelled'] as const);
  const color = readColor(body.color, 'color', problems);
  const eventPrivate = readBoolean(body.event_private, 'event_private', problems);
  const attendees = readAttendees(body.attendees, problems);
  if (eventId === undefined || summary === undefined || start === undefined || end === undefined)
    return undefined;
  const data: Json = { start: start.wire, end: end.wire };
  const optional: Json = {
    description,
    tzid,
    location,
    url,
    reminders,
    reminders_create_only: remindersCreateOnly,
    color,
    event_private: eventPrivate,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) data[key] = value;
  return {
    eventId,
    summary,
    start: start.time,
    end: end.time,
    transparency: transparency ?? 'opaque',
    status: status ?? 'confirmed',
    attendees,
    data,
  };
}

/** `POST /v1/calendars` (reference 7.5). */
export function readCalendarCreate(
  body: Json,
  problems: Problems,
): { profileId: string; name: string; color: string | null } | undefined {
  const profileId = readId(body.profile_id, 'profile_id', problems, 200);
  const name = readString(body.name, 'name', problems, { required: true, min: 1, max: 200 });
  if (name !== undefined && hasControl(name)) {
    problems.add('name', 'errors.invalid_format', 'name must not contain control characters');
  }
  const color = readColor(body.color, 'color', problems);
  if (profileId === undefined || name === undefined || hasControl(name)) return undefined;
  return { profileId, name, color: color ?? null };
}

/** `DELETE /v1/events`: `{delete_all: true}` or `{calendar_ids: […]}`. */
export function readBulkDelete(
  body: Json,
  problems: Problems,
): { all: boolean; calendarIds: string[] | null } | undefined {
  const all = readBoolean(body.delete_all, 'delete_all', problems);
  const list = readArray(body.calendar_ids, 'calendar_ids', problems, {
    required: false,
    min: 1,
    max: CALENDAR_IDS_MAX,
  });
  const calendarIds: string[] = [];
  list?.forEach((item, i) => {
    const id = readId(item, child('calendar_ids', i), problems, 200);
    if (id !== undefined) calendarIds.push(id);
  });
  if (all !== true && isAbsent(body.calendar_ids) && isAbsent(body.delete_all)) {
    problems.add('delete_all', 'errors.required', 'give delete_all: true or calendar_ids');
  } else if (all === false && isAbsent(body.calendar_ids)) {
    problems.add('delete_all', 'errors.invalid_value', 'delete_all must be true when calendar_ids is absent');
  }
  if (!problems.isEmpty) return undefined;
  return { all: all === true, calendarIds: list === undefined ? null : calendarIds };
}

export function readEventDelete(body: Json, problems: Problems): string | undefined {
  return readId(body.event_id, 'event_id', problems, EVENT_ID_MAX);
}

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

// ---------------------------------------------------------------------------------------------
// Responses

/** A UTC Time, or with `localized_times` the wall time in `zone` with its offset. */
export function formatInstant(ms: number, zone: string | null): string {
  if (zone === null) return formatUtc(ms);
  const p = localParts(zone, ms);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const offsetMinutes = Math.round(p.offsetMs / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The date an all-day boundary was sent with, else the local date of `ms` in the calendar's zone. */
function dateOf(wire: unknown, ms: number, zone: string): string {
  const sent = isObject(wire) ? wire.time : wire;
  if (typeof sent === 'string' && parseDate(sent) !== undefined) return sent;
  return localDateText(zone, ms);
}

function boundaries(
  event: EventRecord,
  calendar: CalendarRecord | undefined,
  zone: string | null,
): { start: string; end: string } {
  if (event.allDay) {
    const calendarZone = calendar?.tzid ?? 'Etc/UTC';
    return {
      start: dateOf(event.data.start, event.startMs, calendarZone),
      end: dateOf(event.data.end, event.endMs, calendarZone),
    };
  }
  return { start: formatInstant(event.startMs, zone), end: formatInstant(event.endMs, zone) };
}

function locationOf(value: unknown): Json | undefined {
  if (!isObject(value)) return undefined;
  const out: Json = {};
  for (const key of ['description', 'lat', 'long']) {
    if (typeof value[key] === 'string' || typeof value[key] === 'number') out[key] = value[key];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function attendeesOf(value: unknown): Json[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((a): a is Json => isObject(a) && typeof a.email === 'string')
    .map((a) => ({
      email: a.email,
      ...(typeof a.display_name === 'string' ? { display_name: a.display_name } : {}),
      status: 'needs_action',
    }));
}

/** One item of `GET /v1/events` (reference 7.3). Absent optional fields are omitted. */
export function eventToWire(
  event: EventRecord,
  calendar: CalendarRecord | undefined,
  zone: string | null,
): Json {
  const { data } = event;
  const location = locationOf(data.location);
  return {
    calendar_id: event.calendarId,
    event_uid: event.eventUid,
    event_id: event.eventId,
    summary: event.summary,
    description: typeof data.description === 'string' ? data.description : '',
    ...boundaries(event, calendar, zone),
    deleted: event.deleted,
    created: formatUtc(event.createdAt),
    updated: formatUtc(event.updatedAt),
    ...(location === undefined ? {} : { location }),
    participation_status: 'accepted',
    attendees: attendeesOf(data.attendees),
    transparency: event.transparency,
    status: event.status,
    categories: [],
    recurring: false,
    event_private: data.event_private === true,
    options: { delete: true, update: true, change_participation_status: false },
  };
}

/** One item of `GET /v1/free_busy` (reference 7.4). */
export function freeBusyToWire(
  event: EventRecord,
  calendar: CalendarRecord | undefined,
  zone: string | null,
): Json {
  return {
    calendar_id: event.calendarId,
    ...boundaries(event, calendar, zone),
    free_busy_status: event.status === 'tentative' ? 'tentative' : 'busy',
  };
}

export function calendarToWire(
  calendar: CalendarRecord,
  account: { readonly profileId: string; readonly name: string },
): Json {
  return {
    provider_name: calendar.kind === 'native' ? 'cronofy' : calendar.kind,
    profile_id: account.profileId,
    profile_name: account.name,
    calendar_id: calendar.id,
    calendar_name: calendar.name,
    calendar_readonly: calendar.readOnly || calendar.kind === 'ics',
    calendar_deleted: calendar.deleted,
    calendar_primary: calendar.primary,
    calendar_integrated_conferencing_available: false,
    calendar_attachments_available: false,
    permission_level: 'unrestricted',
    ...(calendar.color === null ? {} : { calendar_color: calendar.color }),
  };
}

export function ruleToWire(rule: AvailabilityRuleRecord): Json {
  return {
    availability_rule_id: rule.ruleId,
    tzid: rule.tzid,
    ...(rule.calendarIds === null ? {} : { calendar_ids: rule.calendarIds }),
    weekly_periods: rule.weeklyPeriods.map((p) => ({
      day: p.day,
      start_time: p.startTime,
      end_time: p.endTime,
    })),
  };
}

export function periodToWire(period: AvailablePeriodRecord, zone: string | null): Json {
  return {
    available_period_id: period.periodId,
    start: formatInstant(period.startMs, zone),
    end: formatInstant(period.endMs, zone),
  };
}
