/**
 * The calendar state of the fake Google (fake-google.ts): calendars, who sees them with what
 * access, events kept the way Google keeps them (a deleted event stays, `status: cancelled`, for
 * incremental sync), recurring series stored as a master plus its instances, and a change
 * sequence per calendar from which sync tokens are made. Wire shapes follow Calendar API v3.
 */
import { randomBytes } from 'node:crypto';
import { startOfLocalDate, zonedWallToInstant } from '../../src/domain/time/wall-clock.ts';
import { zoneOffsetMs } from '../../src/domain/time/zones.ts';

/** Google's Event resource as a client writes it (the fields the fake keeps). */
export type GoogleEventInput = {
  id?: string;
  status?: 'confirmed' | 'tentative' | 'cancelled';
  summary?: string | null;
  description?: string | null;
  location?: string | null;
  start: GoogleTime;
  end: GoogleTime;
  transparency?: 'opaque' | 'transparent';
  attendees?: { email: string; responseStatus?: string; optional?: boolean; displayName?: string }[];
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  /** `['RRULE:FREQ=DAILY|WEEKLY;COUNT=n;INTERVAL=k']`: the series is stored as its instances. */
  recurrence?: string[];
};
export type GoogleTime = { dateTime?: string; date?: string; timeZone?: string };
export type AccessRole = 'owner' | 'writer' | 'reader' | 'freeBusyReader';

type StoredEvent = {
  id: string;
  /** Fields as written, without kind/etag/updated (added on the way out). */
  body: Record<string, unknown>;
  seq: number;
  updated: string;
  deleted: boolean;
  /** A recurring series' master: hidden from `singleEvents=true` lists. */
  master: boolean;
  /** For an instance: its series' id. */
  seriesId: string | null;
  startMs: number;
  endMs: number;
};

export type FakeCalendar = {
  readonly id: string;
  summary: string;
  timeZone: string;
  /** Google's opaque id of the watched resource (the calendar's events). */
  readonly resourceId: string;
  readonly events: Map<string, StoredEvent>;
  /** Bumped by every change; a sync token is the sequence it was issued at. */
  seq: number;
  /** Bumped by `invalidateSyncTokens`: older tokens are answered 410. */
  generation: number;
};

/** Instances made of one RRULE at most (a bound, as Google's own expansion has). */
const MAX_INSTANCES = 730;
const DAY_MS = 86_400_000;
const EVENT_ID = /^[a-v0-9]{5,1024}$/;
/** A date-time that names its offset (RFC 3339); without one it is wall-clock time in a zone. */
const OFFSET = /(?:[zZ]|[+-]\d{2}:\d{2})$/;

export class FakeGoogleError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export class CalendarState {
  readonly calendars = new Map<string, FakeCalendar>();
  /** user e-mail → calendar id → access role, in calendarList order. */
  readonly access = new Map<string, Map<string, AccessRole>>();
  readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  addCalendar(id: string, summary: string, timeZone: string): FakeCalendar {
    if (this.calendars.has(id)) throw new Error(`calendar ${id} exists`);
    const calendar: FakeCalendar = {
      id,
      summary,
      timeZone,
      resourceId: randomBytes(12).toString('base64url'),
      events: new Map(),
      seq: 0,
      generation: 0,
    };
    this.calendars.set(id, calendar);
    return calendar;
  }

  calendar(id: string): FakeCalendar {
    const calendar = this.calendars.get(id);
    if (calendar === undefined) throw new Error(`no calendar ${id}`);
    return calendar;
  }

  /** The calendar a user reaches under `id` (`primary` is their own), or a 404 as Google answers it. */
  reach(user: string, id: string): { calendar: FakeCalendar; role: AccessRole } {
    const calendarId = id === 'primary' ? user : id;
    const role = this.access.get(user)?.get(calendarId);
    const calendar = this.calendars.get(calendarId);
    if (role === undefined || calendar === undefined) throw new FakeGoogleError(404, 'notFound', 'Not Found');
    return { calendar, role };
  }

  /** Creates the event (or series); `id` given and already used, deleted or not, is a 409. */
  insert(calendar: FakeCalendar, input: GoogleEventInput): StoredEvent {
    const id = input.id ?? randomEventId();
    if (!EVENT_ID.test(id)) throw new FakeGoogleError(400, 'invalid', 'Invalid resource id value.');
    if (calendar.events.has(id)) {
      throw new FakeGoogleError(409, 'duplicate', 'The requested identifier already exists.');
    }
    return this.write(calendar, id, { ...input, id });
  }

