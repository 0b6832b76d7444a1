/** rtseq extension: list, inspect and replay callback deliveries of the calling application. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { deliveryWithAttempts, listDeliveries, replayDelivery } from '../../app/callbacks.ts';
import { Problems } from '../../domain/errors.ts';
import { applicationCaller, type HttpDeps, queryOf } from '../request.ts';
import { APPLICATION_AUTH, ERRORS, RTSEQ } from '../schemas.ts';
import { attemptDocument, deliveryDocument } from '../wire/callbacks.ts';
import { readEnum, readInteger } from '../wire/reader.ts';

const Delivery = Type.Object({
  callback_id: Type.String(),
  delivery_id: Type.String({ description: 'sent as Rtseq-Delivery-Id; stable across retries' }),
  kind: Type.String(),
  url: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  next_attempt_at: Type.Optional(Type.String()),
  last_error: Type.Optional(Type.String()),
  created: Type.String(),
});

function readLimit(value: unknown, problems: Problems): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value)) {
    problems.add('limit', 'errors.invalid_type', 'limit must be a whole number');
    return undefined;
  }
  return readInteger(Number(value), 'limit', problems, { required: false, min: 1, max: 1000 });
}

export function registerCallbackRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/v1/callbacks',
    {
      schema: {
        summary: 'List callback deliveries (pending, delivered or failed)',
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        querystring: Type.Object({
          status: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Object({ callbacks: Type.Array(Delivery) }), ...ERRORS },
      },
    },
    async (request) => {
      const application = await applicationCaller(deps, request);
      const query = queryOf(request);
      const problems = new Problems();
      const status = readEnum(query.status, 'status', problems, ['pending', 'delivered', 'failed'] as const);
      const limit = readLimit(query.limit, problems);
      problems.throwIfAny();
      const items = await listDeliveries(deps.ctx, {
        applicationId: application.id,
        ...(status === undefined ? {} : { status }),
        ...(limit === undefined ? {} : { limit }),
      });
      return { callbacks: items.map(deliveryDocument) };
    },
  );

  app.get(
    '/v1/callbacks/:id',
    {
      schema: {
        summary: 'One callback delivery with every attempt',
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        response: { 200: Type.Object({ callback: Delivery }), ...ERRORS },
      },
    },
    async (request) => {
      const application = await applicationCaller(deps, request);
      const { id } = request.params as { id: string };
      const { item, attempts } = await deliveryWithAttempts(deps.ctx, id, application.id);
      return { callback: { ...deliveryDocument(item), attempt_log: attempts.map(attemptDocument) } };
    },
  );

  app.post(
    '/v1/callbacks/:id/replay',
    {
      schema: {
        summary: 'Replay a failed or pending delivery now (same delivery id)',
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        response: { 200: Type.Object({ callback: Delivery }), ...ERRORS },
      },
    },
    async (request) => {
      const application = await applicationCaller(deps, request);
      const { id } = request.params as { id: string };
      return { callback: deliveryDocument(await replayDelivery(deps.ctx, id, application.id)) };
    },
  );
}
