/**
 * iCalendar (RFC 5545) writer for the events rtseq books: CalDAV write-back and the invitee's
 * `.ics` download (SPEC 6.2, 6.3). Pure: no clock (DTSTAMP is an input), no I/O. Time zones are
 * described from the runtime's Intl data, so no tz database ships with the writer.
 */
import { wallToInstant, zoneOffsetAt } from '../time/wall-clock.ts';
import { offsetStretches } from '../time/zones.ts';

/** One event to write. Instants are epoch milliseconds; `end` is exclusive. */
export type ICalendarEvent = {
  /** Stable across retries and re-bookings so clients and servers update instead of duplicating. */
  readonly uid: string;
  readonly summary: string;
  readonly description?: string;
  readonly location?: string;
  readonly url?: string;
  readonly start: number;
  readonly end: number;
  /** IANA zone to show the times in; UTC times are written when absent or unknown. */
  readonly tzid?: string;
  /** RFC 5545 SEQUENCE; raise it when an already sent event changes (re-booking). */
  readonly sequence?: number;
};

export type SerializeOptions = {
  /** PRODID, e.g. `-//rtseq//rtseq 0.1//EN`. */
  readonly prodId: string;
  /** Omit for CalDAV PUT bodies (RFC 4791 5.3.2 forbids METHOD there); `PUBLISH` for downloads. */
  readonly method?: string;
  /** DTSTAMP of every event: when this text was produced (the caller's clock). */
  readonly dtstamp: number;
};

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;
const DAY_MS = 86_400_000;
/** Zone rules are described from this long before the earliest event to after the latest. */
const ZONE_MARGIN_MS = 366 * DAY_MS;

/**
 * A VCALENDAR holding one VEVENT per event, with a VTIMEZONE for each zone used. Lines end in
 * CRLF and are folded at 75 octets without splitting UTF-8 sequences; TEXT values are escaped.
 *
 * @example
 * serializeEvents([{ uid: 'seq_1-0@rtseq', summary: 'Interview', start, end, tzid: 'Europe/London' }],
 *   { prodId: '-//rtseq//rtseq//EN', method: 'PUBLISH', dtstamp: now })
 */
