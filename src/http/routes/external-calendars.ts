/**
 * rtseq extension (SPEC 3, 8; docs/api.md "External calendars"): connect an account to a CalDAV
 * server or an ICS feed, and list the external calendars with their source status. Application
 * credentials, like `POST /v1/application_calendars`.
 * Bodies carry passwords: nothing here logs a body, and no response echoes one.
 */
import type { FastifyInstance } from 'fastify';
import { type TProperties, Type } from 'typebox';
import {
  type ConnectedAccount,
  connectCaldavAccount,
  connectIcsFeed,
} from '../../app/calendars/external-accounts.ts';
import { listExternalCalendars } from '../../app/calendars/source-status.ts';
import type { AppContext } from '../../app/context.ts';
import type { Problems } from '../../domain/errors.ts';
import type { ApplicationRecord } from '../../ports/store.ts';
import { applicationCaller, fromQuery, type HttpDeps, handle, jsonBody } from '../request.ts';
import { APPLICATION_AUTH, ERRORS, RTSEQ } from '../schemas.ts';
import {
  connectedAccountBody,
  externalCalendarStatusToWire,
  readCaldavConnect,
  readIcsConnect,
} from '../wire/external-calendars.ts';
import { readLimitQuery } from '../wire/queries.ts';
import { type Json, readString } from '../wire/reader.ts';

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

const ConnectedAccountSchema = Type.Object({
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

const LastRead = Type.Object({
  read_at: Type.String({ description: 'when the read finished (UTC)' }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
  reason: Type.Optional(Type.String({ description: 'why it failed, in the words of unavailable_sources' })),
  busy_count: Type.Optional(Type.Integer({ description: 'busy intervals in the window (ok reads)' })),
  ignored_rules: Type.Array(Type.String(), {
    description:
      'rules expansion left out, e.g. "event abc: FREQ=MINUTELY rule ignored" (at most 20, then a count)',
  }),
  window: Type.Object({ start: Type.String(), end: Type.String() }),
});

const ExternalCalendarStatus = Type.Object({
  sub: Type.String(),
  calendar_id: Type.String(),
  calendar_name: Type.String(),
  provider_name: Type.String({ description: '"caldav" or "ics"' }),
  source: Type.Optional(
    Type.String({ description: 'scheme://host:port of the server or feed; never a path or credentials' }),
  ),
  last_read: Type.Union([LastRead, Type.Null()], { description: 'null until the calendar is first read' }),
});

export function registerExternalCalendarRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/v1/external_calendars',
    {
      schema: {
        summary: "List the application's CalDAV and ICS calendars with their last read (source status)",
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        querystring: Type.Object({
          sub: Type.Optional(Type.String({ description: "only this account's calendars" })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 100' })),
        }),
        response: {
          200: Type.Object({ external_calendars: Type.Array(ExternalCalendarStatus) }),
          ...ERRORS,
        },
      },
    },
    handle(
      deps,
      applicationCaller,
      fromQuery((query, problems) => ({
        sub: readString(query.sub, 'sub', problems, { required: false, min: 1, max: 200 }),
        limit: readLimitQuery(query.limit, problems),
      })),
      async (application, { sub, limit }) => {
        const items = await listExternalCalendars(deps.ctx, application, {
          ...(sub === undefined ? {} : { sub }),
          ...(limit === undefined ? {} : { limit }),
        });
        return { external_calendars: items.map(externalCalendarStatusToWire) };
      },
    ),
  );

  connectRoute(app, deps, {
    path: '/v1/external_calendars/caldav',
    summary: 'Connect an account to a CalDAV server (its calendars are discovered)',
    fields: {
      server_url: Type.String({ description: 'CalDAV address (root or any URL on the server)' }),
      username: Type.String(),
      password: Type.String({ description: 'stored encrypted (SECRET_KEY); never returned' }),
    },
    read: readCaldavConnect,
    connect: connectCaldavAccount,
  });
  connectRoute(app, deps, {
    path: '/v1/external_calendars/ics',
    summary: 'Connect an account to an ICS feed (one read-only calendar)',
    fields: { url: Type.String({ description: 'http(s) or webcal(s) URL of the feed' }) },
    read: readIcsConnect,
    connect: connectIcsFeed,
  });
}

/** One connect route a provider: its own body fields beside the account choice, one answer. */
function connectRoute<T>(
  app: FastifyInstance,
  deps: HttpDeps,
  route: {
    readonly path: string;
    readonly summary: string;
    readonly fields: TProperties;
    readonly read: (body: Json, problems: Problems) => T | undefined;
    readonly connect: (
      ctx: AppContext,
      application: ApplicationRecord,
      input: T,
    ) => Promise<ConnectedAccount>;
  },
): void {
  app.post(
    route.path,
    {
      schema: {
        summary: route.summary,
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        body: Type.Object({ ...route.fields, ...AccountChoice }, open),
        response: { 200: ConnectedAccountSchema, ...ERRORS },
      },
    },
    handle(
      deps,
      applicationCaller,
      (request, problems) => route.read(jsonBody(request), problems),
      async (application, input) => connectedAccountBody(await route.connect(deps.ctx, application, input!)),
    ),
  );
}