  /** PATCH semantics: fields present replace, null clears; a master's change reaches its instances. */
  patch(calendar: FakeCalendar, id: string, fields: Partial<GoogleEventInput>): StoredEvent {
    const stored = this.existing(calendar, id);
    const merged: Record<string, unknown> = { ...stored.body };
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'id') continue;
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    if (stored.deleted && fields.status === undefined) merged.status = 'confirmed';
    return this.write(calendar, id, merged as GoogleEventInput);
  }

  /** Deletes the event (a master with all its instances); one already deleted is a 410. */
  remove(calendar: FakeCalendar, id: string): void {
    const stored = this.existing(calendar, id);
    if (stored.deleted) throw new FakeGoogleError(410, 'deleted', 'Resource has been deleted');
    this.markDeleted(calendar, stored);
    if (stored.master) {
      for (const event of calendar.events.values()) {
        if (event.seriesId === id && !event.deleted) this.markDeleted(calendar, event);
      }
    }
  }

  /** The event, or 404 (never existed) and 410 (deleted) as Google answers reads and writes of it. */
  existing(calendar: FakeCalendar, id: string): StoredEvent {
    const stored = calendar.events.get(id);
    if (stored === undefined) throw new FakeGoogleError(404, 'notFound', 'Not Found');
    return stored;
  }

  private markDeleted(calendar: FakeCalendar, event: StoredEvent): void {
    event.deleted = true;
    event.body = { ...event.body, status: 'cancelled' };
    this.touch(calendar, event);
  }

  private touch(calendar: FakeCalendar, event: StoredEvent): void {
    calendar.seq += 1;
    event.seq = calendar.seq;
    event.updated = new Date(this.now()).toISOString();
  }

  private write(calendar: FakeCalendar, id: string, input: GoogleEventInput): StoredEvent {
    const span = spanOf(input, calendar.timeZone);
    const previous = calendar.events.get(id);
    const rule = parseRule(input.recurrence);
    const cancelled = input.status === 'cancelled';
    const stored: StoredEvent = {
      id,
      body: { ...input, id, status: input.status ?? 'confirmed' },
      seq: 0,
      updated: '',
      deleted: cancelled,
      master: rule !== null,
      seriesId: previous?.seriesId ?? null,
      startMs: span.start,
      endMs: span.end,
    };
    calendar.events.set(id, stored);
    this.touch(calendar, stored);
    if (rule !== null) this.writeInstances(calendar, stored, input, rule);
    return stored;
  }

  /** Replaces a series' instances: each occurrence is its own event `{seriesId}_{start}`. */
  private writeInstances(
    calendar: FakeCalendar,
    master: StoredEvent,
    input: GoogleEventInput,
    rule: { stepDays: number; count: number },
  ): void {
    const keep = new Set<string>();
    const { recurrence: _recurrence, id: _id, ...fields } = input;
    for (let index = 0; index < rule.count; index++) {
      const start = shiftTime(input.start, index * rule.stepDays);
      const end = shiftTime(input.end, index * rule.stepDays);
      const span = spanOf({ ...input, start, end }, calendar.timeZone);
      const instanceId = `${master.id}_${basicForm(start, span.start)}`;
      keep.add(instanceId);
      const instance: StoredEvent = {
        id: instanceId,
        body: {
          ...fields,
          id: instanceId,
          status: master.deleted ? 'cancelled' : (input.status ?? 'confirmed'),
          start,
          end,
          recurringEventId: master.id,
          originalStartTime: start,
        },
        seq: 0,
        updated: '',
        deleted: master.deleted,
        master: false,
        seriesId: master.id,
        startMs: span.start,
        endMs: span.end,
      };
      calendar.events.set(instanceId, instance);
      this.touch(calendar, instance);
    }
    for (const event of calendar.events.values()) {
      if (event.seriesId === master.id && !keep.has(event.id) && !event.deleted)
        this.markDeleted(calendar, event);
    }
  }

  /** The wire form of an event as `calendarId`'s copy shows it (`self` marks the calendar's attendee). */
  resource(calendar: FakeCalendar, event: StoredEvent): Record<string, unknown> {
    const common = { kind: 'calendar#event', etag: `"${event.seq}"`, id: event.id };
    if (event.deleted) {
      // What Google guarantees of a deleted event: its id and status (and which series it was of).
      const series = event.seriesId === null ? {} : { recurringEventId: event.seriesId };
      return { ...common, status: 'cancelled', ...series, originalStartTime: event.body.originalStartTime };
    }
    const attendees = event.body.attendees as { email: string }[] | undefined;
    return {
      ...common,
      ...event.body,
      updated: event.updated,
      created: event.updated,
      start: wireTime(event.body.start as GoogleTime, event.startMs, calendar.timeZone),
      end: wireTime(event.body.end as GoogleTime, event.endMs, calendar.timeZone),
      iCalUID: `${event.seriesId ?? event.id}@google.com`,
      organizer: { email: calendar.id, self: true },
      ...(attendees === undefined
        ? {}
        : {
            attendees: attendees.map((a) => ({ ...a, ...(a.email === calendar.id ? { self: true } : {}) })),
          }),
    };
  }

  /** Events `singleEvents` selects: instances and plain events (true) or masters and plain events. */
  listed(calendar: FakeCalendar, singleEvents: boolean): StoredEvent[] {
    return [...calendar.events.values()]
      .filter((e) => (singleEvents ? !e.master : e.seriesId === null))
      .sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1));
  }

  /** Busy periods as freeBusy reports them: not cancelled, not transparent, not declined by the calendar. */
  busy(calendar: FakeCalendar, from: number, to: number): { start: number; end: number }[] {
    const spans = this.listed(calendar, true)
      .filter((e) => !e.deleted && e.body.transparency !== 'transparent' && !declinedBy(e, calendar.id))
      .filter((e) => e.endMs > from && e.startMs < to && e.endMs > e.startMs)
      .map((e) => ({ start: Math.max(e.startMs, from), end: Math.min(e.endMs, to) }))
      .sort((a, b) => a.start - b.start);
    const merged: { start: number; end: number }[] = [];
    for (const span of spans) {
      const last = merged.at(-1);
      if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    return merged;
  }
}

