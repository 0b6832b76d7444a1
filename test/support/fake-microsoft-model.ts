/**
 * The data of the fake Microsoft 365 (fake-microsoft.ts): users (mailboxes), calendars, events
 * with a version each (for delta), and how an event is written on the wire (Graph's event
 * resource, times as `{dateTime, timeZone}` wall-clock pairs).
 */
import { randomUUID } from 'node:crypto';
import { startOfLocalDate, zonedWallToInstant } from '../../src/domain/time/wall-clock.ts';
import { isValidTimeZone, localParts } from '../../src/domain/time/zones.ts';

export type FakeShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

export type FakeUser = {
  readonly id: string;
  readonly tenantId: string;
  mail: string | null;
  userPrincipalName: string;
  displayName: string;
  /** IANA zone the mailbox lives in: where all-day events are placed. */
  timeZone: string;
  /** What `mailboxSettings` answers as `timeZone` (a Windows name, say); defaults to `timeZone`. */
  mailboxTimeZone: string;
  /** False answers `mailboxSettings` 403, as Graph does without MailboxSettings.Read. */
  mailboxSettingsReadable: boolean;
};

export type FakeCalendar = {
  readonly id: string;
  readonly userId: string;
  name: string;
  isDefaultCalendar: boolean;
  canEdit: boolean;
};

export type FakeEvent = {
  readonly id: string;
  readonly calendarId: string;
  subject: string;
  body: string;
  location: string;
  /** Timed events: instants. All-day events: the first instant of their dates in the mailbox zone. */
  start: number;
  end: number;
  /** All-day events: `YYYY-MM-DD` of the first day and of the day after the last; else null. */
  allDay: { start: string; end: string } | null;
  /** IANA zone the event's wall times are written in when Graph ignores the Prefer header. */
  timeZone: string;
  /** The event's `originalStartTimeZone` label (Windows or IANA name). */
  originalStartTimeZone: string;
  showAs: FakeShowAs;
  isCancelled: boolean;
  transactionId: string | null;
  type: 'singleInstance' | 'occurrence' | 'exception';
  seriesMasterId: string | null;
  version: number;
  createdAt: number;
  modifiedAt: number;
};

/** Test input for an event: timed (ISO instants or epoch ms) or all-day (`YYYY-MM-DD` dates, end exclusive). */
export type FakeEventInput = {
  readonly subject?: string;
  readonly start: string | number;
  readonly end: string | number;
  readonly timeZone?: string;
  readonly originalStartTimeZone?: string;
  readonly showAs?: FakeShowAs;
  readonly isCancelled?: boolean;
  readonly transactionId?: string | null;
  readonly location?: string;
  readonly body?: string;
};

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function newId(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '')}`;
}

/** The first instant of a `YYYY-MM-DD` date in an IANA zone. */
export function dateStart(date: string, zone: string): number {
  const match = DATE_ONLY.exec(date);
  if (match === null) throw new Error(`not a date: ${date}`);
  return startOfLocalDate(zone, Number(match[1]), Number(match[2]), Number(match[3]));
}

function instantOfInput(value: string | number): number {
  const instant = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(instant)) throw new Error(`not an instant: ${value}`);
  return instant;
}

/** A new event from test input, placed in the mailbox's zone when all-day. */
export function eventFromInput(
  calendarId: string,
  user: FakeUser,
  input: FakeEventInput,
  now: number,
  id: string = newId('AAMkEv'),
): FakeEvent {
  const event: FakeEvent = {
    id,
    calendarId,
    subject: input.subject ?? 'Event',
    body: input.body ?? '',
    location: input.location ?? '',
    start: 0,
    end: 0,
    allDay: null,
    timeZone: input.timeZone ?? 'UTC',
    originalStartTimeZone: input.originalStartTimeZone ?? input.timeZone ?? 'UTC',
    showAs: input.showAs ?? 'busy',
    isCancelled: input.isCancelled ?? false,
    transactionId: input.transactionId ?? null,
    type: 'singleInstance',
    seriesMasterId: null,
    version: 1,
    createdAt: now,
    modifiedAt: now,
  };
  placeTimes(event, user, input.start, input.end);
  return event;
}

/** Sets start and end from test input (dates make the event all-day). */
export function placeTimes(event: FakeEvent, user: FakeUser, start: string | number, end: string | number) {
  if (typeof start === 'string' && DATE_ONLY.test(start) && typeof end === 'string' && DATE_ONLY.test(end)) {
    event.allDay = { start, end };
    event.start = dateStart(start, user.timeZone);
    event.end = dateStart(end, user.timeZone);
  } else {
    event.allDay = null;
    event.start = instantOfInput(start);
    event.end = instantOfInput(end);
  }
}

/**
 * A few Windows zone names the fake accepts in event writes (Graph takes Windows and IANA names).
 * Independent of the adapter's table on purpose.
 */
const WINDOWS_ZONES: Readonly<Record<string, string>> = {
  UTC: 'UTC',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Eastern Standard Time': 'America/New_York',
  'W. Europe Standard Time': 'Europe/Berlin',
  'GMT Standard Time': 'Europe/London',
  'India Standard Time': 'Asia/Kolkata',
};

export function fakeZone(name: string): string | null {
  return WINDOWS_ZONES[name] ?? (isValidTimeZone(name) ? name : null);
}

const WIRE_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** Graph's `{dateTime, timeZone}` as an instant; null when unreadable or the zone is unknown. */
export function readWireTime(value: unknown): { instant: number; zone: string; date: string } | null {
  const pair = value as { dateTime?: unknown; timeZone?: unknown } | null;
  if (typeof pair?.dateTime !== 'string' || typeof pair.timeZone !== 'string') return null;
  const match = WIRE_DATE_TIME.exec(pair.dateTime);
  const zone = fakeZone(pair.timeZone);
  if (match === null || zone === null) return null;
  const wall = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6] ?? 0),
  };
  return { instant: zonedWallToInstant(zone, wall), zone, date: `${match[1]}-${match[2]}-${match[3]}` };
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** An instant as Graph writes it: 7 fractional digits, no offset. */
export function wireDateTime(instant: number, zone: string): string {
  const p = localParts(zone, instant);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.0000000`;
}

