/**
 * The control API of the fake Microsoft 365 (fake-microsoft.ts): what a test calls to set up
 * mailboxes and events, change them server-side, notify, and inject faults.
 */
import { once } from 'node:events';
import type { createServer } from 'node:http';
import type { FakeState, FakeSubscription, NotificationDelivery } from './fake-microsoft-context.ts';
import { mintTokens } from './fake-microsoft-identity.ts';
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
  type LifecycleEvent,
  type NotifyOptions,
  notifyCalendar,
  sendLifecycle,
} from './fake-microsoft-push.ts';

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
  /** Forgets injected faults not used up yet. */
  clearFaults(): void;
  /** Every delta and skip token of the calendar stops working (410 `SyncStateNotFound` by default). */
  invalidateDelta(calendarId: string, how?: { status?: number; code?: string }): void;
  /** Refresh tokens of the user answer `invalid_grant` (AADSTS70000 by default). */
  revokeRefreshTokens(userId: string, how?: { error?: string; aadsts?: number }): void;
  /** Access tokens (of one user, or all) answer 401 from now on. */
  expireAccessTokens(userId?: string): void;
  /** Answer event times in each event's own zone, ignoring `Prefer: outlook.timezone`. */
  setIgnorePreferTimeZone(ignore: boolean): void;
  setLatency(ms: number): void;
  /** A repeated transactionId answers the first event (default) or 409 (a variant Graph may use). */
  setDuplicateTransactionAnswer(answer: 'existing' | 'conflict'): void;
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

export function controls(
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
    clearFaults() {
      state.faults.length = 0;
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
    setDuplicateTransactionAnswer(answer) {
      state.duplicateTransaction = answer;
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
