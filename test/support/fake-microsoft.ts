/**
 * A fake of the Microsoft identity platform and Microsoft Graph v1.0 for tests (issue 24), as a
 * real HTTP server on 127.0.0.1: `authUrl`/`tokenUrl` (v2.0 endpoints) and `graphUrl` (Graph's
 * root; resources under `v1.0/`). It follows Microsoft's documented wire format: bearer tokens
 * checked (401 once expired), 429 `MailboxConcurrency` past 4 concurrent requests per mailbox,
 * delta and skip tokens, the subscription validation handshake. Tests drive it through the
 * control methods of {@link FakeMicrosoft}. Parts: -model (data), -identity, -graph, -push.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  count,
  type FakeState,
  type FakeSubscription,
  type Fault,
  graphError,
  type NotificationDelivery,
  sleep,
} from './fake-microsoft-context.ts';
import { graphEndpoint, handleGraph } from './fake-microsoft-graph.ts';
import { handleIdentity, isIdentityPath, mintTokens } from './fake-microsoft-identity.ts';
import {
  eventFromInput,
  type FakeCalendar,
  type FakeEvent,
  type FakeEventInput,
  type FakeUser,
  newId,
  placeTimes,
} from './fake-microsoft-model.ts';
import {
  handleSubscriptions,
  type LifecycleEvent,
  type NotifyOptions,
  notifyCalendar,
  sendLifecycle,
} from './fake-microsoft-push.ts';

export type { FakeSubscription } from './fake-microsoft-context.ts';
export type {
  FakeCalendar,
  FakeEvent,
  FakeEventInput,
  FakeShowAs,
  FakeUser,
} from './fake-microsoft-model.ts';
export type { LifecycleEvent, NotifyOptions } from './fake-microsoft-push.ts';

/** Graph's limit of concurrent requests per mailbox. */
export const MAILBOX_CONCURRENCY = 4;

export type FakeMicrosoftOptions = {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Registered redirect URIs; any is accepted when absent. */
  readonly redirectUris?: readonly string[];
  /** Access token lifetime (default 3600 s). */
  readonly accessTokenSeconds?: number;
  /** Consent at once, for the first user added, without showing the page. */
  readonly autoConsent?: boolean;
  /** Send change notifications to live subscriptions after every event change. */
  readonly autoNotify?: boolean;
  /** The fake's clock (token and subscription expiry); default Date.now. */
  readonly now?: () => number;
  /** Added to every Graph request while it holds its mailbox slot (makes concurrency visible). */
  readonly latencyMs?: number;
  /** How long the validation handshake may take (Graph: 10 s). */
  readonly validationTimeoutMs?: number;
};

export type FakeUserInput = Partial<
  Pick<
    FakeUser,
    'mail' | 'userPrincipalName' | 'displayName' | 'timeZone' | 'mailboxTimeZone' | 'mailboxSettingsReadable'
  >
>;

export type FaultInput = {
  readonly status?: number;
  readonly retryAfterSeconds?: number | null;
  readonly code?: string;
  readonly rawBody?: string;
  /** Only this endpoint's requests (`calendarView/delta`, `events:create`, `token`, …). */
  readonly endpoint?: string;
};

