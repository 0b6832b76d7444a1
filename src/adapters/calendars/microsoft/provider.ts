/**
 * Microsoft 365 (Graph v1.0) as a {@link SyncedCalendarProvider} (SPEC 8c, issue 24): OAuth at the
 * identity platform, calendars from `me/calendars`, incremental sync by `calendarView/delta`, fresh
 * reads by `calendarView`, writes to `me/calendars/{id}/events` and `me/events/{id}`, push by
 * `subscriptions`. A small typed client over fetch (docs/decisions/0012-microsoft-graph-client.md).
 */
import { type Interval, mergeIntervals } from '../../../domain/time/intervals.ts';
import {
  type CallOptions,
  type ProviderEventInput,
  providerError,
  type RemoteCalendar,
  type RemoteEventChange,
  type SyncedCalendarProvider,
  type SyncResult,
  type Watch,
} from '../../../ports/synced-provider.ts';
import { exchangeCode, refreshGrant } from '../oauth-token.ts';
import { busyOf, changeOf, createBody, EVENT_FIELDS, eventBody } from './events.ts';
import {
  collectPages,
  type GraphContext,
  graphJson,
  graphSend,
  isGraphLink,
  isoOf,
  itemsOf,
  linkOf,
  MAX_PAGES,
  normalizeGraphUrl,
  objectOf,
  PREFER_UTC,
} from './graph.ts';
import { createMailboxGate } from './mailbox-gate.ts';
import { microsoftAuthorizeUrl, microsoftTokenEndpoint } from './oauth.ts';
import { createSubscription, deleteSubscription, renewSubscription } from './subscriptions.ts';
import { graphErrorCode, graphFailure, type HttpAnswer, isSuccess } from './transport.ts';
import { ianaZoneOf } from './windows-zones.ts';

export type MicrosoftProviderOptions = {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authUrl: string;
  readonly tokenUrl: string;
  /** Graph's root, `https://graph.microsoft.com/` in production; paths `v1.0/…` go under it. */
  readonly graphUrl: string;
  /** Cap on one HTTP request within a call's deadline (default 30 s). */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Waits between rate-limited tries (tests pass one that does not wait). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Replaces the network (tests of transport failures). */
  readonly fetch?: typeof fetch;
};

/** The port plus what only Graph has: renewing a subscription in place. */
export type MicrosoftProvider = SyncedCalendarProvider & {
  /**
   * Moves the subscription's expiry out again (`PATCH subscriptions/{id}`): the answer to a
   * `reauthorizationRequired` lifecycle notification, and the renewal before `expiresAt`. Rejects
   * `not_found` when Graph has dropped it (create a new one with `watch`).
   */
  renewWatch(accessToken: string, watch: Watch, options: CallOptions): Promise<Watch>;
};

