/** Small helpers every route uses: credentials, the JSON body, authentication with rate limits. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AccountCaller,
  authenticateAccount,
  authenticateApplication,
  authenticateCaller,
  type Caller,
  type PresentedCredentials,
  UnauthenticatedError,
} from '../app/accounts/auth.ts';
import type { AppContext } from '../app/context.ts';
import type { RateLimiter } from '../app/rate-limit.ts';
import { DomainError, Problems } from '../domain/errors.ts';
import type { ApplicationRecord } from '../ports/store.ts';
import type { AuthFailureLimit } from './abuse.ts';
import { computeClients } from './compute-clients.ts';
import type { HeavyGate } from './heavy-gate.ts';
import { isObject, type Json } from './wire/reader.ts';

export type HttpDeps = {
  readonly ctx: AppContext;
  readonly apiLimiter: RateLimiter;
  /** Guessed credentials per client IP (SPEC 9 "failed authentications"). */
  readonly authFailures: AuthFailureLimit;
  /**
   * Requests run inside this server as entries of a `/v1/batch` (routes/batch.ts), by their
   * per-batch marker: the batch was counted against the application's rate limit once, for all.
   */
  readonly batchEntries: Set<string>;
  /** Heavy availability requests in progress (heavy-gate.ts). */
  readonly heavyGate: HeavyGate;
  /** Items per page for paged reads (events, free_busy, available_periods). */
  readonly pageSize: number;
};

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match === null ? undefined : match[1]!.trim();
}

export function credentialsOf(request: FastifyRequest): PresentedCredentials {
  const body = isObject(request.body) ? request.body : {};
  return {
    bearer: bearerOf(request),
    bodyClientId: typeof body.client_id === 'string' ? body.client_id : undefined,
    bodyClientSecret: typeof body.client_secret === 'string' ? body.client_secret : undefined,
  };
}

/** The JSON object body; anything else (array, string, none) is one 422. */
export function jsonBody(request: FastifyRequest): Json {
  if (isObject(request.body)) return request.body;
  throw new DomainError('invalid_request', 'The body must be a JSON object', {
    problems: [{ path: 'body', code: 'errors.invalid_type', description: 'the body must be a JSON object' }],
  });
}

/** The header a batch's entries carry their batch's marker in (never honoured otherwise). */
export const BATCH_ENTRY_HEADER = 'x-rtseq-batch-entry';

function limit(deps: HttpDeps, request: FastifyRequest, application: ApplicationRecord): void {
  // Its availability work now counts against the application's share (adapters/admission.ts).
  const client = computeClients.getStore();
  if (client !== undefined && client.lane === 'api') client.tenant = `app:${application.id}`;
  const marker = request.headers[BATCH_ENTRY_HEADER];
  if (typeof marker === 'string' && deps.batchEntries.has(marker)) return;
  const wait = deps.apiLimiter.hit(application.id, deps.ctx.clock.now());
  if (wait > 0) {
    throw new DomainError('rate_limited', 'Too many requests for this application', {
      retryAfterSeconds: wait,
    });
  }
}

/** Authenticates through `authenticate`; refused credentials meet the failure limit (abuse.ts). */
async function authenticated<T>(deps: HttpDeps, request: FastifyRequest, authenticate: () => Promise<T>) {
  try {
    return await authenticate();
  } catch (error) {
    if (error instanceof UnauthenticatedError) throw deps.authFailures.refusal(request.ip, error);
    throw error;
  }
}

/**
 * Charges an application `units` requests more than the one already counted: the cost of a heavy
 * availability request (docs/api.md, "Rate limits and cost").
 */
export function chargeCost(deps: HttpDeps, caller: Caller, units: number): void {
  deps.apiLimiter.charge(caller.application.id, deps.ctx.clock.now(), units);
}

/** The client_id each authenticated request acted for: the request's log line names it (server.ts). */
export const requestApplications = new WeakMap<FastifyRequest, string>();

/**
 * Charges a request's cost (chargeCost) and, when it costs extra (a heavy request), lets it through
 * the heavy-request gate; returns what to call when it is done (heavy-gate.ts).
 */
export function chargeAndAdmit(deps: HttpDeps, caller: Caller, units: number): () => void {
  chargeCost(deps, caller, units);
  return units > 0 ? deps.heavyGate.enter(caller.application.id) : () => undefined;
}

/** Bodies of availability requests larger than this are judged by the gate before they are read. */
export const LARGE_BODY_BYTES = 64 * 1024;

