/**
 * A fake of Google's OAuth 2.0 and Calendar API v3 for tests: a real HTTP server on 127.0.0.1
 * that keeps state the way Google does (consent, codes, expiring access tokens, refresh tokens
 * that can be revoked; calendars, events, recurring series as instances, sync tokens, watch
 * channels and their pushes) and answers in Google's wire format, so Google's own Node client
 * can talk to it. Tests drive it through the methods of {@link FakeGoogle} (not HTTP): add users,
 * calendars and events, change them "in Google", push, inject faults, count requests.
 *
 * Endpoints (`url` is the root; `authUrl`, `tokenUrl`, `apiUrl` are what rtseq is configured with):
 * `GET /o/oauth2/v2/auth`, `POST /token`, `/calendar/v3/users/me/calendarList`,
 * `/calendar/v3/calendars/{id}`, `/calendar/v3/calendars/{id}/events[/{eventId}|/watch]`,
 * `POST /calendar/v3/channels/stop`, `POST /calendar/v3/freeBusy`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type ApiAnswer, CalendarApi, type WatchChannel } from './fake-google-api.ts';
import { type ConsentMode, json, OAuthState } from './fake-google-oauth.ts';
import {
  type AccessRole,
  CalendarState,
  FakeGoogleError,
  type GoogleEventInput,
} from './fake-google-state.ts';

export type { ConsentMode } from './fake-google-oauth.ts';
export type { AccessRole, GoogleEventInput, GoogleTime } from './fake-google-state.ts';

/** What the counters and faults are keyed by. */
export type GoogleEndpoint =
  | 'auth'
  | 'token'
  | 'calendarList.list'
  | 'calendars.get'
  | 'events.list'
  | 'events.get'
  | 'events.insert'
  | 'events.patch'
  | 'events.delete'
  | 'events.watch'
  | 'channels.stop'
  | 'freeBusy.query';

export type GoogleFault =
  /** 429 with `Retry-After` (seconds) when given. */
  | { readonly kind: 'rate429'; readonly retryAfterSeconds?: number }
  /** 403 with Google's usageLimits reason. */
  | { readonly kind: 'rate403'; readonly reason?: 'rateLimitExceeded' | 'userRateLimitExceeded' }
  | { readonly kind: 'status'; readonly status: number; readonly reason?: string }
  /** 200 with a body that is not JSON. */
  | { readonly kind: 'garbage' }
  /** Never answers (until the fake stops). */
  | { readonly kind: 'hang' };

export type PushDelivery = {
  readonly channelId: string;
  readonly status: number | null;
  readonly error?: string;
};

export type FakeGoogleOptions = {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Redirect URIs the OAuth client accepts; empty accepts any. */
  readonly redirectUris?: readonly string[];
  /** Epoch ms of the fake's clock (access tokens, channels, `updated`); default Date.now. */
  readonly now?: () => number;
  readonly accessTokenLifetimeMs?: number;
  /** Largest page of any listing (default 250): small values make tests page. */
  readonly pageSize?: number;
  readonly channelTtlMs?: number;
  /** Push to the calendar's channels after every change (API writes and control-API changes). */
  readonly autoPush?: boolean;
  /** Send Google's `sync` message to a new channel (default false). */
  readonly syncMessage?: boolean;
};

export type FakeGoogle = Awaited<ReturnType<typeof startFakeGoogle>>;