/**
 * Zone the times of an answer are written in: the `Prefer: outlook.timezone` one (UTC without
 * it), or null for "each event in its own zone" (the fake's ignorePreferTimeZone fault).
 */
export type WireZone = { readonly iana: string; readonly label: string } | null;

/** The event resource as Graph sends it (all properties; `$select` picks from these). */
export function eventResource(event: FakeEvent, zone: WireZone, userId: string): Record<string, unknown> {
  const iana = zone?.iana ?? event.timeZone;
  const label = zone?.label ?? event.originalStartTimeZone;
  const time = (instant: number, date: string | undefined) => ({
    dateTime: date !== undefined ? `${date}T00:00:00.0000000` : wireDateTime(instant, iana),
    timeZone: label,
  });
  return {
    '@odata.etag': `W/"${event.id}-${event.version}"`,
    id: event.id,
    createdDateTime: new Date(event.createdAt).toISOString(),
    lastModifiedDateTime: new Date(event.modifiedAt).toISOString(),
    changeKey: `${event.id}-${event.version}`,
    transactionId: event.transactionId,
    originalStartTimeZone: event.originalStartTimeZone,
    originalEndTimeZone: event.originalStartTimeZone,
    subject: event.subject,
    bodyPreview: event.body.slice(0, 255),
    body: { contentType: 'text', content: event.body },
    isAllDay: event.allDay !== null,
    isCancelled: event.isCancelled,
    isReminderOn: false,
    showAs: event.showAs,
    type: event.type,
    seriesMasterId: event.seriesMasterId,
    start: time(event.start, event.allDay?.start),
    end: time(event.end, event.allDay?.end),
    location: { displayName: event.location },
    attendees: [],
    organizer: { emailAddress: { address: userId } },
  };
}

/** `$select` applied: the listed properties plus `id` and the etag, as Graph does. */
export function selectFields(
  resource: Record<string, unknown>,
  select: string | null,
): Record<string, unknown> {
  if (select === null || select === '') return resource;
  const keep = new Set(['@odata.etag', 'id', ...select.split(',').map((field) => field.trim())]);
  return Object.fromEntries(Object.entries(resource).filter(([key]) => keep.has(key)));
}

/** True when the event overlaps `[from, to)` (calendarView's rule). */
export function overlaps(event: FakeEvent, from: number, to: number): boolean {
  return event.start < to && event.end > from;
}
