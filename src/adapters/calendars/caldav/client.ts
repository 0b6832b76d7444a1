import { Buffer } from 'node:buffer';
import {
  type DAVAccount,
  type DAVResponse,
  davRequest,
  fetchHomeUrl,
  fetchPrincipalUrl,
  propfind,
  serviceDiscovery,
} from 'tsdav';
import { outboundUrl } from '../../../domain/net/addresses.ts';
import type { Interval } from '../../../domain/time/intervals.ts';
import type {
  CaldavCalendarRef,
  CaldavCredentials,
  CaldavDirectory,
  CaldavWriter,
  DiscoveredCalendar,
} from '../../../ports/external-calendars.ts';
import { describeOrigin, ExternalCalendarError } from '../errors.ts';
import { type CalendarHttpOptions, statusError, type TransportRules, withDeadline } from '../http.ts';
import { busyIntervalsFromICalendar, type ExpansionReport, newExpansionReport } from '../ical/expand.ts';

const DAY_MS = 86_400_000;
/**
 * The server's time-range filter is widened by this much on each side: servers evaluate floating
 * and all-day events in a zone of their choosing, and the exact cut is made by our expander.
 */
const QUERY_MARGIN_MS = DAY_MS;
const WRITE_PRIVILEGES = new Set(['write', 'writeContent', 'bind', 'all']);
/** SPEC 8: a CalDAV answer larger than this fails as a bad response (read while streaming). */
export const DEFAULT_MAX_CALDAV_BYTES = 10 * 1024 * 1024;

export type CaldavClientOptions = CalendarHttpOptions & {
  /** Defaults to {@link DEFAULT_MAX_CALDAV_BYTES}. */
  readonly maxResponseBytes?: number;
};

/**
 * CalDAV (RFC 4791) client: discovery, busy reads and write-back. tsdav builds and parses the
 * XML; status handling is ours, because a calendar that cannot be read must fail loudly rather
 * than read as an empty (free) calendar. Each public call is one operation under one
 * `timeoutMs` deadline. Credentials travel only in the Authorization header and never appear in
 * errors.
 */
export class CaldavClient implements CaldavDirectory, CaldavWriter {
  readonly #http: CalendarHttpOptions;
  readonly #maxBytes: number;

  constructor(http: CaldavClientOptions) {
    this.#http = http;
    this.#maxBytes = http.maxResponseBytes ?? DEFAULT_MAX_CALDAV_BYTES;
  }

