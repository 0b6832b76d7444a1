/**
 * Where Google and Microsoft push changes of synced calendars (SPEC 8c): `POST /push/google` (a
 * watch channel's headers) and `POST /push/microsoft` (Graph's validation handshake, then change
 * and lifecycle notifications). Anyone can post here: a push is believed only when its channel or
 * subscription is known and carries the secret given at creation, and all a believed push does is
 * make its calendar's sync due now. Answered at once, before any sync runs (Graph allows 10 s,
 * Google retries slow answers).
 */
import type { FastifyInstance } from 'fastify';
import { acceptPush, type PushSignal } from '../../app/sync/watch.ts';
import type { HttpDeps } from '../request.ts';

/** Graph sends notifications in batches; more than this in one post are not looked at. */
const MAX_NOTIFICATIONS = 100;
const PUSH_BODY_LIMIT = 256 * 1024;

export function registerPushRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.register(async (scope) => {
    // Google posts no body; Graph's handshake may come as text/plain: read any type as text.
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: PUSH_BODY_LIMIT }, (_r, body, done) =>
      done(null, body),
    );
    scope.post(
      '/push/google',
      { bodyLimit: PUSH_BODY_LIMIT, schema: { hide: true } },
      async (request, reply) => {
        const header = (name: string) => {
          const value = request.headers[name];
          return typeof value === 'string' && value.length <= 1024 ? value : null;
        };
        const watchId = header('x-goog-channel-id');
        const secret = header('x-goog-channel-token');
        if (watchId !== null && secret !== null) {
          const state = header('x-goog-resource-state');
          await acceptPush(deps.ctx, {
            provider: 'google',
            watchId,
            secret,
            kind: state === 'sync' ? 'sync' : 'changed',
          });
        }
        return reply.code(200).send();
      },
    );
    scope.post(
      '/push/microsoft',
      { bodyLimit: PUSH_BODY_LIMIT, schema: { hide: true } },
      async (request, reply) => {
        const token = (request.query as Record<string, unknown> | undefined)?.validationToken;
        if (typeof token === 'string') {
          // The handshake: the token echoed as plain text, nothing else (never rendered as HTML).
          return reply
            .code(200)
            .type('text/plain; charset=utf-8')
            .header('x-content-type-options', 'nosniff')
            .send(token.slice(0, 1024));
        }
        for (const signal of graphSignals(request.body).slice(0, MAX_NOTIFICATIONS)) {
          await acceptPush(deps.ctx, signal);
        }
        return reply.code(202).send();
      },
    );
  });
}

/** Graph's notifications as push signals; anything malformed is left out. */
function graphSignals(body: unknown): PushSignal[] {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return [];
    }
  }
  const list = (value as { value?: unknown } | null)?.value;
  if (!Array.isArray(list)) return [];
  const signals: PushSignal[] = [];
  for (const item of list.slice(0, MAX_NOTIFICATIONS)) {
    const entry = item as Record<string, unknown> | null;
    const watchId = entry?.subscriptionId;
    const secret = entry?.clientState;
    if (
      typeof watchId !== 'string' ||
      typeof secret !== 'string' ||
      watchId.length > 200 ||
      secret.length > 1024
    )
      continue;
    const lifecycle = entry?.lifecycleEvent;
    const kind =
      lifecycle === 'reauthorizationRequired'
        ? 'renew'
        : lifecycle === 'subscriptionRemoved'
          ? 'removed'
          : 'changed';
    signals.push({ provider: 'office365', watchId, secret, kind });
  }
  return signals;
}
