/**
 * Graph event resources as the port sees them: busy time, rtseq's uid, and the JSON rtseq writes.
 * Times arrive as `{dateTime, timeZone}` wall-clock pairs: in UTC when Graph honours
 * `Prefer: outlook.timezone="UTC"`, in any Windows or IANA zone otherwise; both are read here.
 */
import type { Interval } from '../../../domain/time/intervals.ts';
import { startOfLocalDate, zonedWallToInstant } from '../../../domain/time/wall-clock.ts';
import { isValidTimeZone, localParts } from '../../../domain/time/zones.ts';
import {
  type ProviderEventInput,
  providerError,
  type RemoteEventChange,
} from '../../../ports/synced-provider.ts';
import { ianaZoneOf } from './windows-zones.ts';

/**
 * rtseq's events carry `transactionId = "rtseq-" + uid`: Graph keeps the property on the event, so
 * sync reads the uid back from the same field that makes a retried create harmless. An event
 * another program created with a transactionId has no such prefix and stays foreign.
 */
export const TRANSACTION_PREFIX = 'rtseq-';

/** The fields of an event the adapter reads (`$select` of calendarView). */
export const EVENT_FIELDS = 'id,isCancelled,showAs,isAllDay,start,end,originalStartTimeZone,transactionId';

type DateTimeTimeZone = { readonly dateTime: string; readonly timeZone: string };

function isDateTimeTimeZone(value: unknown): value is DateTimeTimeZone {
  const candidate = value as { dateTime?: unknown; timeZone?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.dateTime === 'string' &&
    typeof candidate.timeZone === 'string'
  );
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z)?$/;

type Wall = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
};

function wallOf(dateTime: string, what: string): Wall {
  const match = DATE_TIME.exec(dateTime);
  if (match === null) throw providerError('bad_response', `${what}: unreadable dateTime`);
  return {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6] ?? 0),
    ms: Number((match[7] ?? '0').padEnd(3, '0').slice(0, 3)),
  };
}

/** The instant a Graph `{dateTime, timeZone}` names; `bad_response` for a zone nobody knows. */
export function instantOf(value: DateTimeTimeZone, what: string): number {
  const wall = wallOf(value.dateTime, what);
  const zone = DATE_TIME.exec(value.dateTime)?.[8] === 'Z' ? 'UTC' : ianaZoneOf(value.timeZone);
  if (zone === null)
    throw providerError('bad_response', `${what}: unknown time zone ${JSON.stringify(value.timeZone)}`);
  const seconds = zonedWallToInstant(zone, wall);
  return seconds + wall.ms;
}

/**
 * The busy interval of a Graph event, or null when it does not make its owner busy (SPEC 8c:
 * cancelled, `showAs` free or workingElsewhere, or nothing between start and end). All-day events
 * cover their dates in `allDayZone` (the calendar's), else in the event's own zone, else UTC.
 */
export function busyOf(
  event: Readonly<Record<string, unknown>>,
  allDayZone: string | null,
  what: string,
): Interval | null {
  if (event.isCancelled === true) return null;
  if (event.showAs === 'free' || event.showAs === 'workingElsewhere') return null;
  if (!isDateTimeTimeZone(event.start) || !isDateTimeTimeZone(event.end))
    throw providerError('bad_response', `${what}: an event without start or end`);
  if (event.isAllDay === true) {
    const zone =
      allDayZone ??
      ianaZoneOf(event.originalStartTimeZone as string | undefined) ??
      ianaZoneOf(event.start.timeZone) ??
      'UTC';
    const first = wallOf(event.start.dateTime, what);
    const after = wallOf(event.end.dateTime, what);
    const start = startOfLocalDate(zone, first.year, first.month, first.day);
    const end = startOfLocalDate(zone, after.year, after.month, after.day);
    return end > start
      ? { start, end }
      : { start, end: startOfLocalDate(zone, first.year, first.month, first.day + 1) };
  }
  const start = instantOf(event.start, what);
  const end = instantOf(event.end, what);
  return end > start ? { start, end } : null;
}

/** The rtseq uid of an event rtseq wrote (its transactionId), else null. */
export function rtseqUidOf(event: Readonly<Record<string, unknown>>): string | null {
  const transactionId = event.transactionId;
  if (typeof transactionId !== 'string' || !transactionId.startsWith(TRANSACTION_PREFIX)) return null;
  const uid = transactionId.slice(TRANSACTION_PREFIX.length);
  return uid.length > 0 ? uid : null;
}

/** One entry of a calendarView or delta page as a change (`@removed` entries delete). */
export function changeOf(entry: unknown, allDayZone: string | null, what: string): RemoteEventChange {
  const event = entry as Record<string, unknown> | null;
  if (typeof event !== 'object' || event === null || typeof event.id !== 'string' || event.id.length === 0)
    throw providerError('bad_response', `${what}: an event without id`);
  if (event['@removed'] !== undefined) return { kind: 'delete', key: event.id };
  return {
    kind: 'upsert',
    key: event.id,
    busy: busyOf(event, allDayZone, what),
    rtseqUid: rtseqUidOf(event),
  };
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** An instant as Graph's wall-clock `{dateTime, timeZone}` in `zone` (an IANA name; UTC when unknown). */
export function dateTimeIn(instant: number, zone: string): DateTimeTimeZone {
  const known = isValidTimeZone(zone) ? zone : 'UTC';
  const parts = localParts(known, instant);
  const dateTime =
    `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}` +
    `T${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}.${pad(parts.millisecond, 3)}0000`;
  return { dateTime, timeZone: known };
}

/** The JSON body of an event rtseq writes: no attendees, so Graph sends no invitation. */
export function eventBody(event: ProviderEventInput): Record<string, unknown> {
  return {
    subject: event.summary,
    body: { contentType: 'text', content: event.description ?? '' },
    start: dateTimeIn(event.start, event.tzid),
    end: dateTimeIn(event.end, event.tzid),
    location: { displayName: event.location ?? '' },
    showAs: 'busy',
    isReminderOn: false,
  };
}

/** The body of the create: the event plus the transactionId that makes a retried POST harmless. */
export function createBody(event: ProviderEventInput): Record<string, unknown> {
  return { ...eventBody(event), transactionId: `${TRANSACTION_PREFIX}${event.uid}` };
}
