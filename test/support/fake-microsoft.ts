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
import { count, type FakeState, type Fault, graphError, sleep } from './fake-microsoft-context.ts';
import { controls, type FakeMicrosoft, type FakeMicrosoftOptions } from './fake-microsoft-controls.ts';
import { graphEndpoint, handleGraph } from './fake-microsoft-graph.ts';
import { handleIdentity, isIdentityPath } from './fake-microsoft-identity.ts';
import { handleSubscriptions, notifyCalendar } from './fake-microsoft-push.ts';

export type { FakeSubscription, NotificationDelivery } from './fake-microsoft-context.ts';
export type {
  FakeMicrosoft,
  FakeMicrosoftOptions,
  FakeUserInput,
  FaultInput,
} from './fake-microsoft-controls.ts';
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
    duplicateTransaction: 'existing',
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
