/**
 * Cheap abuse limits that sit in front of every route (SPEC 9, issue 12): request ids a client
 * cannot use to forge log lines, and a per-IP limit on failed authentication so credentials and
 * tokens cannot be guessed at API speed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { UnauthenticatedError } from '../app/accounts/auth.ts';
import { RateLimiter } from '../app/rate-limit.ts';
import { DomainError } from '../domain/errors.ts';
import type { Clock } from '../ports/runtime.ts';

/** SPEC 4: JSON nested deeper than this is a 422, never a 5xx. */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of a JSON value (a scalar is 0, `{}` is 1), measured without recursion. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const inner of Object.values(item)) stack.push([inner, depth + 1]);
  }
  return deepest;
}

/** The 422 for a body nested deeper than {@link MAX_JSON_DEPTH}. */
export function tooDeep(): DomainError {
  return new DomainError('invalid_request', `JSON may be nested at most ${MAX_JSON_DEPTH} levels deep`, {
    problems: [
      {
        path: 'body',
        code: 'errors.too_deep',
        description: `the body is nested deeper than ${MAX_JSON_DEPTH} levels of JSON`,
      },
    ],
  });
}

/** A client's x-request-id is kept only when it is a short token of safe characters. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Fastify's `genReqId`: the client's id when it is safe, else a new random one. */
export function requestIdOf(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
}

/**
 * The failed-authentication limit (SPEC 9): credentials from one client IP that were never valid
 * (guesses: unknown secrets, tokens and refresh tokens) are counted per minute; once an IP has
 * AUTH_FAILURES_PER_MINUTE of them, its requests WITHOUT valid credentials get 429 with
 * Retry-After until the minute is over. Expired and revoked tokens, a refresh race's losers and
 * missing credentials are not counted, and a request with valid credentials is never refused, so
 * a crowd behind one address (or a proxy not listed in TRUST_PROXY) cannot lock anyone out.
 * The client IP is Fastify's `request.ip`: X-Forwarded-For only through TRUST_PROXY (server.ts).
 */
export class AuthFailureLimit {
  readonly #failures: RateLimiter;
  readonly #clock: Clock;

  constructor(perMinute: number, clock: Clock) {
    this.#failures = new RateLimiter([{ limit: perMinute, windowMs: 60_000 }]);
    this.#clock = clock;
  }

  /** Counts a guess from `ip` (a credential that was never valid). */
  guessed(ip: string): void {
    this.#failures.hit(ip, this.#clock.now());
  }

  /**
   * What to answer a request from `ip` whose credentials were refused: the 429 while the IP is
   * over the limit (the guesses before this one reached it), else the refusal itself.
   */
  refusal(ip: string, refused: UnauthenticatedError): DomainError {
    const wait = this.#failures.waitFor(ip, this.#clock.now());
    if (refused.neverValid) this.guessed(ip);
    if (wait === 0) return refused;
    return new DomainError('rate_limited', 'Too many failed authentications from this address', {
      retryAfterSeconds: wait,
    });
  }
}
