/**
 * Reschedule and cancel (SPEC 6.6), the same for Real-Time Sequencing and Real-Time Scheduling:
 * `POST /v1/real_time_sequencing/{id}/reschedule` and `…/cancel`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { cancelLink, requestReschedule } from '../../app/links/link-changes.ts';
import { KIND_NAMES, linkDocument } from '../../app/links/link-wire.ts';
import { linkById } from '../../app/links/links.ts';
import type { Problems } from '../../domain/errors.ts';
import type { LinkKind } from '../../ports/store.ts';
import { applicationCaller, type HttpDeps, handle, idParam, optionalBody } from '../request.ts';
import { APPLICATION_AUTH, ERRORS, RTSEQ } from '../schemas.ts';
import { isAbsent, readArray, readString } from '../wire/reader.ts';

const TITLES: Readonly<Record<LinkKind, string>> = {
  sequencing: 'Real-Time Sequencing',
  scheduling: 'Real-Time Scheduling',
};

function linkResponse(kind: LinkKind) {
  const { objectKey, idKey } = KIND_NAMES[kind];
  return Type.Object({
    [objectKey]: Type.Object(
      {
        [idKey]: Type.String(),
        url: Type.String(),
        status: Type.String(),
        event: Type.Object({}, { additionalProperties: true }),
      },
      { additionalProperties: true },
    ),
  });
}

export function registerLinkChangeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { ctx } = deps;
  for (const kind of ['sequencing', 'scheduling'] as const) {
    const { objectKey } = KIND_NAMES[kind];
    const path = `/v1/${objectKey}/:id`;
    const response = linkResponse(kind);

    app.post(
      `${path}/reschedule`,
      {
        schema: {
          summary: `Reopen a completed ${TITLES[kind]} link for rescheduling (rtseq extension)`,
          tags: RTSEQ,
          security: APPLICATION_AUTH,
          body: Type.Optional(
            Type.Object(
              {
                steps: Type.Optional(
                  Type.Array(Type.Union([Type.String(), Type.Number()]), {
                    description:
                      'sequence_ids of the steps that move; the others stay (absent: the whole loop)',
                  }),
                ),
              },
              { additionalProperties: true },
            ),
          ),
          response: { 200: response, ...ERRORS },
        },
      },
      handle(deps, applicationCaller, readSteps, async (application, steps, request) => {
        const link = await linkById(ctx, application, kind, idParam(request));
        const changed = await requestReschedule(ctx, { link, application }, steps);
        return { [objectKey]: linkDocument(ctx, changed) };
      }),
    );

    app.post(
      `${path}/cancel`,
      {
        schema: {
          summary: `Cancel a booked ${TITLES[kind]} link: its events are deleted (rtseq extension)`,
          tags: RTSEQ,
          security: APPLICATION_AUTH,
          body: Type.Optional(
            Type.Object(
              { reason: Type.Optional(Type.String({ maxLength: 500 })) },
              { additionalProperties: true },
            ),
          ),
          response: { 200: response, ...ERRORS },
        },
      },
      handle(
        deps,
        applicationCaller,
        (request, problems) =>
          readString(optionalBody(request).reason, 'reason', problems, { required: false, max: 500 }),
        async (application, reason, request) => {
          const link = await linkById(ctx, application, kind, idParam(request));
          const cancelled = await cancelLink(ctx, link, reason ?? null);
          return { [objectKey]: linkDocument(ctx, cancelled) };
        },
      ),
    );
  }
}

/** The steps that move (their sequence_ids); absent is null, the whole loop. */
function readSteps(request: FastifyRequest, problems: Problems): readonly unknown[] | null {
  const body = optionalBody(request);
  if (isAbsent(body.steps)) return null;
  const steps = readArray(body.steps, 'steps', problems, { required: true, max: 20 }) ?? [];
  steps.forEach((id, i) => {
    if (typeof id !== 'string' && typeof id !== 'number') {
      problems.add(`steps[${i}]`, 'errors.invalid_type', `steps[${i}] must be a sequence_id`);
    }
  });
  return steps;
}
