/**
 * Reads of a Google account that are not sync: who it is, its calendars, and `freeBusy` (the
 * fresh read a booking makes before it commits, SPEC 6.3).
 */
import type { calendar_v3 } from '@googleapis/calendar';
import type { Interval } from '../../../domain/time/intervals.ts';
import type { ProviderIdentity, RemoteCalendar } from '../../../ports/synced-provider.ts';
import type { CallApi } from './api.ts';
import { rfc3339 } from './events.ts';
import { fail } from './transport.ts';

/** Pages of `calendarList.list` followed before the answer is called malformed. */
const MAX_CALENDAR_LIST_PAGES = 50;
/** `freeBusy.query` answers for at most 50 calendars at once (`calendarExpansionMax`). */
const FREEBUSY_MAX_CALENDARS = 50;

/** The primary calendar's id is the account's e-mail address: it names the profile. */
export async function googleIdentity(callApi: CallApi): Promise<ProviderIdentity> {
  const data = await callApi('calendars.get', (api, o) => api.calendars.get({ calendarId: 'primary' }, o));
  const id = (data as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id === '') {
    throw fail('bad_response', 'Google calendars.get: the primary calendar has no id');
  }
  return { profileName: id, providerUserId: id };
}

/** `users/me/calendarList`, every page, primary first (then in Google's order). */
export async function listGoogleCalendars(callApi: CallApi): Promise<RemoteCalendar[]> {
  const calendars: RemoteCalendar[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_CALENDAR_LIST_PAGES; page++) {
    const params = { maxResults: 250, ...(pageToken === undefined ? {} : { pageToken }) };
    const data = await callApi('calendarList.list', (api, o) => api.calendarList.list(params, o));
    if (typeof data !== 'object' || data === null || !Array.isArray(data.items ?? [])) {
      throw fail('bad_response', 'Google calendarList.list: not a calendar list');
    }
    for (const entry of data.items ?? []) {
      if (entry.deleted === true) continue;
      calendars.push(remoteCalendar(entry));
    }
    if (typeof data.nextPageToken !== 'string' || data.nextPageToken === '') {
      return [...calendars.filter((c) => c.primary), ...calendars.filter((c) => !c.primary)];
    }
    pageToken = data.nextPageToken;
  }
  throw fail('bad_response', `Google calendarList.list: more than ${MAX_CALENDAR_LIST_PAGES} pages`);
}

function remoteCalendar(entry: calendar_v3.Schema$CalendarListEntry): RemoteCalendar {
  if (typeof entry.id !== 'string' || entry.id === '') {
    throw fail('bad_response', 'Google calendarList.list: a calendar without an id');
  }
  const role = entry.accessRole;
  return {
    id: entry.id,
    name: entry.summaryOverride || entry.summary || entry.id,
    primary: entry.primary === true,
    readOnly: role === 'reader' || role === 'freeBusyReader',
    tzid: typeof entry.timeZone === 'string' && entry.timeZone !== '' ? entry.timeZone : null,
  };
}

/**
 * Busy times of the calendars in `window`: one `freeBusy.query` (one per 50 calendars). A
 * calendar the answer reports `errors` for rejects the whole read: it is never taken as free.
 */
export async function readGoogleBusy(
  callApi: CallApi,
  calendars: readonly RemoteCalendar[],
  window: Interval,
): Promise<Map<string, Interval[]>> {
  const busy = new Map<string, Interval[]>();
  for (let from = 0; from < calendars.length; from += FREEBUSY_MAX_CALENDARS) {
    const ids = calendars.slice(from, from + FREEBUSY_MAX_CALENDARS).map((c) => c.id);
    const requestBody = {
      timeMin: rfc3339(window.start),
      timeMax: rfc3339(window.end),
      items: ids.map((id) => ({ id })),
    };
    const data = await callApi('freeBusy.query', (api, o) => api.freebusy.query({ requestBody }, o));
    for (const id of ids) busy.set(id, freeBusyOf(data, id, window));
  }
  return busy;
}

function freeBusyOf(
  data: calendar_v3.Schema$FreeBusyResponse | null,
  id: string,
  window: Interval,
): Interval[] {
  const entry = typeof data === 'object' ? data?.calendars?.[id] : undefined;
  if (entry === undefined || entry === null) {
    throw fail('bad_response', 'Google freeBusy.query: a calendar is missing from the answer');
  }
  const errors = entry.errors ?? [];
  if (errors.length > 0) {
    const reasons = errors.map((e) => e.reason ?? 'unknown');
    throw fail(
      reasons.includes('notFound') ? 'not_found' : 'bad_response',
      `Google freeBusy.query: ${reasons.join(', ')}`,
    );
  }
  const intervals: Interval[] = [];
  for (const period of entry.busy ?? []) {
    const start = Date.parse(period.start ?? '');
    const end = Date.parse(period.end ?? '');
    if (Number.isNaN(start) || Number.isNaN(end)) {
      throw fail('bad_response', 'Google freeBusy.query: a busy period without a readable time');
    }
    const clipped = { start: Math.max(start, window.start), end: Math.min(end, window.end) };
    if (clipped.end > clipped.start) intervals.push(clipped);
  }
  return intervals;
}