/** Google always answers a date-time with its offset (`2026-03-23T09:00:00+01:00`), whatever was written. */
function wireTime(time: GoogleTime, instant: number, calendarZone: string): GoogleTime {
  if (typeof time.dateTime !== 'string' || OFFSET.test(time.dateTime)) return time;
  const offset = zoneOffsetMs(time.timeZone ?? calendarZone, instant);
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const wall = new Date(instant + offset).toISOString().slice(0, 19);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  return { ...time, dateTime: `${wall}${sign}${hh}:${String(minutes % 60).padStart(2, '0')}` };
}

function declinedBy(event: StoredEvent, calendarId: string): boolean {
  const attendees = event.body.attendees as { email: string; responseStatus?: string }[] | undefined;
  return attendees?.some((a) => a.email === calendarId && a.responseStatus === 'declined') ?? false;
}

function randomEventId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  return [...randomBytes(26)].map((byte) => alphabet[byte & 31]).join('');
}

/** Start and end instants of an event (all-day dates at midnight in the calendar's zone). */
function spanOf(input: GoogleEventInput, zone: string): { start: number; end: number } {
  if (input.start === undefined || input.end === undefined) {
    throw new FakeGoogleError(400, 'required', 'Missing end time.');
  }
  const start = instantOf(input.start, zone);
  const end = instantOf(input.end, zone);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new FakeGoogleError(400, 'invalid', 'Bad Request');
  if (end < start) throw new FakeGoogleError(400, 'timeRangeEmpty', 'The specified time range is empty.');
  return { start, end };
}

function instantOf(time: GoogleTime, zone: string): number {
  if (typeof time.date === 'string') {
    const [year, month, day] = time.date.split('-').map(Number) as [number, number, number];
    return startOfLocalDate(zone, year, month, day);
  }
  if (typeof time.dateTime !== 'string') return Number.NaN;
  if (OFFSET.test(time.dateTime)) return Date.parse(time.dateTime);
  const [date, clock] = time.dateTime.split('T') as [string, string];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute, second] = clock.split(':').map((part) => Number.parseInt(part, 10)) as [
    number,
    number,
    number,
  ];
  return zonedWallToInstant(time.timeZone ?? zone, { year, month, day, hour, minute, second });
}

/** `FREQ=DAILY|WEEKLY` with `COUNT` (and `INTERVAL`): all the fake expands; anything else is a 400. */
function parseRule(recurrence: string[] | undefined): { stepDays: number; count: number } | null {
  const rule = recurrence?.find((line) => line.startsWith('RRULE:'));
  if (rule === undefined) return null;
  const parts = new Map(
    rule
      .slice(6)
      .split(';')
      .map((part) => part.split('=') as [string, string]),
  );
  const freq = parts.get('FREQ');
  const count = Number(parts.get('COUNT'));
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if ((freq !== 'DAILY' && freq !== 'WEEKLY') || !Number.isInteger(count) || count < 1) {
    throw new FakeGoogleError(400, 'invalid', 'Invalid recurrence rule.');
  }
  return { stepDays: (freq === 'DAILY' ? 1 : 7) * interval, count: Math.min(count, MAX_INSTANCES) };
}

/**
 * The time `days` later: dates and wall-clock date-times (no offset, read in their zone) by
 * calendar days, so a weekly 9:00 stays 9:00 across DST; date-times with an offset by 24-hour days.
 */
function shiftTime(time: GoogleTime, days: number): GoogleTime {
  const addDays = (date: string) =>
    new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
  if (typeof time.date === 'string') return { date: addDays(time.date) };
  const dateTime = time.dateTime ?? '';
  if (!OFFSET.test(dateTime))
    return { ...time, dateTime: `${addDays(dateTime.slice(0, 10))}${dateTime.slice(10)}` };
  return {
    ...time,
    dateTime: new Date(Date.parse(dateTime) + days * DAY_MS).toISOString().replace('.000Z', 'Z'),
  };
}

/** `20260302T100000Z` or `20260302`: the suffix Google gives instance ids. */
function basicForm(time: GoogleTime, startMs: number): string {
  if (typeof time.date === 'string') return time.date.replaceAll('-', '');
  return new Date(startMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
