import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  createApplicationCalendar,
  InvalidGrantError,
  refreshTokens,
  revokeGrantOf,
  revokeSubOf,
} from '../../app/accounts/accounts.ts';
import { exchangeCode } from '../../app/connections/codes.ts';
import { Problems } from '../../domain/errors.ts';
import type { ApplicationRecord } from '../../ports/store.ts';
import { applicationCaller, type HttpDeps, jsonBody } from '../request.ts';
import { CRONOFY, ERRORS } from '../schemas.ts';
import { type Json, readString, readTimeZone } from '../wire/reader.ts';

const TokenResponse = Type.Object({
  token_type: Type.Literal('bearer'),
  access_token: Type.String(),
  expires_in: Type.Integer({ description: 'seconds the access token works for (ACCESS_TOKEN_SECONDS)' }),
  refresh_token: Type.String(),
  scope: Type.String(),
  sub: Type.String(),
  application_calendar_id: Type.Optional(Type.String()),
  account_id: Type.Optional(Type.String({ description: 'authorization_code grants (SPEC 8b)' })),
  linking_profile: Type.Object({
    provider_name: Type.String(),
    profile_id: Type.String(),
    profile_name: Type.String(),
  }),
});

export function registerApplicationCalendarRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/v1/application_calendars',
    {
      schema: {
        summary: 'Create (or return) the account behind an application calendar',
        tags: CRONOFY,
        body: Type.Object(
          {
            client_id: Type.String(),
            client_secret: Type.String(),
            application_calendar_id: Type.String({ maxLength: 64 }),
          },
          { additionalProperties: true },
        ),
        response: { 200: TokenResponse, ...ERRORS },
      },
    },
    async (request) => {
      const application = await applicationCaller(deps, request);
      const body = jsonBody(request);
      const problems = new Problems();
      const id = readString(body.application_calendar_id, 'application_calendar_id', problems, {
        required: true,
        max: 64,
        ascii: true,
      });
      const name = readString(body.name, 'name', problems, { required: false, max: 200 });
      const tzid = readTimeZone(body.tzid, 'tzid', problems, false);
      problems.throwIfAny();
      const result = await createApplicationCalendar(deps.ctx, application, id!, { name, tzid });
      return {
        token_type: 'bearer',
        access_token: result.accessToken,
        expires_in: result.expiresIn,
        refresh_token: result.refreshToken,
        scope: 'read_write',
        sub: result.account.id,
        application_calendar_id: id,
        linking_profile: {
          provider_name: 'cronofy',
          profile_id: result.account.profileId,
          profile_name: result.account.name,
        },
      };
    },
  );

  app.post(
    '/oauth/token',
    {
      schema: {
        summary:
          'Exchange an authorization code (grant_type=authorization_code) or refresh an access token (grant_type=refresh_token)',
        tags: CRONOFY,
        body: Type.Object(
          {
            grant_type: Type.Union([Type.Literal('authorization_code'), Type.Literal('refresh_token')]),
            code: Type.Optional(
              Type.String({ description: 'authorization_code: the code from the redirect' }),
            ),
            redirect_uri: Type.Optional(
              Type.String({ description: 'authorization_code: the same redirect_uri' }),
            ),
            refresh_token: Type.Optional(Type.String()),
            client_id: Type.String(),
            client_secret: Type.String(),
          },
          { additionalProperties: true },
        ),
        response: { 200: TokenResponse, ...ERRORS },
      },
    },
    async (request, reply) => {
      const application = await applicationCaller(deps, request);
      const body = jsonBody(request);
      if (body.grant_type === 'authorization_code')
        return authorizationCodeGrant(deps, request, application, body, reply);
      if (body.grant_type !== 'refresh_token' || typeof body.refresh_token !== 'string') {
        // OAuth endpoints answer 400 (RFC 6749), the one place Cronofy uses it.
        return reply.code(400).send({ error: 'unsupported_grant_type' });
      }
      const refreshToken = body.refresh_token;
      const result = await grantOrRefuse(deps, request, () =>
        refreshTokens(deps.ctx, application, refreshToken),
      );
      if (result === undefined) return reply.code(400).send({ error: 'invalid_grant' });
      return {
        token_type: 'bearer',
        access_token: result.accessToken,
        expires_in: result.expiresIn,
        refresh_token: result.refreshToken,
        scope: 'read_write',
        sub: result.account.id,
        linking_profile: {
          provider_name: 'cronofy',
          profile_id: result.account.profileId,
          profile_name: result.account.name,
        },
      };
    },
  );

  app.post(
    '/oauth/token/revoke',
    {
      schema: {
        summary:
          "Revoke a token's whole grant (token), or every grant of an account (sub); 200 also for unknown ones",
        tags: CRONOFY,
        body: Type.Object(
          {
            client_id: Type.String(),
            client_secret: Type.String(),
            token: Type.Optional(Type.String({ description: 'an access or refresh token' })),
            sub: Type.Optional(
              Type.String({ description: "an account of the application (Ruby's revoke_by_sub)" }),
            ),
          },
          { additionalProperties: true },
        ),
        response: { 200: Type.Null(), ...ERRORS },
      },
    },
    async (request, reply) => {
      const application = await applicationCaller(deps, request);
      const body = jsonBody(request);
      const problems = new Problems();
      const token = readString(body.token, 'token', problems, { required: false, max: 512 });
      const sub = readString(body.sub, 'sub', problems, { required: false, max: 200 });
      if (token === undefined && sub === undefined && problems.isEmpty) {
        problems.add('token', 'errors.required', 'give token (or sub)');
      }
      problems.throwIfAny();
      if (token !== undefined) await revokeGrantOf(deps.ctx, application, token);
      if (sub !== undefined) await revokeSubOf(deps.ctx, application, sub);
      return reply.code(200).send();
    },
  );
}

/**
 * Runs a token grant; an InvalidGrantError becomes undefined (the caller answers 400
 * `invalid_grant`), counted as a guess when the credential was never valid (SPEC 9).
 */
async function grantOrRefuse<T>(
  deps: HttpDeps,
  request: FastifyRequest,
  grant: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await grant();
  } catch (error) {
    if (!(error instanceof InvalidGrantError)) throw error;
    if (error.neverValid) deps.authFailures.guessed(request.ip);
    return undefined;
  }
}

/**
 * `grant_type=authorization_code` (SPEC 8b): the answer of application_calendars with `account_id`
 * and the profile the person connected. Every refusal (unknown, used, expired code, another
 * application's, another redirect URI) is the same 400 `invalid_grant`.
 */
async function authorizationCodeGrant(
  deps: HttpDeps,
  request: FastifyRequest,
  application: ApplicationRecord,
  body: Json,
  reply: FastifyReply,
) {
  const code = typeof body.code === 'string' && body.code.length <= 200 ? body.code : undefined;
  const redirectUri = typeof body.redirect_uri === 'string' ? body.redirect_uri : undefined;
  if (code === undefined) return reply.code(400).send({ error: 'invalid_request' });
  const result = await grantOrRefuse(deps, request, () =>
    exchangeCode(deps.ctx, application, code, redirectUri),
  );
  if (result === undefined) return reply.code(400).send({ error: 'invalid_grant' });
  return {
    token_type: 'bearer',
    access_token: result.accessToken,
    expires_in: result.expiresIn,
    refresh_token: result.refreshToken,
    scope: 'read_write',
    sub: result.account.id,
    account_id: result.account.id,
    linking_profile: {
      provider_name: result.profile.providerName,
      profile_id: result.profile.id,
      profile_name: result.profile.profileName,
    },
  };
}
