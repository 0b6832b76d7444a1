/**
 * What the Google and Microsoft 365 suites and benchmarks do alike against rtseq: an in-process
 * server with synced providers built on the test clock; a person connected as a browser would be
 * (`/oauth/authorize`, the provider's consent, `/oauth/callback/…`, the application's code
 * exchange), back at a redirect target a browser can land on; one member's availability; a
 * one-member link written into the member's calendar.
 * The adapters pointed at the fakes are in provider-clients.ts.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../src/app/context.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext, type TestContext } from './context.ts';
import { freePort } from './process.ts';
import { type Scenario, seedScenario } from './scenario.ts';

/** An API answer, from `app.inject` or from fetch. */
export type ApiAnswer = Pick<LightMyRequestResponse, 'statusCode' | 'body' | 'json'>;

/** A request to rtseq's API with a bearer token; `payload` sent as JSON. */
export type Api = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  token: string,
  payload?: unknown,
) => Promise<ApiAnswer>;

/** The API of an in-process server, through `app.inject`. */
export function injectApi(app: ReturnType<typeof buildServer>): Api {
  return (method, path, token, payload) =>
    app.inject({
      method,
      url: path,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
}

/** The API of a server at `baseUrl` over real HTTP. */
export function fetchApi(baseUrl: string): Api {
  return async (method, path, token, payload) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    const text = await response.text();
    return { statusCode: response.status, body: text, json: () => JSON.parse(text) };
  };
}

export type ProviderServer = {
  readonly t: TestContext;
  /** The test context's with the providers (and `onSyncDue`). */
  readonly ctx: AppContext;
  readonly app: ReturnType<typeof buildServer>;
  readonly s: Scenario;
  /** `http://127.0.0.1:{port}`, the server's PUBLIC_URL. */
  readonly url: string;
  readonly api: Api;
  /** Closes the server and disposes of the test context (the fakes are the caller's). */
  close(): Promise<void>;
};

/**
 * Listens on a free loopback port with PUBLIC_URL pointing there, the providers `providers` makes
 * once the test context (and its clock) exists, and a seeded scenario whose application allows
 * `redirectUris`.
 */
export async function startProviderServer(options: {
  readonly start: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly providers: (t: TestContext) => Promise<AppContext['providers']> | AppContext['providers'];
  readonly onSyncDue?: () => void;
  readonly redirectUris?: readonly string[];
  readonly version?: string;
}): Promise<ProviderServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await makeTestContext({ start: options.start, env: { PUBLIC_URL: url, ...options.env } });
  const providers = await options.providers(t);
  const ctx: AppContext = {
    ...t.ctx,
    providers,
    ...(options.onSyncDue === undefined ? {} : { onSyncDue: options.onSyncDue }),
  };
  const app = buildServer({ ctx, logger: false, version: options.version ?? 'test' });
  await app.listen({ port, host: '127.0.0.1' });
  const s = await seedScenario(ctx);
  const api = injectApi(app);
  if (options.redirectUris !== undefined) {
    const registered = await api('PATCH', '/v1/application', s.clientSecret, {
      redirect_uris: options.redirectUris,
    });
    assert.equal(registered.statusCode, 200, registered.body);
  }
  return {
    t,
    ctx,
    app,
    s,
    url,
    api,
    close: async () => {
      await app.close();
      await t.dispose();
    },
  };
}

/** The authorization page for the scenario's application; `providerName` skips the provider choice. */
export function authorizeUrl(
  baseUrl: string,
  s: Scenario,
  query: { readonly redirectUri: string; readonly state?: string; readonly providerName?: string },
): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: s.clientId,
    redirect_uri: query.redirectUri,
    scope: 'read_write',
    ...(query.state === undefined ? {} : { state: query.state }),
    ...(query.providerName === undefined ? {} : { provider_name: query.providerName }),
  });
  return `${baseUrl}/oauth/authorize?${params.toString()}`;
}

/** The provider's consent page answered: resolves with where it sends the browser (rtseq's callback). */
export type Consent = (consent: URL) => Promise<URL>;

/** A consent page that answers at once with a redirect (the fakes allowing by themselves). */
export const consentAtOnce: Consent = async (consent) => {
  const back = await fetch(consent, { redirect: 'manual' });
  return new URL(back.headers.get('location')!);
};

export type ConsentTrip = { readonly consent: URL; readonly callback: URL; readonly landed: URL };

/**
 * Opens `authorizeUrl` as a browser: the 303 to the provider's consent, `consent` answering it,
 * then rtseq's callback with the browser's cookie (`beforeCallback` runs just before), which sends
 * the browser on to the application (`landed`).
 */
export async function throughConsent(
  authorizeUrl: string,
  consent: Consent,
  beforeCallback?: (callback: URL) => Promise<void>,
): Promise<ConsentTrip> {
  const opened = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(opened.status, 303, await opened.text());
  const consentUrl = new URL(opened.headers.get('location')!);
  const cookie = opened.headers.getSetCookie()[0]!.split(';')[0]!;
  const callback = await consent(consentUrl);
  await beforeCallback?.(callback);
  const done = await fetch(callback, { redirect: 'manual', headers: { cookie } });
  assert.equal(done.status, 303, await done.text());
  return { consent: consentUrl, callback, landed: new URL(done.headers.get('location')!) };
}