/** Events per page asked of calendarView and its delta. */
const PAGE_SIZE = 100;
/** Graph's error codes that mean "the delta token is gone: start over" (besides HTTP 410). */
const RESYNC_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid', 'fullsyncrequired']);

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createMicrosoftProvider(options: MicrosoftProviderOptions): MicrosoftProvider {
  const now = options.now ?? Date.now;
  const transport = {
    timeoutMs: options.timeoutMs ?? 30_000,
    now,
    sleep: options.sleep ?? realSleep,
    gate: createMailboxGate(),
    fetch: options.fetch ?? fetch,
  };
  const oauth = { ...options };
  const tokens = microsoftTokenEndpoint(oauth, transport);
  const graph: GraphContext = { transport, graphUrl: normalizeGraphUrl(options.graphUrl) };
  const enc = encodeURIComponent;

  return {
    name: 'office365',
    authorizeUrl: (input) => microsoftAuthorizeUrl(oauth, input),
    exchange: (input, { deadline }) => exchangeCode(tokens, input, deadline),
    refresh: (grant, { deadline }) => refreshGrant(tokens, grant, deadline),

    async identity(accessToken, { deadline }) {
      const what = 'Microsoft Graph me';
      const me = await graphJson(
        graph,
        accessToken,
        { method: 'GET', target: 'v1.0/me?$select=id,mail,userPrincipalName', what },
        deadline,
      );
      const name = typeof me.mail === 'string' && me.mail.length > 0 ? me.mail : me.userPrincipalName;
      if (typeof me.id !== 'string' || typeof name !== 'string' || name.length === 0)
        throw providerError('bad_response', `${what}: no id or name`);
      return { profileName: name, providerUserId: me.id };
    },

    async listCalendars(accessToken, { deadline }) {
      const what = 'Microsoft Graph calendars';
      const [items, tzid] = await Promise.all([
        collectPages(
          graph,
          accessToken,
          {
            method: 'GET',
            target: `v1.0/me/calendars?$select=id,name,isDefaultCalendar,canEdit&$top=${PAGE_SIZE}`,
            what,
          },
          deadline,
        ),
        mailboxZone(graph, accessToken, deadline),
      ]);
      const calendars = items.map((item): RemoteCalendar => {
        const calendar = item as Record<string, unknown> | null;
        if (typeof calendar?.id !== 'string')
          throw providerError('bad_response', `${what}: a calendar without id`);
        return {
          id: calendar.id,
          name: typeof calendar.name === 'string' ? calendar.name : '',
          primary: calendar.isDefaultCalendar === true,
          readOnly: calendar.canEdit === false,
          tzid,
        };
      });
      return [...calendars.filter((c) => c.primary), ...calendars.filter((c) => !c.primary)];
    },

    async sync(accessToken, calendar, cursor, window, { deadline }) {
      return syncCalendar(graph, accessToken, calendar, cursor, window, deadline);
    },

    async readBusy(accessToken, calendars, window, { deadline }) {
      const entries = await Promise.all(
        calendars.map(
          async (calendar) =>
            [calendar.id, await calendarBusy(graph, accessToken, calendar, window, deadline)] as const,
        ),
      );
      return new Map(entries);
    },

    insertEvent: (accessToken, calendarId, event, { deadline }) =>
      insertOnce(graph, accessToken, calendarId, event, deadline),

    async patchEvent(accessToken, _calendarId, remoteId, event: ProviderEventInput, { deadline }) {
      const what = 'Microsoft Graph event update';
      await graphJson(
        graph,
        accessToken,
        { method: 'PATCH', target: `v1.0/me/events/${enc(remoteId)}`, what, json: eventBody(event) },
        deadline,
      );
    },

    async deleteEvent(accessToken, _calendarId, remoteId, { deadline }) {
      const what = 'Microsoft Graph event delete';
      const answer = await graphSend(
        graph,
        accessToken,
        { method: 'DELETE', target: `v1.0/me/events/${enc(remoteId)}`, what },
        deadline,
      );
      if (!isSuccess(answer) && answer.status !== 404 && answer.status !== 410)
        throw graphFailure(answer, what);
    },

    watch: (accessToken, calendarId, address, secret, { deadline }) =>
      createSubscription(graph, accessToken, { calendarId, address, secret }, deadline),
    renewWatch: (accessToken, watch, { deadline }) => renewSubscription(graph, accessToken, watch, deadline),
    stopWatch: (accessToken, watch, { deadline }) => deleteSubscription(graph, accessToken, watch, deadline),
  };
}

/**
 * The mailbox's zone (mailboxSettings `timeZone`, a Windows or IANA name). Reading it needs
 * MailboxSettings.Read, which SPEC 8c's scopes do not include: a refusal means "no zone", and
 * all-day events then fall back to their own zone (events.ts).
 */
async function mailboxZone(
  graph: GraphContext,
  accessToken: string,
  deadline: number,
): Promise<string | null> {
  const what = 'Microsoft Graph mailboxSettings';
  const answer = await graphSend(
    graph,
    accessToken,
    { method: 'GET', target: 'v1.0/me/mailboxSettings', what },
    deadline,
  );
  if (answer.status === 403 || answer.status === 404) return null;
  if (!isSuccess(answer)) throw graphFailure(answer, what);
  const settings = objectOf(answer, what);
  return ianaZoneOf(typeof settings.timeZone === 'string' ? settings.timeZone : null);
}

function isResync(answer: HttpAnswer): boolean {
  if (answer.status === 410) return true;
  const code = graphErrorCode(answer);
  return answer.status >= 400 && code !== null && RESYNC_CODES.has(code.toLowerCase());
}

