/**
 * Google Calendar events as rtseq reads and writes them: the busy rules of SPEC 8c, all-day dates
 * in the calendar's zone, and the event id derived from rtseq's uid that makes a retried insert
 * harmless.
 */
import { createHash } from 'node:crypto';
import type { Interval } from '../../../domain/time/intervals.ts';
import { startOfLocalDate, zonedWallToInstant } from '../../../domain/time/wall-clock.ts';
import type { ProviderEventInput, RemoteEventChange } from '../../../ports/synced-provider.ts';
import { fail } from './transport.ts';

/** The parts of Google's Event resource rtseq reads (calendar_v3.Schema$Event, loosely typed). */
export type GoogleEvent = {
  readonly id?: unknown;
  readonly status?: unknown;
  readonly transparency?: unknown;
  readonly start?: GoogleEventTime | null;
  readonly end?: GoogleEventTime | null;
  readonly attendees?: unknown;
  readonly extendedProperties?: { readonly private?: Record<string, unknown> | null } | null;
};

type GoogleEventTime = { readonly date?: unknown; readonly dateTime?: unknown; readonly timeZone?: unknown };

/** The private extended property that carries rtseq's uid on events rtseq wrote. */
export const RTSEQ_UID_PROPERTY = 'rtseqUid';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';
/** Google event ids are 5 to 1024 characters of base32hex (RFC 2938 section 3.1.2). */
const MAX_EVENT_ID_LENGTH = 1024;

/**
 * The Google event id of rtseq's event `uid`: `rtseq` and the lowercase base32hex of its UTF-8
 * bytes, so the same uid always names the same event (a retried insert meets a 409, not a
 * duplicate). A uid too long for that is hashed (`rtseqh` + base32hex of its SHA-256).
 */
export function googleEventId(uid: string): string {
  const direct = `rtseq${base32hex(Buffer.from(uid, 'utf8'))}`;
  if (direct.length <= MAX_EVENT_ID_LENGTH) return direct;
  return `rtseqh${base32hex(createHash('sha256').update(uid, 'utf8').digest())}`;
}

function base32hex(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32HEX[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}

/** The JSON body of an insert (with `id`) or a patch (without). */
export function googleEventBody(event: ProviderEventInput, id: string | null): Record<string, unknown> {
  return {
    ...(id === null ? {} : { id }),
    summary: event.summary,
    // A patch sends null to clear a field; an insert simply leaves it out.
    ...(event.description === null && id !== null ? {} : { description: event.description }),
    ...(event.location === null && id !== null ? {} : { location: event.location }),
    start: { dateTime: new Date(event.start).toISOString(), timeZone: event.tzid },
    end: { dateTime: new Date(event.end).toISOString(), timeZone: event.tzid },
    transparency: 'opaque',
    extendedProperties: { private: { [RTSEQ_UID_PROPERTY]: event.uid } },
  };
}

/**
 * One item of `events.list` as sync sees it. Google reports a deleted event (and a cancelled
 * instance of a series) as `status: cancelled`, so that is a delete. `zone` reads all-day dates
 * and times without an offset.
 */
export function eventChange(event: GoogleEvent, zone: string): RemoteEventChange {
  if (typeof event.id !== 'string' || event.id === '') {
    throw fail('bad_response', 'Google events.list: an event without an id');
  }
  if (event.status === 'cancelled') return { kind: 'delete', key: event.id };
  const uid = event.extendedProperties?.private?.[RTSEQ_UID_PROPERTY];
  return {
    kind: 'upsert',
    key: event.id,
    busy: makesBusy(event) ? eventInterval(event, zone) : null,
    rtseqUid: typeof uid === 'string' && uid !== '' ? uid : null,
  };
}

/** Not transparent ("show as available") and not declined by the calendar's owner (`self`). */
function makesBusy(event: GoogleEvent): boolean {
  if (event.transparency === 'transparent') return false;
  if (Array.isArray(event.attendees)) {
    const self = event.attendees.find((a) => (a as { self?: unknown } | null)?.self === true) as
      | { responseStatus?: unknown }
      | undefined;
    if (self?.responseStatus === 'declined') return false;
  }
  return true;
}

/** The event's time; null when it is empty (end not after start). */
function eventInterval(event: GoogleEvent, zone: string): Interval | null {
  const start = instantOf(event.start, zone);
  const end = instantOf(event.end, zone);
  if (start === null || end === null) {
    throw fail('bad_response', `Google events.list: event ${String(event.id)} has no readable start or end`);
  }
  return end > start ? { start, end } : null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * An event time: `date` (all-day, its midnight in `zone`) or `dateTime` (RFC 3339; Google always
 * sends an offset, but one without is read in the time's own zone or else `zone`).
 */
export function instantOf(time: GoogleEventTime | null | undefined, zone: string): number | null {
  if (time === null || time === undefined) return null;
  if (typeof time.dateTime === 'string') {
    const match = DATE_TIME.exec(time.dateTime);
    if (match === null) return null;
    if (match[7] !== undefined) {
      const at = Date.parse(time.dateTime);
      return Number.isNaN(at) ? null : at;
    }
    const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const ownZone = typeof time.timeZone === 'string' && time.timeZone !== '' ? time.timeZone : zone;
    return zonedWallToInstant(ownZone, { year, month, day, hour, minute, second });
  }
  if (typeof time.date === 'string') {
    const match = DATE.exec(time.date);
    if (match === null) return null;
    return startOfLocalDate(zone, Number(match[1]), Number(match[2]), Number(match[3]));
  }
  return null;
}

/** Google's `timeMin`/`timeMax` form of an instant. */
export function rfc3339(instant: number): string {
  return new Date(instant).toISOString();
}
