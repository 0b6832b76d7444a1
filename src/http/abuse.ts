/**
 * Cheap abuse limits that sit in front of every route (SPEC 9, issue 12): request ids a client
 * cannot use to forge log lines, and a per-IP limit on failed authentication so credentials and
 * tokens cannot be guessed at API speed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { RateLimiter } from '../app/rate-limit.ts';
import { DomainError } from '../domain/errors.ts';
import { errorBody } from './errors.ts';

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

/** Paths whose answers say whether credentials were right (not the authorization page). */
function authenticates(url: string): boolean {
  return url.startsWith('/v1/') || (url.startsWith('/oauth/') && !url.startsWith('/oauth/authorize'));
}

/**
 * Counts failed authentications (401 anywhere, 400/401 from the token endpoints) per client IP;
 * once an IP passes AUTH_FAILURES_PER_MINUTE, its API and token requests get 429 with Retry-After
 * until the minute is over, whatever credentials they carry.
 */
export function registerAuthFailureLimit(app: FastifyInstance, ctx: AppContext): void {
  const failures = new RateLimiter([{ limit: ctx.config.limits.authFailuresPerMinute, windowMs: 60_000 }]);
  app.addHook('onRequest', async (request, reply) => {
    if (!authenticates(request.url)) return;
    const wait = failures.waitFor(request.ip, ctx.clock.now());
    if (wait > 0) {
      return reply
        .code(429)
        .header('retry-after', String(wait))
        .send(errorBody('rate_limited', 'Too many failed authentications from this address', []));
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!authenticates(request.url)) return;
    const status = reply.statusCode;
    const tokenEndpoint = request.url.startsWith('/oauth/');
    if (status === 401 || (tokenEndpoint && status === 400)) failures.hit(request.ip, ctx.clock.now());
  });
}
