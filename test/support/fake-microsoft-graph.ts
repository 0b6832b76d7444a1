/**
 * The fake's Graph v1.0 resources under `{origin}/graph/v1.0/`: `me`, `me/mailboxSettings`,
 * `me/calendars`, `calendarView` and `calendarView/delta` (skip and delta tokens, `@removed`, 410
 * once invalidated), and event writes (POST with transactionId dedupe, PATCH, DELETE). The
 * server (fake-microsoft.ts) has checked the bearer token and the mailbox's concurrency already.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type FakeState,
  graphError,
  type PageState,
  preferences,
  readBody,
  readJson,
  sendJson,
} from './fake-microsoft-context.ts';
import {
  eventResource,
  type FakeEvent,
  fakeZone,
  newId,
  overlaps,
  readWireTime,
  selectFields,
  type WireZone,
} from './fake-microsoft-model.ts';

/** The counter name of a Graph request (`events:create`, `calendarView/delta`, …), or null when unknown. */
export function graphEndpoint(method: string, segments: readonly string[]): string | null {
  const path = segments.map((s, i) => (i === 2 && segments[1] !== undefined ? '{id}' : s)).join('/');
  const known: Record<string, string> = {
    'GET me': 'me',
    'GET me/mailboxSettings': 'mailboxSettings',
    'GET me/calendars': 'calendars',
    'GET me/calendars/{id}/calendarView': 'calendarView',
    'GET me/calendars/{id}/calendarView/delta': 'calendarView/delta',
    'POST me/calendars/{id}/events': 'events:create',
    'GET me/events/{id}': 'events:get',
    'PATCH me/events/{id}': 'events:update',
    'DELETE me/events/{id}': 'events:delete',
    'POST subscriptions': 'subscriptions:create',
  };
  const name = known[`${method} ${path}`];
  if (name !== undefined) return name;
  if (segments[0] === 'subscriptions' && segments.length === 2) {
    if (method === 'GET') return 'subscriptions:get';
    if (method === 'PATCH') return 'subscriptions:update';
    if (method === 'DELETE') return 'subscriptions:delete';
  }
  return null;
}

function wireZone(state: FakeState, request: IncomingMessage, fallback: WireZone): WireZone {
  if (state.ignorePreferTimeZone) return null;
  const label = preferences(request).get('outlook.timezone');
  const iana = label === undefined ? null : fakeZone(label);
  return label !== undefined && iana !== null ? { iana, label } : fallback;
}

const UTC_ZONE: WireZone = { iana: 'UTC', label: 'UTC' };

export async function handleGraph(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  endpoint: string,
  segments: readonly string[],
  userId: string,
): Promise<void> {
  const user = state.users.get(userId)!;
  const id = segments[2] ?? '';
  switch (endpoint) {
    case 'me':
      return sendJson(response, 200, {
        '@odata.context': `${state.graphRoot}v1.0/$metadata#users/$entity`,
        id: user.id,
        displayName: user.displayName,
        mail: user.mail,
        userPrincipalName: user.userPrincipalName,
      });
    case 'mailboxSettings':
      if (!user.mailboxSettingsReadable)
        return graphError(response, 403, 'ErrorAccessDenied', 'Access is denied.');
      return sendJson(response, 200, { timeZone: user.mailboxTimeZone, dateFormat: 'yyyy-MM-dd' });
    case 'calendars':
      return listCalendars(state, response, url, userId);
    case 'calendarView':
      return calendarView(state, request, response, url, ownCalendar(state, id, userId));
    case 'calendarView/delta':
      return delta(state, request, response, url, ownCalendar(state, id, userId), id);
    case 'events:create':
      return createEvent(state, request, response, ownCalendar(state, id, userId));
    default:
      return eventById(state, request, response, endpoint, ownEvent(state, id, userId));
  }
}

function ownCalendar(state: FakeState, id: string, userId: string): string | null {
  const calendar = state.calendars.get(id);
  return calendar !== undefined && calendar.userId === userId ? calendar.id : null;
}

function ownEvent(state: FakeState, id: string, userId: string): FakeEvent | null {
  const event = state.events.get(id);
  if (event === undefined) return null;
  return state.calendars.get(event.calendarId)?.userId === userId ? event : null;
}