async function syncCalendar(
  graph: GraphContext,
  accessToken: string,
  calendar: RemoteCalendar,
  cursor: string | null,
  window: Interval,
  deadline: number,
): Promise<SyncResult> {
  const what = 'Microsoft Graph calendarView delta';
  // A cursor that is not a delta link of this Graph (another deployment's, a corrupted one) is
  // as good as an expired one: start over.
  if (cursor !== null && !isGraphLink(graph, cursor))
    throw providerError('sync_reset', `${what}: unusable cursor`);
  let target =
    cursor ??
    `v1.0/me/calendars/${encodeURIComponent(calendar.id)}/calendarView/delta` +
      `?startDateTime=${isoOf(window.start)}&endDateTime=${isoOf(window.end)}`;
  const changes: RemoteEventChange[] = [];
  const headers = { prefer: `${PREFER_UTC}, odata.maxpagesize=${PAGE_SIZE}` };
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const answer = await graphSend(graph, accessToken, { method: 'GET', target, what, headers }, deadline);
    if (isResync(answer)) throw providerError('sync_reset', `${what}: the delta token is no longer valid`);
    if (!isSuccess(answer)) throw graphFailure(answer, what);
    const page = objectOf(answer, what);
    for (const entry of itemsOf(page, what)) changes.push(changeOf(entry, calendar.tzid, what));
    const next = linkOf(graph, page, '@odata.nextLink', what);
    if (next !== null) {
      target = next;
      continue;
    }
    const deltaLink = linkOf(graph, page, '@odata.deltaLink', what);
    if (deltaLink === null) throw providerError('bad_response', `${what}: a last page without deltaLink`);
    return { changes, cursor: deltaLink };
  }
  throw providerError('bad_response', `${what}: more than ${MAX_PAGES} pages`);
}

async function calendarBusy(
  graph: GraphContext,
  accessToken: string,
  calendar: RemoteCalendar,
  window: Interval,
  deadline: number,
): Promise<readonly Interval[]> {
  const what = 'Microsoft Graph calendarView';
  const events = await collectPages(
    graph,
    accessToken,
    {
      method: 'GET',
      target:
        `v1.0/me/calendars/${encodeURIComponent(calendar.id)}/calendarView` +
        `?startDateTime=${isoOf(window.start)}&endDateTime=${isoOf(window.end)}` +
        `&$select=${EVENT_FIELDS}&$top=${PAGE_SIZE}`,
      what,
      headers: { prefer: PREFER_UTC },
    },
    deadline,
  );
  const busy: Interval[] = [];
  for (const event of events) {
    if (typeof event !== 'object' || event === null)
      throw providerError('bad_response', `${what}: not an event`);
    const interval = busyOf(event as Record<string, unknown>, calendar.tzid, what);
    if (interval === null) continue;
    const start = Math.max(interval.start, window.start);
    const end = Math.min(interval.end, window.end);
    if (start < end) busy.push({ start, end });
  }
  return mergeIntervals(busy);
}

/**
 * POSTs the event with its transactionId. Graph documents transactionId as the way to make a
 * retried create harmless but not what the repeated POST answers: the event already made (what
 * the fake does), or a 409. On a 409 the event is looked up by its transactionId among the
 * calendar's events at that time, so a retry still answers the first event's id.
 */
async function insertOnce(
  graph: GraphContext,
  accessToken: string,
  calendarId: string,
  event: ProviderEventInput,
  deadline: number,
): Promise<{ remoteId: string }> {
  const what = 'Microsoft Graph event create';
  const path = `v1.0/me/calendars/${encodeURIComponent(calendarId)}`;
  const body = createBody(event);
  const answer = await graphSend(
    graph,
    accessToken,
    { method: 'POST', target: `${path}/events`, what, json: body },
    deadline,
  );
  if (answer.status === 409) {
    const twins = await collectPages(
      graph,
      accessToken,
      {
        method: 'GET',
        target:
          `${path}/calendarView?startDateTime=${isoOf(event.start)}&endDateTime=${isoOf(Math.max(event.end, event.start + 1))}` +
          `&$select=id,transactionId&$top=${PAGE_SIZE}`,
        what,
      },
      deadline,
    );
    const twin = twins.find(
      (e) => (e as { transactionId?: unknown } | null)?.transactionId === body.transactionId,
    );
    const id = (twin as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string' && id.length > 0) return { remoteId: id };
    throw graphFailure(answer, what);
  }
  if (!isSuccess(answer)) throw graphFailure(answer, what);
  const created = objectOf(answer, what);
  if (typeof created.id !== 'string' || created.id.length === 0)
    throw providerError('bad_response', `${what}: no event id`);
  return { remoteId: created.id };
}