  /**
   * Credentials go only to the origin the account was connected with (SPEC 8a): a discovery
   * redirect or a calendar URL on another origin gets no Authorization header.
   */
  #rules(credentials: CaldavCredentials): TransportRules {
    return {
      credentialOrigin: outboundUrl(credentials.serverUrl)?.origin ?? null,
      maxResponseBytes: this.#maxBytes,
    };
  }

  /** principal → calendar-home-set → the home's calendar collections that hold events. */
  discoverCalendars(credentials: CaldavCredentials): Promise<readonly DiscoveredCalendar[]> {
    return withDeadline(
      this.#http,
      credentials.serverUrl,
      'CalDAV discovery',
      async (fetch) => {
        const headers = authHeaders(credentials);
        const account: DAVAccount = { accountType: 'caldav', serverUrl: credentials.serverUrl };
        account.rootUrl = await serviceDiscovery({ account, headers, fetch });
        account.principalUrl = await fetchPrincipalUrl({ account, headers, fetch });
        account.homeUrl = await fetchHomeUrl({ account, headers, fetch });
        const responses = await propfind({
          url: account.homeUrl,
          depth: '1',
          headers,
          fetch,
          props: {
            'd:resourcetype': {},
            'd:displayname': {},
            'd:current-user-privilege-set': {},
            'c:supported-calendar-component-set': {},
            'c:calendar-timezone': {},
          },
        });
        const home = account.homeUrl;
        assertMultistatus(responses, 'CalDAV discovery', home);
        return responses.flatMap((response) => {
          const calendar = toDiscoveredCalendar(response, home);
          return calendar === null ? [] : [calendar];
        });
      },
      this.#rules(credentials),
    );
  }

  /**
   * Busy intervals of one calendar overlapping `window`, parsed and expanded right here on the
   * calling thread (unit tests and tools; the server expands in a worker, see ../expansion.ts).
   */
  async readBusy(
    ref: CaldavCalendarRef,
    window: Interval,
    calendarZone: string,
    report: ExpansionReport = newExpansionReport(),
  ): Promise<Interval[]> {
    const texts = await calendarDataOf(await this.fetchReport(ref, window), ref.calendarUrl);
    return texts.flatMap((text) => busyIntervalsFromICalendar(text, window, calendarZone, report));
  }

  /**
   * The raw answer to a calendar-query REPORT with a time-range filter (servers may return
   * masters of recurring series, so expansion is ours). Only the request is made here, under the
   * deadline: parsing the multistatus (up to 10 MiB of XML) is left to {@link calendarDataOf},
   * which the server runs off the event loop.
   */
  fetchReport(ref: CaldavCalendarRef, window: Interval): Promise<CaldavReport> {
    return withDeadline(
      this.#http,
      ref.calendarUrl,
      'CalDAV read',
      async (fetch) => {
        const response = await fetch(ref.calendarUrl, {
          method: 'REPORT',
          headers: {
            ...authHeaders(ref.credentials),
            Depth: '1',
            'Content-Type': 'text/xml;charset=UTF-8',
          },
          body: calendarQuery(window),
        });
        return {
          status: response.status,
          contentType: response.headers.get('content-type') ?? '',
          body: await response.text(),
        };
      },
      this.#rules(ref.credentials),
    );
  }

  /**
   * Creates or replaces `{calendarUrl}{uid}.ics`. The PUT is unconditional on purpose: the
   * booking owns this resource, retries from the outbox must succeed after a lost response, and a
   * re-booking must replace the earlier time (docs/external-calendars.md, "Write-back").
   */
  putEvent(ref: CaldavCalendarRef, uid: string, icsText: string): Promise<void> {
    return withDeadline(
      this.#http,
      ref.calendarUrl,
      'CalDAV write',
      async (fetch) => {
        const response = await fetch(eventUrl(ref.calendarUrl, uid), {
          method: 'PUT',
          headers: { ...authHeaders(ref.credentials), 'Content-Type': 'text/calendar; charset=utf-8' },
          body: icsText,
        });
        await response.body?.cancel().catch(() => undefined);
        // 409 Conflict is what servers answer for a PUT into a collection that does not exist.
        if (response.status === 409) throw statusError(404, 'CalDAV write', ref.calendarUrl);
        if (!response.ok) throw statusError(response.status, 'CalDAV write', ref.calendarUrl);
      },
      this.#rules(ref.credentials),
    );
  }

  /** Deletes `{calendarUrl}{uid}.ics`; one that is already gone counts as deleted. */
  deleteEvent(ref: CaldavCalendarRef, uid: string): Promise<void> {
    return withDeadline(
      this.#http,
      ref.calendarUrl,
      'CalDAV delete',
      async (fetch) => {
        const response = await fetch(eventUrl(ref.calendarUrl, uid), {
          method: 'DELETE',
          headers: authHeaders(ref.credentials),
        });
        await response.body?.cancel().catch(() => undefined);
        if (response.ok || response.status === 404 || response.status === 410) return;
        throw statusError(response.status, 'CalDAV delete', ref.calendarUrl);
      },
      this.#rules(ref.credentials),
    );
  }
}

/** The resource name for an event: the UID, percent-encoded, so one UID always maps to one URL. */
export function eventUrl(calendarUrl: string, uid: string): string {
  const base = calendarUrl.endsWith('/') ? calendarUrl : `${calendarUrl}/`;
  return new URL(`${encodeURIComponent(uid)}.ics`, base).href;
}

function authHeaders(credentials: CaldavCredentials): Record<string, string> {
  const token = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
  return { Authorization: `Basic ${token}` };
}

