/**
 * The shared state of the fake Microsoft 365 and the small HTTP helpers its parts use
 * (fake-microsoft-identity.ts, -graph.ts, -push.ts; assembled in fake-microsoft.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeCalendar, FakeEvent, FakeUser } from './fake-microsoft-model.ts';

export type FakeSubscription = {
  readonly id: string;
  readonly userId: string;
  /** The calendar watched, or null for `me/events` (every calendar of the mailbox). */
  readonly calendarId: string | null;
  readonly resource: string;
  readonly changeType: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string | null;
  readonly clientState: string | null;
  expiresAt: number;
};

/** One delta round's state: what the client has seen, per event, at the token's time. */
export type DeltaState = {
  readonly calendarId: string;
  readonly from: number;
  readonly to: number;
  readonly seen: ReadonlyMap<string, number>;
};

/** The rest of a paged answer, served page by page. */
export type PageState = {
  readonly calendarId: string;
  readonly items: readonly Record<string, unknown>[];
  readonly offset: number;
  readonly pageSize: number;
  /** The delta token the last page hands out. */
  readonly deltaToken: string;
};

export type Fault = {
  remaining: number;
  readonly status: number;
  readonly retryAfterSeconds: number | null;
  readonly code: string;
  /** Sent as is instead of Graph's error JSON (garbage answers). */
  readonly rawBody: string | null;
  /** Only requests to this endpoint (a counter name, e.g. `calendarView/delta`); null: every Graph request. */
  readonly endpoint: string | null;
};

export type NotificationDelivery = {
  readonly subscriptionId: string;
  readonly url: string;
  readonly body: unknown;
  /** HTTP status of the receiver's answer; 0 when it could not be reached. */
  readonly status: number;
};

export type FakeState = {
  readonly now: () => number;
  readonly origin: string;
  /** `{origin}/graph/`: the Graph root (paths `v1.0/…` under it). */
  readonly graphRoot: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registered redirect URIs; null accepts any. */
  redirectUris: ReadonlySet<string> | null;
  accessTokenSeconds: number;
  readonly users: Map<string, FakeUser>;
  readonly calendars: Map<string, FakeCalendar>;
  readonly events: Map<string, FakeEvent>;
  /** Series master id → its instances' ids. */
  readonly series: Map<string, string[]>;
  readonly accessTokens: Map<string, { readonly userId: string; expiresAt: number }>;
  readonly refreshTokens: Map<string, { readonly userId: string; readonly scope: string; revoked: boolean }>;
  readonly codes: Map<
    string,
    {
      readonly userId: string;
      readonly redirectUri: string;
      readonly scope: string;
      readonly expiresAt: number;
      used: boolean;
    }
  >;
  /** What a revoked refresh token is answered with. */
  revocation: { readonly error: string; readonly aadsts: number };
  /** The user the authorize page consents for at once (auto-consent); null shows the page. */
  autoConsentUserId: string | null;
  readonly authorizeRequests: URLSearchParams[];
  readonly deltaStates: Map<string, DeltaState>;
  readonly invalidDeltaCalendars: Map<string, { readonly status: number; readonly code: string }>;
  readonly pageStates: Map<string, PageState>;
  readonly subscriptions: Map<string, FakeSubscription>;
  validationTimeoutMs: number;
  readonly validations: { readonly url: string; readonly ok: boolean }[];
  readonly deliveries: NotificationDelivery[];
  readonly counts: Map<string, number>;
  readonly faults: Fault[];
  ignorePreferTimeZone: boolean;
  /** What a POST with a transactionId already used answers: the event made first, or a 409. */
  duplicateTransaction: 'existing' | 'conflict';
  latencyMs: number;
  readonly inFlight: Map<string, number>;
  readonly maxInFlight: Map<string, number>;
  concurrencyRejections: number;
  /** Called after every change of an event (server-side or through the API): auto-notify. */
  changed: (calendarId: string, eventId: string, changeType: 'created' | 'updated' | 'deleted') => void;
};

export function count(state: FakeState, endpoint: string): void {
  state.counts.set(endpoint, (state.counts.get(endpoint) ?? 0) + 1);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

/** Graph's error body: `{"error": {"code", "message", "innerError"}}`. */
export function graphError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(
    response,
    status,
    {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString(), 'request-id': crypto.randomUUID() },
      },
    },
    headers,
  );
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function readJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The preferences of the `Prefer` headers (`outlook.timezone="UTC"`, `odata.maxpagesize=50`). */
export function preferences(request: IncomingMessage): Map<string, string> {
  const raw = request.headers.prefer;
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out = new Map<string, string>();
  for (const header of values)
    for (const part of header.split(',')) {
      const [key, ...rest] = part.split('=');
      if (key === undefined || key.trim() === '') continue;
      out.set(key.trim().toLowerCase(), rest.join('=').trim().replace(/^"|"$/g, ''));
    }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
