/**
 * Request body parsers (SPEC 4): JSON everywhere, nested at most 32 levels; form-encoded bodies
 * only on the routes Cronofy's clients send forms to and on the booking pages; any other content
 * type on an API route is a 415 naming the expected one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonDepth, MAX_JSON_DEPTH, tooDeep } from './abuse.ts';

/**
 * API routes that take `application/x-www-form-urlencoded` (Cronofy's OAuth-style clients), and
 * the authorization page's own forms.
 */
export const FORM_ROUTES: ReadonlySet<string> = new Set([
  '/oauth/authorize',
  '/oauth/token',
  '/oauth/token/revoke',
  '/v1/application_calendars',
]);

const isApiRoute = (url: string): boolean => url.startsWith('/v1/') || url.startsWith('/oauth/');

/** Error with a status the server's error handler turns into the standard 415 body. */
export class UnsupportedMediaType extends Error {
  readonly statusCode = 415;
  readonly expected: string;
  constructor(expected: string) {
    super(`send ${expected}`);
    this.expected = expected;
  }
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? request.url.split('?')[0] ?? '';
}

/** The content type an API route expects, for the 415 description. */
export function expectedContentType(request: FastifyRequest): string {
  return FORM_ROUTES.has(routeOf(request))
    ? 'application/json or application/x-www-form-urlencoded'
    : 'application/json';
}

export function registerBodyParsers(app: FastifyInstance): void {
  // Some clients send `Content-Type: application/json` on DELETEs without a body (e.g. deleting an
  // availability rule by id); that is no body, not malformed JSON.
  const defaultJsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (request.method === 'DELETE' && body === '') {
      done(null, undefined);
      return;
    }
    defaultJsonParser(request, String(body), (error, value) => {
      if (error !== null) return done(error, undefined);
      // SPEC 4: deeper than 32 levels is a 422, before anything walks the value.
      if (jsonDepth(value) > MAX_JSON_DEPTH) return done(tooDeep(), undefined);
      done(null, value);
    });
  });

  // text/plain is not a body format of this API: a JSON body sent as text is a 415, not a guess.
  app.removeContentTypeParser('text/plain');

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      // No body is no form: Ruby's oauth2 client labels its body-less POSTs (`link_token`,
      // `revoke_profile_authorization`) as forms, and they must reach their JSON routes.
      if (body === '') {
        done(null, undefined);
        return;
      }
      // An unknown route stays a 404: only a matched API route refuses the form.
      const route = request.routeOptions.url;
      if (route !== undefined && isApiRoute(route) && !FORM_ROUTES.has(route)) {
        done(new UnsupportedMediaType(expectedContentType(request)), undefined);
        return;
      }
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
}
