/**
 * Body readers of the event endpoints (reference 7.1, 7.2): upsert, delete and bulk delete.
 * Every reader collects all problems with dotted paths and never throws.
 */
import type { Attendee, EventTime, EventUpsert } from '../../app/calendars/events.ts';
import type { Problems } from '../../domain/errors.ts';
import { readTags, tagsToWire } from './constraints.ts';
import {
  CALENDAR_IDS_MAX,
  DATE_LIKE,
  DESCRIPTION_MAX,
  EVENT_ID_MAX,
  readColor,
  readId,
  SUMMARY_MAX,
} from './fields.ts';
import {
  child,
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

const REMINDERS_MAX = 10;
const ATTENDEES_MAX = 100;

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
  const tags = readTags(body.tags, 'tags', problems);
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
    tags: tags === undefined || tags.length === 0 ? undefined : tagsToWire(tags),
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
