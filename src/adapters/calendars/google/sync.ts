/**
 * Incremental sync of one Google calendar (SPEC 8c): `events.list` with `singleEvents=true`,
 * first over the window (`timeMin`/`timeMax`, `showDeleted`), then from the sync token alone
 * (Google refuses `timeMin` beside `syncToken`). Pages are followed to the end; 410 means the
 * token is no longer accepted and the caller starts over from nothing.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import type { Interval } from '../../../domain/time/intervals.ts';
import type { RemoteCalendar, RemoteEventChange, SyncResult } from '../../../ports/synced-provider.ts';
import type { CallApi } from './api.ts';
import { eventChange, type GoogleEvent, rfc3339 } from './events.ts';
import { asHttpError, fail } from './transport.ts';

/** Pages followed in one sync before the answer is called malformed (250 events a page). */
export const MAX_SYNC_PAGES = 200;
const PAGE_SIZE = 250;

export type SyncInput = {
  readonly calendar: RemoteCalendar;
  readonly cursor: string | null;
  readonly window: Interval;
};

export async function syncGoogleCalendar(input: SyncInput, callApi: CallApi): Promise<SyncResult> {
  const base: calendar_v3.Params$Resource$Events$List = {
    calendarId: input.calendar.id,
    singleEvents: true,
    maxResults: PAGE_SIZE,
    ...(input.cursor === null
      ? { timeMin: rfc3339(input.window.start), timeMax: rfc3339(input.window.end), showDeleted: true }
      : { syncToken: input.cursor }),
  };
  const changes: RemoteEventChange[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_SYNC_PAGES; page++) {
    const params = pageToken === undefined ? base : { ...base, pageToken };
    const data = await callApi('events.list', (api, options) =>
      api.events.list(params, options).catch((error: unknown) => {
        if (asHttpError(error)?.status === 410) {
          throw fail('sync_reset', 'Google events.list: the sync token is no longer valid');
        }
        throw error;
      }),
    );
    if (typeof data !== 'object' || data === null || !Array.isArray(data.items ?? [])) {
      throw fail('bad_response', 'Google events.list: not an event list');
    }
    const zone = input.calendar.tzid ?? (typeof data.timeZone === 'string' ? data.timeZone : 'UTC');
    for (const item of data.items ?? []) changes.push(eventChange(item as GoogleEvent, zone));
    if (typeof data.nextPageToken === 'string' && data.nextPageToken !== '') {
      pageToken = data.nextPageToken;
      continue;
    }
    if (typeof data.nextSyncToken !== 'string' || data.nextSyncToken === '') {
      throw fail('bad_response', 'Google events.list: the last page carries no nextSyncToken');
    }
    return { changes, cursor: data.nextSyncToken };
  }
  throw fail('bad_response', `Google events.list: more than ${MAX_SYNC_PAGES} pages`);
}