export function serializeEvents(events: readonly ICalendarEvent[], options: SerializeOptions): string {
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${escapeText(options.prodId)}`,
    'CALSCALE:GREGORIAN',
  ];
  if (options.method !== undefined) lines.push(`METHOD:${options.method.toUpperCase()}`);

  const zones = new Map<string, ZoneDescription>();
  for (const zone of new Set(events.map((event) => event.tzid).filter((tzid) => tzid !== undefined))) {
    const inZone = events.filter((event) => event.tzid === zone);
    const from = Math.min(...inZone.map((event) => event.start)) - ZONE_MARGIN_MS;
    const to = Math.max(...inZone.map((event) => event.end)) + ZONE_MARGIN_MS;
    const description = describeZone(zone, from, to);
    if (description !== null) zones.set(zone, description);
  }
  for (const [tzid, description] of zones) lines.push(...vtimezoneLines(tzid, description));

  for (const event of events) {
    const zone = event.tzid === undefined ? undefined : zones.get(event.tzid);
    lines.push('BEGIN:VEVENT', `UID:${escapeText(event.uid)}`, `DTSTAMP:${utcStamp(options.dtstamp)}`);
    lines.push(
      `DTSTART${dateTimeValue(event.start, event.tzid, zone)}`,
      `DTEND${dateTimeValue(event.end, event.tzid, zone)}`,
    );
    lines.push(`SUMMARY:${escapeText(event.summary)}`);
    if (event.description !== undefined) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
    if (event.location !== undefined) lines.push(`LOCATION:${escapeText(event.location)}`);
    if (event.url !== undefined) lines.push(`URL:${event.url.replace(/[\r\n]/g, '')}`);
    if (event.sequence !== undefined) lines.push(`SEQUENCE:${Math.max(0, Math.trunc(event.sequence))}`);
    lines.push('STATUS:CONFIRMED', 'TRANSP:OPAQUE', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** RFC 5545 3.3.11 TEXT escaping: backslash, semicolon, comma and line breaks. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Parameter values with `:;,` must be quoted (RFC 5545 3.2); quotes themselves cannot appear. */
function paramValue(value: string): string {
  const clean = value.replace(/["\r\n]/g, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

/**
 * Folds a content line into chunks of at most 75 octets (RFC 5545 3.1); continuation lines start
 * with one space, which counts toward their 75. Splits only between code points.
 */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(line).length <= MAX_LINE_OCTETS) return line;
  const parts: string[] = [];
  let current = '';
  let currentOctets = 0;
  let limit = MAX_LINE_OCTETS;
  for (const character of line) {
    const octets = encoder.encode(character).length;
    if (currentOctets + octets > limit) {
      parts.push(current);
      current = '';
      currentOctets = 0;
      limit = MAX_LINE_OCTETS - 1;
    }
    current += character;
    currentOctets += octets;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function fieldsStamp(date: Date): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

function utcStamp(instantMs: number): string {
  return `${fieldsStamp(new Date(Math.floor(instantMs / 1000) * 1000))}Z`;
}

/** A zone's offsets over a range: the offset before the first change, and each change. */
type ZoneDescription = {
  readonly initialOffsetMs: number;
  readonly changes: readonly { readonly atMs: number; readonly fromMs: number; readonly toMs: number }[];
  readonly offsetAt: (instantMs: number) => number;
};

/**
 * `;TZID=zone:local` when the local time names this instant unambiguously, else `:utcZ`. A local
 * time repeated by fall-back means its first occurrence (RFC 5545 3.3.5), so an instant in the
 * second occurrence (01:30 EST on New York's fall-back day) is written in UTC instead.
 */
function dateTimeValue(
  instantMs: number,
  tzid: string | undefined,
  zone: ZoneDescription | undefined,
): string {
  if (tzid === undefined || zone === undefined) return `:${utcStamp(instantMs)}`;
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  const offset = zone.offsetAt(wholeSecond);
  const localMs = wholeSecond + offset;
  // Read back through the one wall-clock conversion, as every reader of the file will.
  if (wallToInstant(localMs, zone.offsetAt) !== wholeSecond) return `:${utcStamp(instantMs)}`;
  return `;TZID=${paramValue(tzid)}:${fieldsStamp(new Date(localMs))}`;
}

/**
 * Offset changes of an IANA zone between `fromMs` and `toMs`, from the one offset-change search
 * (zones.ts offsetStretches). Null for names Intl does not know; the event is then written in UTC.
 */
function describeZone(zone: string, fromMs: number, toMs: number): ZoneDescription | null {
  const offsetAt = zoneOffsetAt(zone);
  if (offsetAt === null) return null;
  const stretches = offsetStretches(zone, fromMs, toMs);
  const changes = stretches.slice(1).map((stretch, i) => ({
    atMs: stretch.start,
    fromMs: stretches[i]!.offsetMs,
    toMs: stretch.offsetMs,
  }));
  return { initialOffsetMs: stretches[0]?.offsetMs ?? offsetAt(fromMs), changes, offsetAt };
}

function offsetText(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const totalSeconds = Math.abs(Math.round(offsetMs / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return `${sign}${pad(hours)}${pad(minutes)}${seconds === 0 ? '' : pad(seconds)}`;
}

/**
 * A VTIMEZONE listing the actual changes around the events (one sub-component per change, its
 * DTSTART in the local time before the change, RFC 5545 3.6.5). Clients that know the IANA name
 * use their own rules; the others get correct offsets for these events.
 */
function vtimezoneLines(tzid: string, zone: ZoneDescription): string[] {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${tzid.replace(/[\r\n]/g, '')}`];
  if (zone.changes.length === 0) {
    lines.push(
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      `TZOFFSETFROM:${offsetText(zone.initialOffsetMs)}`,
      `TZOFFSETTO:${offsetText(zone.initialOffsetMs)}`,
      'END:STANDARD',
    );
  }
  for (const change of zone.changes) {
    const kind = change.toMs > change.fromMs ? 'DAYLIGHT' : 'STANDARD';
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${fieldsStamp(new Date(change.atMs + change.fromMs))}`,
      `TZOFFSETFROM:${offsetText(change.fromMs)}`,
      `TZOFFSETTO:${offsetText(change.toMs)}`,
      `END:${kind}`,
    );
  }
  lines.push('END:VTIMEZONE');
  return lines;
}