function notFound(response: ServerResponse) {
  graphError(response, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}

/** `$top`/`$skip` paging of a list; nextLink keeps every other parameter. */
function sendPage(response: ServerResponse, url: URL, items: readonly unknown[]) {
  const top = Math.min(Math.max(Number(url.searchParams.get('$top') ?? 10) || 10, 1), 1000);
  const skip = Math.max(Number(url.searchParams.get('$skip') ?? 0) || 0, 0);
  const body: Record<string, unknown> = { value: items.slice(skip, skip + top) };
  if (skip + top < items.length) {
    const next = new URL(url);
    next.searchParams.set('$skip', String(skip + top));
    body['@odata.nextLink'] = next.toString();
  }
  sendJson(response, 200, body);
}

function listCalendars(state: FakeState, response: ServerResponse, url: URL, userId: string) {
  const calendars = [...state.calendars.values()]
    .filter((c) => c.userId === userId)
    .map((c) =>
      selectFields(
        {
          id: c.id,
          name: c.name,
          color: 'auto',
          isDefaultCalendar: c.isDefaultCalendar,
          canEdit: c.canEdit,
          canShare: c.canEdit,
          owner: { address: state.users.get(userId)?.mail ?? null },
        },
        url.searchParams.get('$select'),
      ),
    );
  sendPage(response, url, calendars);
}

function windowOf(url: URL): { from: number; to: number } | null {
  const from = Date.parse(url.searchParams.get('startDateTime') ?? '');
  const to = Date.parse(url.searchParams.get('endDateTime') ?? '');
  return Number.isNaN(from) || Number.isNaN(to) ? null : { from, to };
}

function eventsIn(state: FakeState, calendarId: string, from: number, to: number): FakeEvent[] {
  return [...state.events.values()]
    .filter((e) => e.calendarId === calendarId && overlaps(e, from, to))
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
}

function calendarView(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  calendarId: string | null,
) {
  if (calendarId === null) return notFound(response);
  const window = windowOf(url);
  if (window === null)
    return graphError(response, 400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required.');
  const zone = wireZone(state, request, UTC_ZONE);
  const userId = state.calendars.get(calendarId)!.userId;
  const items = eventsIn(state, calendarId, window.from, window.to).map((e) =>
    selectFields(eventResource(e, zone, userId), url.searchParams.get('$select')),
  );
  sendPage(response, url, items);
}

function delta(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  calendarId: string | null,
  pathCalendarId: string,
) {
  const gone = () => {
    const how = state.invalidDeltaCalendars.get(pathCalendarId) ?? { status: 410, code: 'SyncStateNotFound' };
    graphError(response, how.status, how.code, 'The sync state generation is not found.');
  };
  if (calendarId === null) return notFound(response);
  const skipToken = url.searchParams.get('$skiptoken');
  if (skipToken !== null) {
    const pageState = state.pageStates.get(skipToken);
    return pageState === undefined ? gone() : sendDeltaPage(state, response, pageState, skipToken);
  }
  const deltaToken = url.searchParams.get('$deltatoken');
  const previous = deltaToken === null ? undefined : state.deltaStates.get(deltaToken);
  if (deltaToken !== null && previous === undefined) return gone();
  const window = previous ?? windowOf(url);
  if (window === null)
    return graphError(response, 400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required.');
  const zone = wireZone(state, request, UTC_ZONE);
  const userId = state.calendars.get(calendarId)!.userId;
  const current = eventsIn(state, calendarId, window.from, window.to);
  const items: Record<string, unknown>[] = [];
  for (const event of current)
    if (previous?.seen.get(event.id) !== event.version) items.push(eventResource(event, zone, userId));
  const currentIds = new Set(current.map((e) => e.id));
  for (const id of previous?.seen.keys() ?? [])
    if (!currentIds.has(id))
      items.push({ '@odata.type': '#microsoft.graph.event', id, '@removed': { reason: 'deleted' } });
  const nextDeltaToken = newId('dt');
  state.deltaStates.set(nextDeltaToken, {
    calendarId,
    from: window.from,
    to: window.to,
    seen: new Map(current.map((e) => [e.id, e.version])),
  });
  const pageSize = Math.min(
    Math.max(Number(preferences(request).get('odata.maxpagesize') ?? 10) || 10, 1),
    1000,
  );
  sendDeltaPage(
    state,
    response,
    { calendarId, items, offset: 0, pageSize, deltaToken: nextDeltaToken },
    null,
  );
}

function sendDeltaPage(
  state: FakeState,
  response: ServerResponse,
  page: PageState,
  usedSkipToken: string | null,
) {
  if (usedSkipToken !== null) state.pageStates.delete(usedSkipToken);
  const base = `${state.graphRoot}v1.0/me/calendars/${encodeURIComponent(page.calendarId)}/calendarView/delta`;
  const end = page.offset + page.pageSize;
  const body: Record<string, unknown> = {
    '@odata.context': `${state.graphRoot}v1.0/$metadata#Collection(event)`,
    value: page.items.slice(page.offset, end),
  };
  if (end < page.items.length) {
    const skipToken = newId('st');
    state.pageStates.set(skipToken, { ...page, offset: end });
    body['@odata.nextLink'] = `${base}?$skiptoken=${skipToken}`;
  } else {
    body['@odata.deltaLink'] = `${base}?$deltatoken=${page.deltaToken}`;
  }
  sendJson(response, 200, body);
}

async function createEvent(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  calendarId: string | null,
): Promise<void> {
  const input = readJson(await readBody(request));
  if (calendarId === null) return notFound(response);
  const calendar = state.calendars.get(calendarId)!;
  if (!calendar.canEdit) return graphError(response, 403, 'ErrorAccessDenied', 'Access is denied.');
  if (input === null) return graphError(response, 400, 'BadRequest', 'Empty Payload. JSON content expected.');
  const zone = wireZone(state, request, null);
  if (typeof input.transactionId === 'string') {
    const existing = [...state.events.values()].find(
      (e) =>
        e.transactionId === input.transactionId &&
        state.calendars.get(e.calendarId)?.userId === calendar.userId,
    );
    if (existing !== undefined && state.duplicateTransaction === 'conflict')
      return graphError(
        response,
        409,
        'ErrorDuplicateTransactionId',
        'An event with this transactionId exists.',
      );
    if (existing !== undefined)
      return sendJson(response, 201, eventResource(existing, zone, calendar.userId));
  }
  const now = state.now();
  const event: FakeEvent = {
    id: newId('AAMkEv'),
    calendarId,
    subject: '',
    body: '',
    location: '',
    start: 0,
    end: 0,
    allDay: null,
    timeZone: 'UTC',
    originalStartTimeZone: 'UTC',
    showAs: 'busy',
    isCancelled: false,
    transactionId: typeof input.transactionId === 'string' ? input.transactionId : null,
    type: 'singleInstance',
    seriesMasterId: null,
    version: 1,
    createdAt: now,
    modifiedAt: now,
  };
  const problem = applyFields(event, input, true);
  if (problem !== null) return graphError(response, 400, problem.code, problem.message);
  state.events.set(event.id, event);
  sendJson(response, 201, eventResource(event, zone, calendar.userId));
  state.changed(calendarId, event.id, 'created');
}

/** Writes the fields a client sent onto the event; a problem when they are not what Graph takes. */
function applyFields(
  event: FakeEvent,
  input: Record<string, unknown>,
  creating: boolean,
): { code: string; message: string } | null {
  const start = input.start === undefined ? undefined : readWireTime(input.start);
  const end = input.end === undefined ? undefined : readWireTime(input.end);
  if (start === null || end === null)
    return { code: 'TimeZoneNotSupportedException', message: 'A valid TimeZone value must be specified.' };
  if (creating && (start === undefined || end === undefined))
    return { code: 'ErrorPropertyValidationFailure', message: 'start and end are required.' };
  const newStart = start?.instant ?? event.start;
  const newEnd = end?.instant ?? event.end;
  if (newEnd < newStart) return { code: 'ErrorInvalidRequest', message: 'The end is before the start.' };
  if (start !== undefined) {
    event.timeZone = start.zone;
    event.originalStartTimeZone = (input.start as { timeZone: string }).timeZone;
  }
  event.start = newStart;
  event.end = newEnd;
  if (input.isAllDay === true && start !== undefined && end !== undefined)
    event.allDay = { start: start.date, end: end.date };
  if (typeof input.subject === 'string') event.subject = input.subject;
  const body = input.body as { content?: unknown } | undefined;
  if (typeof body?.content === 'string') event.body = body.content;
  const location = input.location as { displayName?: unknown } | undefined;
  if (typeof location?.displayName === 'string') event.location = location.displayName;
  if (typeof input.showAs === 'string') event.showAs = input.showAs as FakeEvent['showAs'];
  return null;
}

async function eventById(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  endpoint: string,
  event: FakeEvent | null,
): Promise<void> {
  const text = await readBody(request);
  if (event === null) return notFound(response);
  const userId = state.calendars.get(event.calendarId)!.userId;
  const zone = wireZone(state, request, null);
  if (endpoint === 'events:get') return sendJson(response, 200, eventResource(event, zone, userId));
  if (endpoint === 'events:delete') {
    state.events.delete(event.id);
    response.writeHead(204).end();
    state.changed(event.calendarId, event.id, 'deleted');
    return;
  }
  const input = readJson(text);
  if (input === null) return graphError(response, 400, 'BadRequest', 'Empty Payload. JSON content expected.');
  const problem = applyFields(event, input, false);
  if (problem !== null) return graphError(response, 400, problem.code, problem.message);
  event.version++;
  event.modifiedAt = state.now();
  if (event.type === 'occurrence') event.type = 'exception';
  sendJson(response, 200, eventResource(event, zone, userId));
  state.changed(event.calendarId, event.id, 'updated');
}
