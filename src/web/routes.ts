/** The hosted booking pages under /book/… (SPEC 6.2). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import type { RateLimiter } from '../app/rate-limit.ts';

export type WebDeps = {
  readonly ctx: AppContext;
  readonly pageLimiter: RateLimiter;
  /** Called after a booking commits (wakes the outbox worker). */
  readonly onBooked: () => void;
};

export function registerWebRoutes(_app: FastifyInstance, _deps: WebDeps): void {}
