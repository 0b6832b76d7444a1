/**
 * Real-Time Sequencing and Real-Time Scheduling links (SPEC 6.1, 6.5, 6.6): create, status by id
 * or token, disable. One implementation serves both kinds.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { explainLinkNow } from '../../app/booking/link-explanation.ts';
import { linkDocument } from '../../app/links/link-wire.ts';
import { createLink, disableLink, linkById, linkByToken } from '../../app/links/links.ts';
import { DomainError, Problems } from '../../domain/errors.ts';
import type { LinkKind } from '../../ports/store.ts';
import { applicationCaller, type HttpDeps, jsonBody, queryOf } from '../request.ts';
import {
  APPLICATION_AUTH,
  CRONOFY,
  Duration,
  ERRORS,
  Explanation,
  Periods,
  SequenceStep,
  StepFields,
} from '../schemas.ts';
import { readLinkRequest } from '../wire/links.ts';
import { queryBoolean } from '../wire/queries.ts';
import { readString } from '../wire/reader.ts';

const KINDS: readonly { kind: LinkKind; path: string; key: string; title: string }[] = [
  {
    kind: 'sequencing',
    path: '/v1/real_time_sequencing',
    key: 'real_time_sequencing',
    title: 'Real-Time Sequencing',
  },
  {
    kind: 'scheduling',
    path: '/v1/real_time_scheduling',
    key: 'real_time_scheduling',
    title: 'Real-Time Scheduling',
  },
];

const EventTemplate = Type.Object(
  {
    event_id: Type.String(),
    summary: Type.String(),
    description: Type.Optional(Type.String()),
    tzid: Type.Optional(Type.String()),
  },
  {
    additionalProperties: true,
    description: 'Event template (upsert-event fields without start, end or attendees)',
  },
);

function linkBody(kind: LinkKind) {
  const availability =
    kind === 'sequencing'
      ? Type.Object(
          {
            sequence: Type.Array(SequenceStep),
            query_periods: Type.Optional(Periods),
            available_periods: Type.Optional(Periods),
          },
          { additionalProperties: true },
        )
      : Type.Object(StepFields, { additionalProperties: true });
  return Type.Object(
    {
      oauth: Type.Object(
        { redirect_uri: Type.String(), state: Type.Optional(Type.String()) },
        { additionalProperties: true },
      ),
      event: EventTemplate,
      availability,
      target_calendars: Type.Optional(
        Type.Array(Type.Object({ sub: Type.String(), calendar_id: Type.String() })),
      ),
      callback_url: Type.Optional(Type.String()),
      callback_urls: Type.Optional(
        Type.Object({
          completed_url: Type.Optional(Type.String()),
          no_times_suitable_url: Type.Optional(Type.String()),
        }),
      ),
      redirect_urls: Type.Optional(Type.Object({ completed_url: Type.Optional(Type.String()) })),
      selection_mode: Type.Optional(Type.Union([Type.Literal('no_confirm'), Type.Literal('confirm')])),
      tzid: Type.Optional(Type.String()),
      minimum_notice: Type.Optional(Duration),
      formatting: Type.Optional(Type.Object({ hour_format: Type.Optional(Type.String()) })),
      locale: Type.Optional(
        Type.String({
          description: 'rtseq: the booking page’s language, a BCP 47 tag (en, de, fr, es, nl, ja, …)',
        }),
      ),
      organizer: Type.Optional(
        Type.Object(
          { name: Type.Optional(Type.String()), email: Type.Optional(Type.String()) },
          { description: 'rtseq: shown on every page of the link, and as the contact on dead ends' },
        ),
      ),
      client_id: Type.Optional(Type.String({ description: 'legacy body credentials' })),
      client_secret: Type.Optional(Type.String({ description: 'legacy body credentials' })),
    },
    { additionalProperties: true },
  );
}

function linkResponse(key: string, kind: LinkKind) {
  return Type.Object({
    [key]: Type.Object(
      {
        [`${key}_id`]: Type.String({ description: kind === 'sequencing' ? 'seq_…' : 'sch_…' }),
        url: Type.String(),
        status: Type.Union(['open', 'completed', 'disabled', 'expired'].map((s) => Type.Literal(s))),
        event: Type.Object({}, { additionalProperties: true }),
      },
      { additionalProperties: true },
    ),
  });
}

export function registerRealTimeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  for (const { kind, path, key, title } of KINDS) {
    const response = linkResponse(key, kind);

    app.post(
      path,
      {
        schema: {
          summary: `Create a ${title} link`,
          tags: CRONOFY,
          security: APPLICATION_AUTH,
          body: linkBody(kind),
          response: { 200: Type.Intersect([response, Type.Object({ url: Type.String() })]), ...ERRORS },
        },
      },
      async (request) => {
        const application = await applicationCaller(deps, request);
        const body = jsonBody(request);
        const problems = new Problems();
        const parsed = readLinkRequest(kind, body, problems, deps.ctx.config.limits, deps.ctx.clock.now());
        const { link, url } = await createLink(deps.ctx, application, parsed.request, problems, parsed.paths);
        return { [key]: { ...linkDocument(deps.ctx, link), url }, url };
      },
    );

    app.get(
      path,
      {
        schema: {
          summary: `${title} link status by token`,
          tags: CRONOFY,
          security: APPLICATION_AUTH,
          querystring: Type.Object({
            token: Type.String({ description: 'the last component of the link URL' }),
          }),
          response: { 200: response, ...ERRORS },
        },
      },
      async (request) => {
        const application = await applicationCaller(deps, request);
        const problems = new Problems();
        const token = readString(queryOf(request).token, 'token', problems, {
          required: true,
          min: 1,
          max: 200,
        });
        problems.throwIfAny();
        const link = await linkByToken(deps.ctx, token!);
        if (link === undefined || link.applicationId !== application.id || link.kind !== kind) {
          throw new DomainError('not_found', 'No link with this token');
        }
        return { [key]: linkDocument(deps.ctx, link) };
      },
    );

    app.get(
      `${path}/:id`,
      {
        schema: {
          summary: `${title} link status`,
          tags: CRONOFY,
          security: APPLICATION_AUTH,
          querystring: Type.Object({
            explain: Type.Optional(
              Type.Boolean({
                description: 'rtseq extension (SPEC 5.7): also explain why the page has no times now',
              }),
            ),
          }),
          response: {
            200: Type.Intersect([response, Type.Object({ explanation: Type.Optional(Explanation) })]),
            ...ERRORS,
          },
        },
      },
      async (request) => {
        const application = await applicationCaller(deps, request);
        const problems = new Problems();
        const explain = queryBoolean(queryOf(request), 'explain', problems) ?? false;
        problems.throwIfAny();
        const { id } = request.params as { id: string };
        const link = await linkById(deps.ctx, application, kind, id);
        const document = { [key]: linkDocument(deps.ctx, link) };
        if (!explain) return document;
        return { ...document, explanation: await explainLinkNow(deps.ctx, { link, application }) };
      },
    );

    app.post(
      `${path}/:id/disable`,
      {
        schema: {
          summary: `Disable a ${title} link that has not been completed`,
          tags: CRONOFY,
          security: APPLICATION_AUTH,
          body: Type.Object(
            { display_message: Type.String({ maxLength: 500 }) },
            { additionalProperties: true },
          ),
          response: { 200: response, ...ERRORS },
        },
      },
      async (request) => {
        const application = await applicationCaller(deps, request);
        const body = jsonBody(request);
        const problems = new Problems();
        const message = readString(body.display_message, 'display_message', problems, {
          required: true,
          min: 1,
          max: 500,
        });
        problems.throwIfAny();
        const { id } = request.params as { id: string };
        const link = await linkById(deps.ctx, application, kind, id);
        return { [key]: linkDocument(deps.ctx, await disableLink(deps.ctx, link, message!)) };
      },
    );
  }
}