function utcStamp(instantMs: number): string {
  return `${new Date(instantMs).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** What a calendar-query REPORT answered, unparsed: it crosses to a worker thread as is. */
export type CaldavReport = { readonly status: number; readonly contentType: string; readonly body: string };

/** The calendar-query REPORT body (RFC 4791 7.8): every VEVENT overlapping the widened window. */
function calendarQuery(window: Interval): string {
  const start = utcStamp(window.start - QUERY_MARGIN_MS);
  const end = utcStamp(window.end + QUERY_MARGIN_MS);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:d="DAV:">',
    '<d:prop><d:getetag/><c:calendar-data/></d:prop>',
    '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">',
    `<c:time-range start="${start}" end="${end}"/>`,
    '</c:comp-filter></c:comp-filter></c:filter>',
    '</c:calendar-query>',
  ].join('\n');
}

/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * The calendar objects of a REPORT answer. tsdav parses the multistatus exactly as it would have
 * straight off the wire (it is handed the recorded answer); status handling is ours, because a
 * calendar that cannot be read must fail loudly rather than read as an empty (free) calendar.
 */
export async function calendarDataOf(report: CaldavReport, calendarUrl: string): Promise<string[]> {
  const recorded = new Response(NULL_BODY_STATUSES.has(report.status) ? null : report.body, {
    status: report.status,
    headers: { 'Content-Type': report.contentType },
  });
  const responses = await davRequest({
    url: calendarUrl,
    fetch: async () => recorded,
    init: { method: 'REPORT', headers: {}, body: '' },
    convertIncoming: false,
  });
  if (!assertMultistatus(responses, 'CalDAV read', calendarUrl)) return [];
  return responses.map((response) => {
    if (!response.ok) throw statusError(response.status, 'CalDAV read', calendarUrl);
    const text = textOf(response.props?.calendarData);
    if (text === null) {
      throw new ExternalCalendarError(
        'bad_response',
        `CalDAV read at ${describeOrigin(calendarUrl)}: an event came back without calendar-data`,
      );
    }
    return text;
  });
}

/**
 * Checks that tsdav parsed a 207 multistatus. tsdav answers a non-XML body, an XML parse
 * failure and an HTTP error alike with one response without `props`; only an empty multistatus
 * may mean "no events". Returns false for that empty case.
 */
function assertMultistatus(responses: readonly DAVResponse[], what: string, url: string): boolean {
  const only = responses[0];
  if (responses.length === 1 && only !== undefined && only.props === undefined) {
    if (only.status >= 300) throw statusError(only.status, what, url);
    // xml-js parses a truncated body leniently, dropping the half element; it leaves its
    // `_parent` link only on elements that were never closed. So only a closed multistatus
    // without children is accepted as "no events".
    const root = (only.raw as { multistatus?: Record<string, unknown> } | undefined)?.multistatus;
    if (root !== undefined && Object.keys(root ?? {}).every((key) => key === '_attributes')) return false;
    throw new ExternalCalendarError(
      'bad_response',
      `${what} at ${describeOrigin(url)}: not a WebDAV multistatus answer`,
    );
  }
  if (responses.length === 0) return false;
  const root = (only?.raw as { multistatus?: object } | undefined)?.multistatus;
  if (root !== undefined && '_parent' in root) {
    throw new ExternalCalendarError(
      'bad_response',
      `${what} at ${describeOrigin(url)}: truncated multistatus answer`,
    );
  }
  return true;
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const node = value as { _cdata?: unknown; _text?: unknown };
    if (typeof node._cdata === 'string') return node._cdata;
    if (typeof node._text === 'string') return node._text;
  }
  return null;
}

function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function toDiscoveredCalendar(response: DAVResponse, homeUrl: string): DiscoveredCalendar | null {
  const props = response.props ?? {};
  if (!response.ok || response.href === undefined) return null;
  if (!Object.keys(props.resourcetype ?? {}).includes('calendar')) return null;
  const components = asArray<{ _attributes?: { name?: string } }>(props.supportedCalendarComponentSet?.comp)
    .map((comp) => comp._attributes?.name?.toUpperCase())
    .filter((name) => name !== undefined);
  if (components.length > 0 && !components.includes('VEVENT')) return null;

  const privileges = asArray<Record<string, unknown>>(props.currentUserPrivilegeSet?.privilege).flatMap(
    (privilege) => Object.keys(privilege),
  );
  const calendarUrl = new URL(String(response.href), homeUrl).href;
  const timezoneText = textOf(props.calendarTimezone);
  return {
    calendarUrl: calendarUrl.endsWith('/') ? calendarUrl : `${calendarUrl}/`,
    displayName:
      textOf(props.displayname) ?? decodeURIComponent(calendarUrl.split('/').filter(Boolean).pop() ?? ''),
    // No privilege set reported means unknown; writes are then attempted and their errors shown.
    readOnly: privileges.length > 0 && !privileges.some((privilege) => WRITE_PRIVILEGES.has(privilege)),
    tzid: timezoneText?.match(/^TZID:(.+)$/m)?.[1]?.trim() ?? null,
  };
}