/**
 * Refuses a large availability request (its body over LARGE_BODY_BYTES) before its body is read
 * and validated, when the heavy-request gate would refuse it anyway: reading 40 bodies of the
 * heaviest requests at once took the event loop seconds before the gate could answer any of them.
 * Only a bearer credential is looked at (nothing counted, no rate limit charged); anything else is
 * left to the route.
 */
export function registerEarlyHeavyRefusal(app: FastifyInstance, deps: HttpDeps): void {
  const routes = new Set(['/v1/availability', '/v1/sequenced_availability']);
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || !routes.has(request.url.split('?')[0] ?? '')) return;
    if (Number(request.headers['content-length'] ?? 0) <= LARGE_BODY_BYTES) return;
    const bearer = bearerOf(request);
    if (bearer === undefined || bearer === '') return;
    let caller: Caller;
    try {
      caller = await authenticateCaller(deps.ctx, {
        bearer,
        bodyClientId: undefined,
        bodyClientSecret: undefined,
      });
    } catch {
      return; // the route says what is wrong with the credentials, and counts a guess
    }
    deps.heavyGate.check(caller.application.id);
  });
}

export async function applicationCaller(deps: HttpDeps, request: FastifyRequest): Promise<ApplicationRecord> {
  const application = await authenticated(deps, request, () =>
    authenticateApplication(deps.ctx, credentialsOf(request)),
  );
  requestApplications.set(request, application.clientId);
  limit(deps, request, application);
  return application;
}

export async function accountCaller(deps: HttpDeps, request: FastifyRequest): Promise<AccountCaller> {
  const caller = await authenticated(deps, request, () => authenticateAccount(deps.ctx, bearerOf(request)));
  requestApplications.set(request, caller.application.clientId);
  limit(deps, request, caller.application);
  return caller;
}

export async function anyCaller(deps: HttpDeps, request: FastifyRequest): Promise<Caller> {
  const caller = await authenticated(deps, request, () =>
    authenticateCaller(deps.ctx, credentialsOf(request)),
  );
  requestApplications.set(request, caller.application.clientId);
  limit(deps, request, caller.application);
  return caller;
}

/** How a route finds its caller: `applicationCaller`, `accountCaller` or `anyCaller`. */
export type Authenticate<C> = (deps: HttpDeps, request: FastifyRequest) => Promise<C>;

/**
 * The prologue every API handler shares, in this order: authenticate the caller (the rate limit
 * included), read the input with one Problems collector, throw the one 422 listing every problem;
 * only then does `run` call the use case.
 */
export function handle<C, T, R>(
  deps: HttpDeps,
  authenticate: Authenticate<C>,
  read: (request: FastifyRequest, problems: Problems) => T,
  run: (caller: C, input: T, request: FastifyRequest, reply: FastifyReply) => Promise<R>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<R> {
  return async (request, reply) => {
    const caller = await authenticate(deps, request);
    const problems = new Problems();
    const input = read(request, problems);
    problems.throwIfAny();
    return run(caller, input, request, reply);
  };
}

/** A `handle` reader of the query string. */
export function fromQuery<T>(
  read: (query: Record<string, string | string[]>, problems: Problems) => T,
): (request: FastifyRequest, problems: Problems) => T {
  return (request, problems) => read(queryOf(request), problems);
}

/** For routes that read nothing but their path. */
export const NO_INPUT = (): undefined => undefined;

/** The JSON object body of a route whose body may be left out: absent means `{}`. */
export function optionalBody(request: FastifyRequest): Json {
  return request.body === undefined || request.body === null ? {} : jsonBody(request);
}

/** The `:id` of the route's path (Fastify's router always supplies it). */
export function idParam(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

export function accepted(reply: FastifyReply): FastifyReply {
  return reply.code(202).send();
}

/** The query string as a flat map; `name[]` arrays become arrays under `name`. */
export function queryOf(request: FastifyRequest): Record<string, string | string[]> {
  const raw = request.raw.url ?? '';
  const search = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '';
  // No prototype: a `__proto__[]` parameter must stay a plain key.
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [rawKey, value] of new URLSearchParams(search)) {
    const isList = rawKey.endsWith('[]');
    const key = isList ? rawKey.slice(0, -2) : rawKey;
    const existing = out[key];
    if (isList || existing !== undefined) {
      out[key] = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), value];
    } else {
      out[key] = value;
    }
  }
  return out;
}