/** The application exchanges `code` at `/oauth/token` (asserted 200); the token answer. */
export async function exchangeCode(api: Api, s: Scenario, code: string, redirectUri: string) {
  const token = await api('POST', '/oauth/token', s.clientSecret, {
    grant_type: 'authorization_code',
    client_id: s.clientId,
    client_secret: s.clientSecret,
    code,
    redirect_uri: redirectUri,
  });
  assert.equal(token.statusCode, 200, token.body);
  return token.json();
}

/** A connected person's account: its sub, its access token, its first (primary) calendar. */
export type Account = { readonly sub: string; readonly token: string; readonly calendarId: string };

/**
 * A person connected from start to end: {@link throughConsent} from the authorization page for
 * `providerName`, the code exchange and the account's calendars (asserted 200).
 */
export async function connectPerson(options: {
  readonly url: string;
  readonly api: Api;
  readonly s: Scenario;
  readonly redirectUri: string;
  readonly providerName: string;
  readonly state?: string;
  readonly consent: Consent;
  readonly beforeCallback?: (callback: URL) => Promise<void>;
}) {
  const { api, s, redirectUri } = options;
  const trip = await throughConsent(
    authorizeUrl(options.url, s, { redirectUri, state: options.state, providerName: options.providerName }),
    options.consent,
    options.beforeCallback,
  );
  const token = await exchangeCode(api, s, trip.landed.searchParams.get('code')!, redirectUri);
  const calendars = await api('GET', '/v1/calendars', token.access_token);
  assert.equal(calendars.statusCode, 200, calendars.body);
  const list = calendars.json().calendars;
  const account: Account = { sub: token.sub, token: token.access_token, calendarId: list[0].calendar_id };
  return { trip, token, calendars: list, account };
}

export type Connection = Awaited<ReturnType<typeof connectPerson>>;

/**
 * A `beforeCallback` asserting the callback is at `path` and is refused (403) without the browser's
 * cookie: the state is bound to the browser that started, a code cannot be carried elsewhere.
 */
export function refusedWithoutCookie(path: string): (callback: URL) => Promise<void> {
  return async (callback) => {
    assert.equal(callback.pathname, path);
    const stolen = await fetch(callback, { redirect: 'manual' });
    assert.equal(stolen.status, 403, 'the state is bound to the browser that started');
  };
}

/**
 * Asserts what a connection answers the application: back at `redirectUri` with `state`, a token
 * linking `providerName`'s `profileName`, whose first calendar is that provider's primary one.
 */
export function assertConnected(
  connected: Connection,
  expected: { redirectUri: string; state: string; providerName: string; profileName: string },
): void {
  const { landed } = connected.trip;
  assert.equal(landed.origin + landed.pathname, expected.redirectUri);
  assert.equal(landed.searchParams.get('state'), expected.state);
  assert.equal(connected.token.linking_profile.provider_name, expected.providerName);
  assert.equal(connected.token.linking_profile.profile_name, expected.profileName);
  const [primary] = connected.calendars;
  assert.equal(primary.provider_name, expected.providerName);
  assert.equal(primary.calendar_primary, true);
}

export type Period = { readonly start: string; readonly end: string };

export type AvailabilityAnswer = {
  available_periods: Period[];
  unavailable_sources?: { sub: string; reason: string }[];
};

/**
 * `POST /v1/availability` for `sub` alone needing an hour within `period` (asserted 200);
 * `periodsKey` names the request's periods (`available_periods` or `query_periods`).
 */
export async function availabilityOf(
  api: Api,
  s: Scenario,
  sub: string,
  period: Period,
  periodsKey: 'available_periods' | 'query_periods' = 'available_periods',
): Promise<AvailabilityAnswer> {
  const answer = await api('POST', '/v1/availability', s.clientSecret, {
    participants: [{ members: [{ sub }], required: 'all' }],
    required_duration: { minutes: 60 },
    [periodsKey]: [period],
  });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json();
}

/** {@link availabilityOf}'s free periods as `HH:MM-HH:MM` (UTC). */
export async function freePeriods(
  api: Api,
  s: Scenario,
  sub: string,
  period: Period,
  periodsKey: 'available_periods' | 'query_periods' = 'available_periods',
): Promise<string[]> {
  const answer = await availabilityOf(api, s, sub, period, periodsKey);
  return answer.available_periods.map((p) => `${p.start.slice(11, 16)}-${p.end.slice(11, 16)}`);
}

/**
 * The wire body of a one-step link for `account` alone, an hour within `period`, the booking
 * (`interview-1`, "Interview") written into the account's calendar.
 */
export function oneMemberLinkBody(account: Account, period: Period): Record<string, unknown> {
  return {
    oauth: { redirect_uri: 'https://app.example/done' },
    event: { event_id: 'interview-1', summary: 'Interview' },
    availability: {
      sequence: [
        {
          sequence_id: 'talk',
          participants: [{ members: [{ sub: account.sub }], required: 'all' }],
          required_duration: { minutes: 60 },
        },
      ],
      query_periods: [period],
    },
    target_calendars: [{ sub: account.sub, calendar_id: account.calendarId }],
    tzid: 'Europe/London',
  };
}
