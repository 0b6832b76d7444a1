/**
 * The hosted booking pages under /book/… (SPEC 6.2): server-rendered HTML that works without
 * script. Every POST needs the page session's cookie and its CSRF token; a GET never books. This
 * file holds what applies to every page (headers, rate limit, errors, assets); each action has
 * its own file under actions/.
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { isStoreUnavailable, STORE_RETRY_AFTER_SECONDS } from '../ports/store-unavailable.ts';
import { accentStylesheet } from './accent.ts';
import { registerBack } from './actions/back.ts';
import { registerChange } from './actions/change.ts';
import { registerChoose } from './actions/choose.ts';
import { registerItinerary } from './actions/itinerary.ts';
import { registerLive } from './actions/live.ts';
import { registerNone } from './actions/none.ts';
import { registerView } from './actions/view.ts';
import { registerZones } from './actions/zones.ts';
import { loadAssets } from './assets.ts';
import { registerAuthorizePage } from './authorize/routes.ts';
import { PageKit, type WebDeps } from './page-kit.ts';
import { pageHeaders } from './security.ts';
import { basePath, PageSessions, type TokenParams } from './session.ts';
import { SharedViews } from './shared-views.ts';

export type { WebDeps } from './page-kit.ts';

export function registerWebRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { ctx } = deps;
  const secure = ctx.config.publicUrl.startsWith('https:');
  const headers = pageHeaders(secure);
  const kit = new PageKit(
    deps,
    loadAssets(),
    new PageSessions(ctx.config.secretKey, secure),
    new SharedViews(ctx),
  );

  registerAuthorizePage(app, kit, { secure, headers });

  app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        reply.headers(headers);
        reply.header('cache-control', 'no-store');
        if (request.url.startsWith('/book/assets/')) return;
        const wait = deps.pageLimiter.hit(request.ip, ctx.clock.now());
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          const env = kit.env(request);
          return kit.message(reply, 429, env, {
            title: env.t('rate_title'),
            paragraphs: [env.t('rate_text', { seconds: wait })],
          });
        }
      });

      scope.setNotFoundHandler((request, reply) => kit.say(reply, 404, kit.env(request), 'page_not_found'));

      scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
        if (error instanceof DomainError && error.code === 'not_found') return kit.notFound(request, reply);
        const env = kit.env(request);
        const unavailable = unavailableFor(error);
        if (unavailable !== undefined) {
          // At capacity, or the database is away: say so, never a 500 (issue 21).
          reply.header('retry-after', String(unavailable));
          return kit.message(reply, 503, env, {
            title: env.t('busy_title'),
            paragraphs: [env.t('busy_text', { seconds: unavailable })],
          });
        }
        const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
        if (status === 413) return kit.say(reply, 413, env, 'too_much');
        if (status >= 400 && status < 500 && !(error instanceof DomainError)) {
          return kit.say(reply, 400, env, 'unreadable');
        }
        request.log.error({ err: error }, 'booking page error');
        return kit.say(reply, 500, env, 'error');
      });

      scope.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
        const accent = accentStylesheet(request.params.file);
        if (accent !== undefined) {
          return reply
            .header('cache-control', 'public, max-age=31536000, immutable')
            .type('text/css; charset=utf-8')
            .send(accent);
        }
        const asset = kit.assets.byName.get(request.params.file);
        if (asset === undefined) return kit.say(reply, 404, kit.env(request), 'page_not_found');
        return reply
          .header('cache-control', 'public, max-age=31536000, immutable')
          .type(asset.contentType)
          .send(asset.body);
      });

      registerView(scope, kit);
      registerChange(scope, kit);
      registerChoose(scope, kit);
      registerBack(scope, kit);
      registerNone(scope, kit);
      registerItinerary(scope, kit);
      registerLive(scope, kit);
      registerZones(scope, kit);

      // A GET to an action URL never acts: it goes back to the page.
      for (const action of ['choose', 'back']) {
        scope.get<{ Params: TokenParams }>(`/:token/${action}`, async (request, reply) =>
          reply.redirect(basePath(request.params.token), 303),
        );
      }
    },
    { prefix: '/book' },
  );
}

/**
 * Seconds to wait when the error means "not now": a busy server, an absent database (ports/
 * store-unavailable.ts), or the
 * page's computation running out of its budget (which on a page means the server is loaded,
 * or the link asks for too much; either way a 500 would be wrong).
 */
function unavailableFor(error: unknown): number | undefined {
  if (isStoreUnavailable(error)) return STORE_RETRY_AFTER_SECONDS;
  if (!(error instanceof DomainError)) return undefined;
  if (error.code === 'unavailable' || error.code === 'rate_limited') return error.retryAfterSeconds ?? 1;
  if (error.problems.some((problem) => problem.code === 'errors.too_complex')) return 2;
  return undefined;
}
