/**
 * Google Calendar as a {@link SyncedCalendarProvider} (SPEC 8c): OAuth through oauth.ts, the
 * Calendar API v3 through Google's official client `@googleapis/calendar` pointed at the
 * operator's `apiUrl` (api.ts). The URLs are operator configuration, so the outbound guard of
 * SPEC 8a does not apply to them.
 */
import { randomUUID } from 'node:crypto';
import type { CallOptions, SyncedCalendarProvider, Watch } from '../../../ports/synced-provider.ts';
import { exchangeCode, refreshGrant } from '../oauth-token.ts';
import { type CallApi, createCalendarApi, goneIsDone, methodOptions } from './api.ts';
import { googleIdentity, listGoogleCalendars, readGoogleBusy } from './calendars.ts';
import { googleEventBody, googleEventId } from './events.ts';
import { googleAuthorizeUrl, googleTokenEndpoint } from './oauth.ts';
import { syncGoogleCalendar } from './sync.ts';
import { asHttpError, fail, type GoogleClock, runCall } from './transport.ts';

export type GoogleProviderOptions = {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `GOOGLE_AUTH_URL`, e.g. `https://accounts.google.com/o/oauth2/v2/auth`. */
  readonly authUrl: string;
  /** `GOOGLE_TOKEN_URL`, e.g. `https://oauth2.googleapis.com/token`. */
  readonly tokenUrl: string;
  /** `GOOGLE_API_URL`, e.g. `https://www.googleapis.com/`; requests go to `{apiUrl}calendar/v3/…`. */
  readonly apiUrl: string;
  /** Upper bound of one request (default 10 s); a call's deadline may cut it shorter. */
  readonly timeoutMs?: number;
  /** Epoch ms (default Date.now); deadlines and token expiry are read against it. */
  readonly now?: () => number;
  /** Waits before a rate-limited request is tried again (default setTimeout). */
  readonly sleep?: (ms: number) => Promise<void>;
};

const DEFAULT_TIMEOUT_MS = 10_000;

export function createGoogleProvider(options: GoogleProviderOptions): SyncedCalendarProvider {
  const clock: GoogleClock = {
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const oauth = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    authUrl: options.authUrl,
    tokenUrl: options.tokenUrl,
  };
  const tokens = googleTokenEndpoint(oauth, clock);
  const api = createCalendarApi(options.apiUrl);
  const bind =
    (accessToken: string, callOptions: CallOptions): CallApi =>
    (what, request) =>
      runCall(what, callOptions.deadline, clock, async (signal) => {
        const response = await request(api, methodOptions(accessToken, signal));
        return response.data;
      });

  return {
    name: 'google',
    authorizeUrl: (input) => googleAuthorizeUrl(oauth, input),
    exchange: (input, callOptions) => exchangeCode(tokens, input, callOptions.deadline),
    refresh: (grant, callOptions) => refreshGrant(tokens, grant, callOptions.deadline),
    identity: (accessToken, callOptions) => googleIdentity(bind(accessToken, callOptions)),
    listCalendars: (accessToken, callOptions) => listGoogleCalendars(bind(accessToken, callOptions)),
    sync: (accessToken, calendar, cursor, window, callOptions) =>
      syncGoogleCalendar({ calendar, cursor, window }, bind(accessToken, callOptions)),
    readBusy: (accessToken, calendars, window, callOptions) =>
      readGoogleBusy(bind(accessToken, callOptions), calendars, window),

    async insertEvent(accessToken, calendarId, event, callOptions) {
      const id = googleEventId(event.uid);
      const requestBody = googleEventBody(event, id);
      await bind(accessToken, callOptions)('events.insert', (api, o) =>
        api.events.insert({ calendarId, sendUpdates: 'none', requestBody }, o).catch((error: unknown) => {
          // 409: an event with this id exists, and only an earlier try of this insert made it.
          if (asHttpError(error)?.status === 409) return { data: null };
          throw error;
        }),
      );
      return { remoteId: id };
    },

    async patchEvent(accessToken, calendarId, remoteId, event, callOptions) {
      const requestBody = googleEventBody(event, null);
      await bind(accessToken, callOptions)('events.patch', (api, o) =>
        api.events.patch({ calendarId, eventId: remoteId, sendUpdates: 'none', requestBody }, o),
      );
    },

    async deleteEvent(accessToken, calendarId, remoteId, callOptions) {
      await bind(accessToken, callOptions)('events.delete', (api, o) =>
        api.events.delete({ calendarId, eventId: remoteId, sendUpdates: 'none' }, o).catch(goneIsDone),
      );
    },

    async watch(accessToken, calendarId, address, secret, callOptions): Promise<Watch> {
      const requestBody = { id: randomUUID(), type: 'web_hook', address, token: secret };
      const data = await bind(accessToken, callOptions)('events.watch', (api, o) =>
        api.events.watch({ calendarId, requestBody }, o),
      );
      const expiresAt = Number((data as { expiration?: unknown } | null)?.expiration);
      if (
        typeof data?.id !== 'string' ||
        typeof data.resourceId !== 'string' ||
        !Number.isFinite(expiresAt)
      ) {
        throw fail('bad_response', 'Google events.watch: the answer is not a channel');
      }
      return { id: data.id, resourceId: data.resourceId, expiresAt };
    },

    async stopWatch(accessToken, watch, callOptions) {
      const requestBody = {
        id: watch.id,
        ...(watch.resourceId === null ? {} : { resourceId: watch.resourceId }),
      };
      await bind(accessToken, callOptions)('channels.stop', (api, o) =>
        api.channels.stop({ requestBody }, o).catch(goneIsDone),
      );
    },
  };
}
