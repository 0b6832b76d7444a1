/**
 * The hosted booking pages under /book/… (SPEC 6.2): server-rendered HTML that works without
 * script. Every POST needs the page session's cookie and its CSRF token; a GET never books. This
 * file holds what applies to every page (headers, rate limit, errors, assets); each action has
 * its own file under actions/.
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { registerBack } from './actions/back.ts';
import { registerChange } from './actions/change.ts';
import { registerChoose } from './actions/choose.ts';
import { registerItinerary } from './actions/itinerary.ts';
import { registerNone } from './actions/none.ts';
import { registerView } from './actions/view.ts';
import { loadAssets } from './assets.ts';
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

  app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        reply.headers(headers);
        reply.header('cache-control', 'no-store');
        if (request.url.startsWith('/book/assets/')) return;
        const wait = deps.pageLimiter.hit(request.ip, ctx.clock.now());
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          return kit.message(reply, 429, 'Too many requests', [
            `Please wait ${wait} ${wait === 1 ? 'second' : 'seconds'} and try again.`,
          ]);
        }
      });

      scope.setNotFoundHandler((_request, reply) =>
        kit.message(reply, 404, 'Page not found', ['There is no page at this address.']),
      );

      scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
        if (error instanceof DomainError && error.code === 'not_found') return kit.notFound(reply);
        const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
        if (status === 413) return kit.message(reply, 413, 'Too much data', ['The form sent too much data.']);
        if (status >= 400 && status < 500 && !(error instanceof DomainError)) {
          return kit.message(reply, 400, 'The form could not be read', [
            'Nothing was changed. Please try again.',
          ]);
        }
        request.log.error({ err: error }, 'booking page error');
        return kit.message(reply, 500, 'Something went wrong', [
          'The page could not be shown just now. Nothing was booked. Please try again in a moment.',
        ]);
      });

      scope.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
        const asset = kit.assets.byName.get(request.params.file);
        if (asset === undefined) return kit.message(reply, 404, 'Not found', ['No such file.']);
        return reply
          .header('cache-control', 'public, max-age=31536000, immutable')
          .type(asset.contentType)
          .send(asset.body);
      });

      registerView(scope, kit);
      registerChoose(scope, kit);
      registerBack(scope, kit);
      registerNone(scope, kit);
      registerItinerary(scope, kit);
      registerChange(scope, kit);

      // A GET to an action URL never acts: it goes back to the page.
      for (const action of ['choose', 'confirm', 'back', 'none']) {
        scope.get<{ Params: TokenParams }>(`/:token/${action}`, async (request, reply) =>
          reply.redirect(basePath(request.params.token), 303),
        );
      }
    },
    { prefix: '/book' },
  );
}