export async function startFakeGoogle(options: FakeGoogleOptions = {}) {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? 'fake-client-id.apps.googleusercontent.com';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const oauth = new OAuthState(now, options.accessTokenLifetimeMs ?? 3_600_000);
  oauth.clients.set(clientId, { secret: clientSecret, redirectUris: options.redirectUris ?? [] });
  const state = new CalendarState(now);
  const counts = new Map<GoogleEndpoint, number>();
  const faults = new Map<GoogleEndpoint | '*', GoogleFault[]>();
  const held = new Set<ServerResponse>();
  const inFlight = new Set<Promise<unknown>>();
  let autoPush = options.autoPush ?? false;
  let root = '';

  const pushTo = async (channel: WatchChannel, resourceState: 'sync' | 'exists'): Promise<PushDelivery> => {
    channel.messageNumber += 1;
    const headers: Record<string, string> = {
      'x-goog-channel-id': channel.id,
      'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': api.resourceUri(channel.calendarId),
      'x-goog-resource-state': resourceState,
      'x-goog-message-number': String(channel.messageNumber),
      ...(channel.token === null ? {} : { 'x-goog-channel-token': channel.token }),
    };
    try {
      const response = await fetch(channel.address, { method: 'POST', headers, redirect: 'manual' });
      await response.body?.cancel();
      return { channelId: channel.id, status: response.status };
    } catch (error) {
      return { channelId: channel.id, status: null, error: (error as Error).message };
    }
  };
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
    return promise;
  };
  const push = (calendarId: string): Promise<PushDelivery[]> => {
    const live = [...api.channels.values()].filter(
      (c) => c.calendarId === calendarId && !c.stopped && c.expiration > now(),
    );
    return track(Promise.all(live.map((channel) => pushTo(channel, 'exists'))));
  };
  const changed = (calendarId: string): void => {
    if (autoPush) void push(calendarId);
  };
  const api = new CalendarApi({
    state,
    apiUrl: () => `${root}/`,
    pageSize: options.pageSize ?? 250,
    channelTtlMs: options.channelTtlMs ?? 7 * 86_400_000,
    onChange: changed,
    onWatch: (channel) => {
      if (options.syncMessage === true) void track(pushTo(channel, 'sync'));
    },
  });

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) apiError(response, 500, 'backendError', String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', root);
    const route = routeOf(request.method ?? 'GET', url.pathname);
    const raw = await readBody(request);
    if (route === null) return apiError(response, 404, 'notFound', 'Not Found');
    counts.set(route.endpoint, (counts.get(route.endpoint) ?? 0) + 1);
    const fault = takeFault(route.endpoint);
    if (fault !== undefined) return answerFault(response, fault);
    if (route.endpoint === 'auth') {
      if (request.method === 'POST') return oauth.decideFromForm(new URLSearchParams(raw), response);
      return oauth.authorize(url, response);
    }
    if (route.endpoint === 'token') return oauth.token(new URLSearchParams(raw), request, response);
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const user = bearer === undefined ? null : oauth.userOf(bearer);
    if (user === null) return unauthenticated(response);
    let body: unknown = null;
    try {
      body = raw === '' ? null : JSON.parse(raw);
    } catch {
      return apiError(response, 400, 'parseError', 'Parse Error');
    }
    try {
      const answer = dispatch(route, user, url.searchParams, body);
      if (answer.body === undefined) response.writeHead(answer.status).end();
      else json(response, answer.status, answer.body);
    } catch (error) {
      if (!(error instanceof FakeGoogleError)) throw error;
      apiError(response, error.status, error.reason, error.message);
    }
  }

  function dispatch(route: Route, user: string, q: URLSearchParams, body: unknown): ApiAnswer {
    const [calendarId = '', eventId = ''] = route.ids;
    switch (route.endpoint) {
      case 'calendarList.list':
        return api.calendarList(user, q);
      case 'calendars.get':
        return api.getCalendar(user, calendarId);
      case 'events.list':
        return api.listEvents(user, calendarId, q);
      case 'events.get':
        return api.getEvent(user, calendarId, eventId);
      case 'events.insert':
        return api.insertEvent(user, calendarId, q, body);
      case 'events.patch':
        return api.patchEvent(user, calendarId, eventId, q, body);
      case 'events.delete':
        return api.deleteEvent(user, calendarId, eventId, q);
      case 'events.watch':
        return api.watch(user, calendarId, body);
      case 'channels.stop':
        return api.stopChannel(body);
      default:
        return api.freeBusy(user, body);
    }
  }

  function takeFault(endpoint: GoogleEndpoint): GoogleFault | undefined {
    for (const key of [endpoint, '*'] as const) {
      const queue = faults.get(key);
      if (queue !== undefined && queue.length > 0) return queue.shift();
    }
    return undefined;
  }

  function answerFault(response: ServerResponse, fault: GoogleFault): undefined {
    if (fault.kind === 'hang') {
      held.add(response);
      response.on('close', () => held.delete(response));
      return;
    }
    if (fault.kind === 'garbage') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
      return;
    }
    if (fault.kind === 'rate429') {
      if (fault.retryAfterSeconds !== undefined)
        response.setHeader('retry-after', String(fault.retryAfterSeconds));
      return apiError(response, 429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits');
    }
    if (fault.kind === 'rate403') {
      const reason = fault.reason ?? 'rateLimitExceeded';
      return apiError(response, 403, reason, 'Rate Limit Exceeded', 'usageLimits');
    }
    apiError(response, fault.status, fault.reason ?? 'backendError', `Injected ${fault.status}`);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  root = `http://127.0.0.1:${address.port}`;

  const control = {
    url: root,
    clientId,
    clientSecret,
    /** Configure rtseq with these (GOOGLE_AUTH_URL, GOOGLE_TOKEN_URL, GOOGLE_API_URL). */
    authUrl: `${root}/o/oauth2/v2/auth`,
    tokenUrl: `${root}/token`,
    apiUrl: `${root}/`,

    /** A Google account with its primary calendar (id = the e-mail address). */
    addUser(email: string, input: { readonly timeZone?: string; readonly summary?: string } = {}): string {
      state.addCalendar(email, input.summary ?? email, input.timeZone ?? 'UTC');
      state.access.set(email, new Map([[email, 'owner']]));
      oauth.users.push(email);
      return email;
    },
    /** Another calendar in `owner`'s calendar list (their own, or shared with a role). */
    addCalendar(
      owner: string,
      input: {
        readonly id?: string;
        readonly summary: string;
        readonly timeZone?: string;
        readonly accessRole?: AccessRole;
      },
    ): string {
      const id = input.id ?? `c_${Math.random().toString(36).slice(2, 12)}@group.calendar.google.com`;
      state.addCalendar(id, input.summary, input.timeZone ?? 'UTC');
      this.shareCalendar(id, owner, input.accessRole ?? 'owner');
      return id;
    },
    shareCalendar(calendarId: string, user: string, role: AccessRole): void {
      state.calendar(calendarId);
      const list = state.access.get(user);
      if (list === undefined) throw new Error(`no user ${user}`);
      list.set(calendarId, role);
    },

    /** Creates an event "in Google" (Google's Event JSON; `recurrence` makes a series); answers its id. */
    addEvent(calendarId: string, event: GoogleEventInput): string {
      const id = state.insert(state.calendar(calendarId), event).id;
      changed(calendarId);
      return id;
    },
    /** Changes an event (an instance alone, or a series' master and so every instance), PATCH-style. */
    changeEvent(calendarId: string, eventId: string, fields: Partial<GoogleEventInput>): void {
      state.patch(state.calendar(calendarId), eventId, fields);
      changed(calendarId);
    },
    /** Deletes an event (a master deletes its series; an instance is cancelled alone). */
    deleteEvent(calendarId: string, eventId: string): void {
      state.remove(state.calendar(calendarId), eventId);
      changed(calendarId);
    },
    /** The event as Google returns it to the calendar's owner; undefined when it never existed. */
    event(calendarId: string, eventId: string): Record<string, unknown> | undefined {
      const calendar = state.calendar(calendarId);
      const stored = calendar.events.get(eventId);
      return stored === undefined ? undefined : state.resource(calendar, stored);
    },
    /** Every event of the calendar that is not deleted (instances, not masters), as returned. */
    liveEvents(calendarId: string): Record<string, unknown>[] {
      const calendar = state.calendar(calendarId);
      return state
        .listed(calendar, true)
        .filter((e) => !e.deleted)
        .map((e) => state.resource(calendar, e));
    },

    /** POSTs a change notification to every live channel of the calendar; answers each delivery. */
    push,
    setAutoPush(on: boolean): void {
      autoPush = on;
    },
    /** Channels made by events.watch (stopped and expired ones included). */
    channels(calendarId?: string): readonly WatchChannel[] {
      return [...api.channels.values()].filter(
        (c) => calendarId === undefined || c.calendarId === calendarId,
      );
    },
    /** Resolves when every push sent so far has been answered. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },

    /** How the consent page answers: the HTML form (`page`) or at once (`allow` as a user, `deny`). */
    setConsent(mode: ConsentMode): void {
      oauth.consent = mode;
    },
    /** Tokens without the consent flow, for tests of the Calendar API alone. */
    issueAccessToken: (user: string): string => oauth.issueAccessToken(user),
    issueRefreshToken: (user: string): string => oauth.issueRefreshToken(user, clientId),
    /** Refresh tokens answer `invalid_grant` from now on (one token, or every grant of a user). */
    revoke: (target: { readonly refreshToken: string } | { readonly user: string }): void =>
      oauth.revoke(target),
    /** Live access tokens (of one user, or all) answer 401 from now on. */
    expireAccessTokens: (user?: string): void => oauth.expireAccessTokens(user),
    setAccessTokenLifetime(ms: number): void {
      oauth.accessTokenLifetimeMs = ms;
    },
    /** Every sync token issued so far for the calendar (all calendars when omitted) answers 410. */
    invalidateSyncTokens(calendarId?: string): void {
      for (const calendar of state.calendars.values()) {
        if (calendarId === undefined || calendar.id === calendarId) calendar.generation += 1;
      }
    },
    setPageSize(size: number): void {
      api.pageSize = size;
    },

    /** The next `times` requests of `endpoint` (any endpoint: '*') answer with `fault`. */
    failNext(endpoint: GoogleEndpoint | '*', fault: GoogleFault, times = 1): void {
      const queue = faults.get(endpoint) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      faults.set(endpoint, queue);
    },
    clearFaults(): void {
      faults.clear();
    },

    /** Requests received by endpoint (failed and faulted ones included). */
    requests(endpoint?: GoogleEndpoint): number {
      if (endpoint !== undefined) return counts.get(endpoint) ?? 0;
      return [...counts.values()].reduce((sum, n) => sum + n, 0);
    },
    requestCounts(): Readonly<Partial<Record<GoogleEndpoint, number>>> {
      return Object.fromEntries(counts);
    },
    resetCounts(): void {
      counts.clear();
    },
    /** `sendUpdates` of every insert, patch and delete so far. */
    sendUpdates: (): readonly (string | null)[] => [...api.sendUpdates],

    async stop(): Promise<void> {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return control;
}

type Route = { endpoint: GoogleEndpoint; ids: string[] };

function routeOf(method: string, pathname: string): Route | null {
  if (pathname === '/o/oauth2/v2/auth' && method === 'GET') return { endpoint: 'auth', ids: [] };
  if (pathname === '/o/oauth2/v2/auth/decide' && method === 'POST') return { endpoint: 'auth', ids: [] };
  if (pathname === '/token' && method === 'POST') return { endpoint: 'token', ids: [] };
  if (!pathname.startsWith('/calendar/v3/')) return null;
  const parts = pathname.slice('/calendar/v3/'.length).split('/').map(decodeURIComponent);
  const path = parts.join('/');
  if (path === 'users/me/calendarList' && method === 'GET') return { endpoint: 'calendarList.list', ids: [] };
  if (path === 'channels/stop' && method === 'POST') return { endpoint: 'channels.stop', ids: [] };
  if (path === 'freeBusy' && method === 'POST') return { endpoint: 'freeBusy.query', ids: [] };
  if (parts[0] !== 'calendars' || parts[1] === undefined) return null;
  const ids = [parts[1], ...(parts[3] === undefined ? [] : [parts[3]])];
  if (parts.length === 2 && method === 'GET') return { endpoint: 'calendars.get', ids };
  if (parts[2] !== 'events') return null;
  if (parts.length === 3) {
    if (method === 'GET') return { endpoint: 'events.list', ids };
    if (method === 'POST') return { endpoint: 'events.insert', ids };
    return null;
  }
  if (parts.length !== 4) return null;
  if (parts[3] === 'watch' && method === 'POST') return { endpoint: 'events.watch', ids: [parts[1]] };
  const byMethod: Record<string, GoogleEndpoint> = {
    GET: 'events.get',
    PATCH: 'events.patch',
    DELETE: 'events.delete',
  };
  const endpoint = byMethod[method];
  return endpoint === undefined ? null : { endpoint, ids };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Google's error body: `{"error": {"errors": [{domain, reason, message}], "code", "message"}}`. */
function apiError(
  response: ServerResponse,
  status: number,
  reason: string,
  message: string,
  domain = 'global',
): undefined {
  json(response, status, { error: { errors: [{ domain, reason, message }], code: status, message } });
}

function unauthenticated(response: ServerResponse): undefined {
  response.setHeader(
    'www-authenticate',
    'Bearer realm="https://accounts.google.com/", error="invalid_token"',
  );
  json(response, 401, {
    error: {
      errors: [
        {
          domain: 'global',
          reason: 'authError',
          message: 'Invalid Credentials',
          locationType: 'header',
          location: 'Authorization',
        },
      ],
      code: 401,
      message: 'Request had invalid authentication credentials.',
      status: 'UNAUTHENTICATED',
    },
  });
}
