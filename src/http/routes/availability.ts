import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  availabilityCost,
  type MemberFailure,
  queryAvailability,
  querySequences,
  sequenceCost,
} from '../../app/availability/availability.ts';
import type { AvailableSlot, SequenceOption } from '../../domain/engine/types.ts';
import { Problems } from '../../domain/errors.ts';
import { anyCaller, chargeAndAdmit, type HttpDeps, jsonBody } from '../request.ts';
import {
  Buffer,
  CRONOFY,
  Duration,
  EITHER_AUTH,
  ERRORS,
  Group,
  Participant,
  Periods,
  SequenceId,
  SequenceStep,
} from '../schemas.ts';
import {
  readAvailabilityQuery,
  readCommonContext,
  readMaxResults,
  readSequenceQuery,
} from '../wire/availability.ts';
import { listAnswerJson } from '../wire/json-slices.ts';
import { formatUtc } from '../wire/reader.ts';

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
            participants: Type.Array(Group),
            required_duration: Duration,
            query_periods: Type.Optional(Periods),
            available_periods: Type.Optional(Periods),
            start_interval: Type.Optional(Duration),
            buffer: Type.Optional(Buffer),
            response_format: Type.Optional(
              Type.Union([Type.Literal('periods'), Type.Literal('slots'), Type.Literal('overlapping_slots')]),
            ),
            max_results: Type.Optional(Type.Integer({ minimum: 1, maximum: 512 })),
            tzid: Type.Optional(Type.String()),
            minimum_notice: Type.Optional(Duration),
          },
          { additionalProperties: true },
        ),
        response: {
          200: Type.Object({
            available_periods: Type.Optional(Type.Array(Slot)),
            available_slots: Type.Optional(Type.Array(Slot)),
          }),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const caller = await anyCaller(deps, request);
      const body = jsonBody(request);
      const problems = new Problems();
      const context = readCommonContext(body, problems);
      const query = readAvailabilityQuery(body, '', problems, limits, deps.ctx.clock.now(), context);
      problems.throwIfAny();
      const done = chargeAndAdmit(deps, caller, availabilityCost(query));
      const { slots, failures } = await queryAvailability(deps.ctx, caller, query).finally(done);
      const key = query.format === 'periods' ? 'available_periods' : 'available_slots';
      const slot = (s: AvailableSlot) => ({
        start: formatUtc(s.start),
        end: formatUtc(s.end),
        participants: s.participants.map((sub) => ({ sub })),
      });
      reply.type(JSON_TYPE);
      return listAnswerJson(key, slots, slot, failuresField(failures));
    },
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
          },
          { additionalProperties: true },
        ),
        response: {
          200: Type.Object({
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
    async (request, reply) => {
      const caller = await anyCaller(deps, request);
      const body = jsonBody(request);
      const problems = new Problems();
      const context = readCommonContext(body, problems);
      const maxResults = readMaxResults(body.max_results, 'max_results', problems, 256, limits);
      const query = readSequenceQuery(body, '', problems, limits, deps.ctx.clock.now(), {
        ...context,
        maxResults,
      });
      problems.throwIfAny();
      const done = chargeAndAdmit(deps, caller, sequenceCost(query));
      const { options, failures } = await querySequences(deps.ctx, caller, query).finally(done);
      const sequence = (option: SequenceOption) => ({
        sequence: option.steps.map((step) => ({
          sequence_id: query.steps[step.index]!.sequenceId,
          start: formatUtc(step.start),
          end: formatUtc(step.end),
          participants: step.participants.map((sub) => ({ sub })),
        })),
      });
      reply.type(JSON_TYPE);
      return listAnswerJson('sequences', options, sequence, failuresField(failures));
    },
  );
}
