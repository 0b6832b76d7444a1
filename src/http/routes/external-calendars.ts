/**
 * rtseq extension (SPEC 3, 8; docs/api.md "External calendars"): connect an account to a CalDAV
 * server or an ICS feed. Application credentials, like `POST /v1/application_calendars`.
 * Bodies carry passwords: nothing here logs a body, and no response echoes one.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { connectCaldavAccount, connectIcsFeed } from '../../app/external-accounts.ts';
import { Problems } from '../../domain/errors.ts';
import { applicationCaller, type HttpDeps, jsonBody } from '../request.ts';
import { APPLICATION_AUTH, ERRORS, RTSEQ } from '../schemas.ts';
import { connectedAccountBody, readCaldavConnect, readIcsConnect } from '../wire/external-calendars.ts';

const open = { additionalProperties: true } as const;

const AccountChoice = {
  sub: Type.Optional(Type.String({ description: 'attach to this existing account of the application' })),
  application_calendar_id: Type.Optional(
    Type.String({
      maxLength: 64,
      description: "the application's own key; repeating it returns the same account",
    }),
  ),
  name: Type.Optional(Type.String({ maxLength: 200, description: 'name of a new account' })),
  tzid: Type.Optional(
    Type.String({ description: 'IANA zone in which all-day and floating events are read' }),
  ),
};

const ConnectedAccount = Type.Object({
  token_type: Type.Literal('bearer'),
  access_token: Type.String(),
  refresh_token: Type.String(),
  sub: Type.String(),
  application_calendar_id: Type.Optional(Type.String()),
  linking_profile: Type.Object({
    provider_name: Type.String(),
    profile_id: Type.String(),
    profile_name: Type.String(),
  }),
  calendars: Type.Array(
    Type.Object(
      {
        calendar_id: Type.String(),
        calendar_name: Type.String(),
        calendar_readonly: Type.Boolean(),
        provider_name: Type.String({ description: '"caldav" or "ics"' }),
      },
      open,
    ),
  ),
});

export function registerExternalCalendarRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/v1/external_calendars/caldav',
    {
      schema: {
        summary: 'Connect an account to a CalDAV server (its calendars are discovered)',
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        body: Type.Object(
          {
            server_url: Type.String({ description: 'CalDAV address (root or any URL on the server)' }),
            username: Type.String(),
            password: Type.String({ description: 'stored encrypted (SECRET_KEY); never returned' }),
            ...AccountChoice,
          },
          open,
        ),
        response: { 200: ConnectedAccount, ...ERRORS },
      },
    },
    async (request) => {
      const application = await applicationCaller(deps, request);
      const problems = new Problems();
      const input = readCaldavConnect(jsonBody(request), problems);
      problems.throwIfAny();
      return connectedAccountBody(await connectCaldavAccount(deps.ctx, application, input!));
    },
  );

  app.post(
    '/v1/external_calendars/ics',
    {
      schema: {
        summary: 'Connect an account to an ICS feed (one read-only calendar)',
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        body: Type.Object(
          {
            url: Type.String({ description: 'http(s) or webcal(s) URL of the feed' }),
            ...AccountChoice,
          },
          open,
        ),
        response: { 200: ConnectedAccount, ...ERRORS },
      },
    },
    async (request) => {
      const application = await applicationCaller(deps, request);
      const problems = new Problems();
      const input = readIcsConnect(jsonBody(request), problems);
      problems.throwIfAny();
      return connectedAccountBody(await connectIcsFeed(deps.ctx, application, input!));
    },
  );
}