export type FakeMicrosoft = {
  readonly url: string;
  readonly authUrl: string;
  readonly tokenUrl: string;
  readonly graphUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** A user (mailbox) with a default calendar named "Calendar". */
  addUser(input?: FakeUserInput): FakeUser;
  addCalendar(
    userId: string,
    input?: Partial<Pick<FakeCalendar, 'name' | 'isDefaultCalendar' | 'canEdit'>>,
  ): FakeCalendar;
  calendarsOf(userId: string): FakeCalendar[];
  primaryCalendarOf(userId: string): FakeCalendar;
  addEvent(calendarId: string, input: FakeEventInput): FakeEvent;
  /** A recurring series as its instances (what calendarView shows), `everyDays` apart (default 7). */
  addSeries(
    calendarId: string,
    input: FakeEventInput & { count: number; everyDays?: number },
  ): {
    masterId: string;
    instances: FakeEvent[];
  };
  /** Changes an event server-side (an occurrence becomes an exception); times as in addEvent. */
  changeEvent(eventId: string, patch: Partial<FakeEventInput>): FakeEvent;
  cancelEvent(eventId: string): FakeEvent;
  /** Deletes an event, or every instance of a series given its master id. */
  deleteEvent(eventId: string): void;
  event(eventId: string): FakeEvent | undefined;
  eventsOf(calendarId: string): FakeEvent[];
  /** Tokens as a consent would give them, without the HTTP round trip. */
  grant(userId: string, scope?: string): { accessToken: string; refreshToken: string };
  /** Drives the authorize page like a person: resolves with where the browser is sent back. */
  approve(authorizeUrl: string, userId: string, decision?: 'allow' | 'deny'): Promise<URL>;
  setAutoConsent(userId: string | null): void;
  notify(calendarId: string, options?: NotifyOptions): Promise<{ subscriptionId: string; status: number }[]>;
  lifecycle(subscriptionId: string, event: LifecycleEvent): Promise<number>;
  subscriptions(): FakeSubscription[];
  /** The next `count` requests (of `endpoint`, else any Graph request) answer 429 with Retry-After. */
  throttle(count: number, input?: FaultInput): void;
  /** The next `count` requests answer as described (500, garbage with `rawBody`, …). */
  failNext(count: number, input: FaultInput): void;
  /** Every delta and skip token of the calendar stops working (410 `SyncStateNotFound` by default). */
  invalidateDelta(calendarId: string, how?: { status?: number; code?: string }): void;
  /** Refresh tokens of the user answer `invalid_grant` (AADSTS70000 by default). */
  revokeRefreshTokens(userId: string, how?: { error?: string; aadsts?: number }): void;
  /** Access tokens (of one user, or all) answer 401 from now on. */
  expireAccessTokens(userId?: string): void;
  /** Answer event times in each event's own zone, ignoring `Prefer: outlook.timezone`. */
  setIgnorePreferTimeZone(ignore: boolean): void;
  setLatency(ms: number): void;
  requestCount(endpoint: string): number;
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  /** Most Graph requests of the user's mailbox seen in flight at once (rejected ones not counted). */
  maxConcurrent(userId: string): number;
  readonly concurrencyRejections: number;
  readonly authorizeRequests: readonly URLSearchParams[];
  readonly validations: readonly { readonly url: string; readonly ok: boolean }[];
  readonly deliveries: readonly NotificationDelivery[];
  /** Resolves once auto-notifications sent so far have been answered. */
  settled(): Promise<void>;
  close(): Promise<void>;
};

