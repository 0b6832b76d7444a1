import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  availabilityCost,
  type MemberFailure,
  queryAvailability,
  querySequences,
  sequenceCost,
} from '../../app/availability/availability.ts';
import type { ExplanationDocument } from '../../app/availability/explanation.ts';
import type { SequenceOption } from '../../domain/engine/types.ts';
import type { Problems } from '../../domain/errors.ts';
import { anyCaller, chargeAndAdmit, type HttpDeps, handle, jsonBody } from '../request.ts';
import {
  CRONOFY,
  Duration,
  EITHER_AUTH,
  ERRORS,
  Explanation,
  Participant,
  Periods,
  SequenceId,
  SequenceStep,
  StepFields,
} from '../schemas.ts';
import {
  readAvailabilityQuery,
  readCommonContext,
  readMaxResults,
  readSequenceQuery,
} from '../wire/availability.ts';
import { listAnswerJson, slotJsonWriter } from '../wire/json-slices.ts';
import { formatUtc, type Json, readBoolean } from '../wire/reader.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

const Slot = Type.Object({ start: Type.String(), end: Type.String(), participants: Type.Array(Participant) });

/** rtseq extension: which members were unavailable because a calendar source failed (SPEC 8). */
export function failuresField(failures: readonly MemberFailure[]) {
  return failures.length === 0
    ? {}
    : {
        unavailable_sources: failures.map((f) => ({
          sub: f.sub,
          calendar_id: f.calendarId,
          reason: f.reason,
        })),
      };
}

/** A body reader given the fields every availability query shares (tzid, minimum_notice). */
function withContext<T>(
  read: (body: Json, problems: Problems, context: ReturnType<typeof readCommonContext>) => T,
): (request: FastifyRequest, problems: Problems) => T {
  return (request, problems) => {
    const body = jsonBody(request);
    return read(body, problems, readCommonContext(body, problems));
  };
}

const EXPLAIN = Type.Boolean({
  description: 'rtseq extension (SPEC 5.7): also answer why there are no times (`explanation`)',
});

/** `explain` (SPEC 5.7): a boolean when given (422 otherwise); absent or null is false. */
const readExplain = (body: Json, problems: Problems) =>
  readBoolean(body.explain, 'explain', problems) ?? false;

const explanationField = (explanation: ExplanationDocument | undefined) =>
  explanation === undefined ? {} : { explanation };

export function registerAvailabilityRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { limits } = deps.ctx.config;

  app.post(
    '/v1/availability',
    {
      schema: {
        summary: 'Available periods or slots for groups of participants',
        tags: CRONOFY,
        security: EITHER_AUTH,
        body: Type.Object(
          {
            ...StepFields,
            response_format: Type.Optional(
              Type.Union([Type.Literal('periods'), Type.Literal('slots'), Type.Literal('overlapping_slots')]),
            ),
            max_results: Type.Optional(Type.Integer({ minimum: 1, maximum: 512 })),
            tzid: Type.Optional(Type.String()),
            minimum_notice: Type.Optional(Duration),
            explain: Type.Optional(EXPLAIN),
          },
          { additionalProperties: true },
        ),
        response: {
          200: Type.Object({
            available_periods: Type.Optional(Type.Array(Slot)),
            available_slots: Type.Optional(Type.Array(Slot)),
            explanation: Type.Optional(Explanation),
          }),
          ...ERRORS,
        },
      },
    },
    handle(
      deps,
      anyCaller,
      withContext((body, problems, context) => ({
        query: readAvailabilityQuery(body, '', problems, limits, deps.ctx.clock.now(), context),
        explain: readExplain(body, problems),
      })),
      async (caller, { query, explain }, _, reply) => {
        const done = chargeAndAdmit(deps, caller, availabilityCost(query));
        const { slots, failures, explanation } = await queryAvailability(deps.ctx, caller, query, {
          explain,
        }).finally(done);
        const key = query.format === 'periods' ? 'available_periods' : 'available_slots';
        reply.type(JSON_TYPE);
        return listAnswerJson(key, slots, slotJsonWriter(), {
          ...failuresField(failures),
          ...explanationField(explanation),
        });
      },
    ),
  );

  app.post(
    '/v1/sequenced_availability',
    {
      schema: {
        summary: 'Start times at which a whole sequence of steps fits',
        tags: CRONOFY,
        security: EITHER_AUTH,
        body: Type.Object(
          {
            sequence: Type.Array(SequenceStep),
            query_periods: Type.Optional(Periods),
            available_periods: Type.Optional(Periods),
            tzid: Type.Optional(Type.String()),
            minimum_notice: Type.Optional(Duration),
            max_results: Type.Optional(Type.Integer({ minimum: 1, maximum: 512 })),
            explain: Type.Optional(EXPLAIN),
          },
          { additionalProperties: true },
        ),
        response: {
          200: Type.Object({
            explanation: Type.Optional(Explanation),
            sequences: Type.Array(
              Type.Object({
                sequence: Type.Array(
                  Type.Object({
                    sequence_id: SequenceId,
                    start: Type.String(),
                    end: Type.String(),
                    participants: Type.Array(Participant),
                  }),
                ),
              }),
            ),
          }),
          ...ERRORS,
        },
      },
    },
    handle(
      deps,
      anyCaller,
      withContext((body, problems, context) => {
        const maxResults = readMaxResults(body.max_results, 'max_results', problems, 256, limits);
        const query = readSequenceQuery(body, '', problems, limits, deps.ctx.clock.now(), {
          ...context,
          maxResults,
        });
        return { query, explain: readExplain(body, problems) };
      }),
      async (caller, { query, explain }, _, reply) => {
        const done = chargeAndAdmit(deps, caller, sequenceCost(query));
        const { options, failures, explanation } = await querySequences(deps.ctx, caller, query, {
          explain,
        }).finally(done);
        const sequence = (option: SequenceOption) => ({
          sequence: option.steps.map((step) => ({
            sequence_id: query.steps[step.index]!.sequenceId,
            start: formatUtc(step.start),
            end: formatUtc(step.end),
            participants: step.participants.map((sub) => ({ sub })),
          })),
        });
        reply.type(JSON_TYPE);
        return listAnswerJson('sequences', options, (option) => JSON.stringify(sequence(option)), {
          ...failuresField(failures),
          ...explanationField(explanation),
        });
      },
    ),
  );
}