function newState(options: FakeMicrosoftOptions, origin: string, pending: Set<Promise<unknown>>): FakeState {
  const state: FakeState = {
    now: options.now ?? Date.now,
    origin,
    graphRoot: `${origin}/graph/`,
    clientId: options.clientId ?? 'fake-ms-client',
    clientSecret: options.clientSecret ?? 'fake-ms-secret',
    redirectUris: options.redirectUris === undefined ? null : new Set(options.redirectUris),
    accessTokenSeconds: options.accessTokenSeconds ?? 3600,
    users: new Map(),
    calendars: new Map(),
    events: new Map(),
    series: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    codes: new Map(),
    revocation: { error: 'invalid_grant', aadsts: 70000 },
    autoConsentUserId: null,
    authorizeRequests: [],
    deltaStates: new Map(),
    invalidDeltaCalendars: new Map(),
    pageStates: new Map(),
    subscriptions: new Map(),
    validationTimeoutMs: options.validationTimeoutMs ?? 10_000,
    validations: [],
    deliveries: [],
    counts: new Map(),
    faults: [],
    ignorePreferTimeZone: false,
    latencyMs: options.latencyMs ?? 0,
    inFlight: new Map(),
    maxInFlight: new Map(),
    concurrencyRejections: 0,
    changed: (calendarId, eventId, changeType) => {
      if (options.autoNotify !== true) return;
      const delivery = notifyCalendar(state, calendarId, { eventId, changeType }).catch(() => undefined);
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
  };
  return state;
}

/** The first injected fault that applies to the request, used up by one. */
function takeFault(state: FakeState, endpoint: string): Fault | null {
  // Faults without an endpoint are for Graph; the token endpoint's must name it.
  const fault = state.faults.find(
    (f) => f.remaining > 0 && (f.endpoint === endpoint || (f.endpoint === null && endpoint !== 'token')),
  );
  if (fault === undefined) return null;
  fault.remaining--;
  if (fault.remaining === 0) state.faults.splice(state.faults.indexOf(fault), 1);
  return fault;
}

function answerFault(response: ServerResponse, fault: Fault) {
  const headers: Record<string, string> =
    fault.retryAfterSeconds === null ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  if (fault.rawBody !== null) {
    response.writeHead(fault.status, { 'content-type': 'application/json', ...headers }).end(fault.rawBody);
    return;
  }
  graphError(response, fault.status, fault.code, 'Injected by the test.', headers);
}

async function serveGraph(state: FakeState, request: IncomingMessage, response: ServerResponse, url: URL) {
  const segments = url.pathname
    .slice('/graph/v1.0/'.length)
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const endpoint = graphEndpoint(request.method ?? 'GET', segments);
  if (endpoint === null)
    return graphError(response, 400, 'BadRequest', 'Resource not found for the segment.');
  count(state, endpoint);
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  const token = bearer === undefined ? undefined : state.accessTokens.get(bearer);
  if (token === undefined || token.expiresAt <= state.now() || !state.users.has(token.userId))
    return graphError(
      response,
      401,
      'InvalidAuthenticationToken',
      'Access token has expired or is not yet valid.',
      {
        'www-authenticate': 'Bearer realm="", error="invalid_token"',
      },
    );
  const fault = takeFault(state, endpoint);
  if (fault !== null) return answerFault(response, fault);
  const userId = token.userId;
  const inFlight = state.inFlight.get(userId) ?? 0;
  if (inFlight >= MAILBOX_CONCURRENCY) {
    state.concurrencyRejections++;
    return graphError(
      response,
      429,
      'MailboxConcurrency',
      'Application is over its MailboxConcurrency limit.',
      {
        'retry-after': '1',
      },
    );
  }
  state.inFlight.set(userId, inFlight + 1);
  state.maxInFlight.set(userId, Math.max(state.maxInFlight.get(userId) ?? 0, inFlight + 1));
  try {
    if (state.latencyMs > 0) await sleep(state.latencyMs);
    if (endpoint.startsWith('subscriptions:'))
      await handleSubscriptions(state, request, response, endpoint, segments[1] ?? '', userId);
    else await handleGraph(state, request, response, url, endpoint, segments, userId);
  } finally {
    state.inFlight.set(userId, (state.inFlight.get(userId) ?? 1) - 1);
  }
}

export async function startFakeMicrosoft(options: FakeMicrosoftOptions = {}): Promise<FakeMicrosoft> {
  const pending = new Set<Promise<unknown>>();
  let state: FakeState | null = null;
  const server = createServer((request, response) => {
    const current = state!;
    const url = new URL(request.url ?? '/', current.origin);
    let work: Promise<void>;
    if (isIdentityPath(url.pathname)) {
      const fault = url.pathname.endsWith('/token') ? takeFault(current, 'token') : null;
      work =
        fault !== null
          ? Promise.resolve(answerFault(response, fault))
          : handleIdentity(current, request, response, url);
    } else if (url.pathname.startsWith('/graph/v1.0/')) work = serveGraph(current, request, response, url);
    else work = Promise.resolve(graphError(response, 404, 'NotFound', 'No such path on the fake.'));
    work.catch((error: unknown) => {
      if (!response.headersSent) graphError(response, 500, 'InternalServerError', String(error));
      else response.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake-microsoft: no port');
  state = newState(options, `http://127.0.0.1:${address.port}`, pending);
  return controls(state, server, pending, options);
}

function controls(
  state: FakeState,
  server: ReturnType<typeof createServer>,
  pending: Set<Promise<unknown>>,
  options: FakeMicrosoftOptions,
): FakeMicrosoft {
  const login = `${state.origin}/login/common/oauth2/v2.0`;
  const userOf = (calendarId: string): FakeUser => {
    const calendar = state.calendars.get(calendarId);
    if (calendar === undefined) throw new Error(`fake-microsoft: no calendar ${calendarId}`);
    return state.users.get(calendar.userId)!;
  };
  const mustEvent = (eventId: string): FakeEvent => {
    const event = state.events.get(eventId);
    if (event === undefined) throw new Error(`fake-microsoft: no event ${eventId}`);
    return event;
  };
  const touch = (event: FakeEvent) => {
    event.version++;
    event.modifiedAt = state.now();
    if (event.type === 'occurrence') event.type = 'exception';
    state.changed(event.calendarId, event.id, 'updated');
    return event;
  };
  const fake: FakeMicrosoft = {
    url: state.origin,
    authUrl: `${login}/authorize`,
    tokenUrl: `${login}/token`,
    graphUrl: state.graphRoot,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    addUser(input = {}) {
      const id = crypto.randomUUID();
      const name = `user${state.users.size + 1}`;
      const timeZone = input.timeZone ?? 'UTC';
      const user: FakeUser = {
        id,
        tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad',
        mail: input.mail === undefined ? `${name}@contoso.example` : input.mail,
        userPrincipalName: input.userPrincipalName ?? `${name}@contoso.onmicrosoft.example`,
        displayName: input.displayName ?? name,
        timeZone,
        mailboxTimeZone: input.mailboxTimeZone ?? timeZone,
        mailboxSettingsReadable: input.mailboxSettingsReadable ?? true,
      };
      state.users.set(id, user);
      fake.addCalendar(id, { name: 'Calendar', isDefaultCalendar: true });
      if (options.autoConsent === true && state.autoConsentUserId === null) state.autoConsentUserId = id;
      return user;
    },
    addCalendar(userId, input = {}) {
      if (!state.users.has(userId)) throw new Error(`fake-microsoft: no user ${userId}`);
      const calendar: FakeCalendar = {
        id: newId('AAMkCal'),
        userId,
        name: input.name ?? 'Calendar',
        isDefaultCalendar: input.isDefaultCalendar ?? false,
        canEdit: input.canEdit ?? true,
      };
      state.calendars.set(calendar.id, calendar);
      return calendar;
    },
    calendarsOf: (userId) => [...state.calendars.values()].filter((c) => c.userId === userId),
    primaryCalendarOf(userId) {
      const calendar = fake.calendarsOf(userId).find((c) => c.isDefaultCalendar);
      if (calendar === undefined) throw new Error(`fake-microsoft: user ${userId} has no default calendar`);
      return calendar;
    },
    addEvent(calendarId, input) {
      const event = eventFromInput(calendarId, userOf(calendarId), input, state.now());
      state.events.set(event.id, event);
      state.changed(calendarId, event.id, 'created');
      return event;
    },
    addSeries(calendarId, input) {
      const masterId = newId('AAMkSeries');
      const stepMs = (input.everyDays ?? 7) * 86_400_000;
      const user = userOf(calendarId);
      const instances: FakeEvent[] = [];
      for (let i = 0; i < input.count; i++) {
        const event = eventFromInput(calendarId, user, input, state.now(), `${masterId}_${i}`);
        // All-day instances move by whole dates in the mailbox zone; timed ones by 24 h steps.
        if (event.allDay !== null)
          placeTimes(
            event,
            user,
            shiftDate(event.allDay.start, i * (input.everyDays ?? 7)),
            shiftDate(event.allDay.end, i * (input.everyDays ?? 7)),
          );
        else {
          event.start += i * stepMs;
          event.end += i * stepMs;
        }
        event.type = 'occurrence';
        event.seriesMasterId = masterId;
        state.events.set(event.id, event);
        instances.push(event);
      }
      state.series.set(
        masterId,
        instances.map((e) => e.id),
      );
      if (instances[0] !== undefined) state.changed(calendarId, instances[0].id, 'created');
      return { masterId, instances };
    },
    changeEvent(eventId, patch) {
      const event = mustEvent(eventId);
      if (patch.start !== undefined || patch.end !== undefined)
        placeTimes(event, userOf(event.calendarId), patch.start ?? event.start, patch.end ?? event.end);
      if (patch.subject !== undefined) event.subject = patch.subject;
      if (patch.showAs !== undefined) event.showAs = patch.showAs;
      if (patch.isCancelled !== undefined) event.isCancelled = patch.isCancelled;
      if (patch.location !== undefined) event.location = patch.location;
      if (patch.timeZone !== undefined) event.timeZone = patch.timeZone;
      if (patch.originalStartTimeZone !== undefined)
        event.originalStartTimeZone = patch.originalStartTimeZone;
      return touch(event);
    },
    cancelEvent: (eventId) => fake.changeEvent(eventId, { isCancelled: true }),
    deleteEvent(eventId) {
      const ids = state.series.get(eventId) ?? [mustEvent(eventId).id];
      state.series.delete(eventId);
      for (const id of ids) {
        const event = state.events.get(id);
        if (event === undefined) continue;
        state.events.delete(id);
        state.changed(event.calendarId, id, 'deleted');
      }
    },
    event: (eventId) => state.events.get(eventId),
    eventsOf: (calendarId) => [...state.events.values()].filter((e) => e.calendarId === calendarId),
    grant(userId, scope = 'offline_access Calendars.ReadWrite User.Read') {
      const tokens = mintTokens(state, userId, scope);
      return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? '' };
    },
    async approve(authorizeUrl, userId, decision = 'allow') {
      const query = new URL(authorizeUrl).searchParams;
      const form = new URLSearchParams({
        client_id: query.get('client_id') ?? '',
        redirect_uri: query.get('redirect_uri') ?? '',
        state: query.get('state') ?? '',
        scope: query.get('scope') ?? '',
        user: userId,
        decision,
      });
      const shown = await fetch(authorizeUrl, { redirect: 'manual' });
      await shown.body?.cancel();
      const answer = await fetch(`${login}/authorize/decide`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
      });
      await answer.body?.cancel();
      const location = answer.headers.get('location');
      if (answer.status !== 302 || location === null)
        throw new Error(`fake-microsoft: consent answered ${answer.status}`);
      return new URL(location);
    },
    setAutoConsent(userId) {
      state.autoConsentUserId = userId;
    },
    notify: (calendarId, notifyOptions) => notifyCalendar(state, calendarId, notifyOptions),
    lifecycle: (subscriptionId, event) => sendLifecycle(state, subscriptionId, event),
    subscriptions: () => [...state.subscriptions.values()].filter((s) => s.expiresAt > state.now()),
    throttle(times, input = {}) {
      fake.failNext(times, { status: 429, retryAfterSeconds: 1, code: 'ApplicationThrottled', ...input });
    },
    failNext(times, input) {
      state.faults.push({
        remaining: times,
        status: input.status ?? 500,
        retryAfterSeconds: input.retryAfterSeconds ?? null,
        code: input.code ?? 'InternalServerError',
        rawBody: input.rawBody ?? null,
        endpoint: input.endpoint ?? null,
      });
    },
    invalidateDelta(calendarId, how = {}) {
      state.invalidDeltaCalendars.set(calendarId, {
        status: how.status ?? 410,
        code: how.code ?? 'SyncStateNotFound',
      });
      for (const [token, delta] of state.deltaStates)
        if (delta.calendarId === calendarId) state.deltaStates.delete(token);
      for (const [token, page] of state.pageStates)
        if (page.calendarId === calendarId) state.pageStates.delete(token);
    },
    revokeRefreshTokens(userId, how = {}) {
      state.revocation = { error: how.error ?? 'invalid_grant', aadsts: how.aadsts ?? 70000 };
      for (const entry of state.refreshTokens.values()) if (entry.userId === userId) entry.revoked = true;
    },
    expireAccessTokens(userId) {
      for (const entry of state.accessTokens.values())
        if (userId === undefined || entry.userId === userId) entry.expiresAt = 0;
    },
    setIgnorePreferTimeZone(ignore) {
      state.ignorePreferTimeZone = ignore;
    },
    setLatency(ms) {
      state.latencyMs = ms;
    },
    requestCount: (endpoint) => state.counts.get(endpoint) ?? 0,
    requestCounts: () => Object.fromEntries(state.counts),
    resetRequestCounts: () => state.counts.clear(),
    maxConcurrent: (userId) => state.maxInFlight.get(userId) ?? 0,
    get concurrencyRejections() {
      return state.concurrencyRejections;
    },
    authorizeRequests: state.authorizeRequests,
    validations: state.validations,
    deliveries: state.deliveries,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async close() {
      await fake.settled();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  return fake;
}

function shiftDate(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year!, month! - 1, day! + days)).toISOString().slice(0, 10);
}
