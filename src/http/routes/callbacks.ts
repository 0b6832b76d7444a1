/** rtseq extension: list, inspect and replay callback deliveries of the calling application. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { deliveryWithAttempts, listDeliveries, replayDelivery } from '../../app/callbacks.ts';
import { applicationCaller, fromQuery, type HttpDeps, handle, idParam, NO_INPUT } from '../request.ts';
import { APPLICATION_AUTH, ERRORS, RTSEQ } from '../schemas.ts';
import { attemptDocument, deliveryDocument } from '../wire/callbacks.ts';
import { readLimitQuery } from '../wire/queries.ts';
import { readEnum } from '../wire/reader.ts';

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

/** The schema of a route about one delivery. */
function oneDelivery(summary: string) {
  return {
    schema: {
      summary,
      tags: RTSEQ,
      security: APPLICATION_AUTH,
      response: { 200: Type.Object({ callback: Delivery }), ...ERRORS },
    },
  };
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
    handle(
      deps,
      applicationCaller,
      fromQuery((query, problems) => ({
        status: readEnum(query.status, 'status', problems, ['pending', 'delivered', 'failed'] as const),
        limit: readLimitQuery(query.limit, problems),
      })),
      async (application, { status, limit }) => {
        const items = await listDeliveries(deps.ctx, {
          applicationId: application.id,
          ...(status === undefined ? {} : { status }),
          ...(limit === undefined ? {} : { limit }),
        });
        return { callbacks: items.map(deliveryDocument) };
      },
    ),
  );

  app.get(
    '/v1/callbacks/:id',
    oneDelivery('One callback delivery with every attempt'),
    handle(deps, applicationCaller, NO_INPUT, async (application, _, request) => {
      const { item, attempts } = await deliveryWithAttempts(deps.ctx, idParam(request), application.id);
      return { callback: { ...deliveryDocument(item), attempt_log: attempts.map(attemptDocument) } };
    }),
  );

  app.post(
    '/v1/callbacks/:id/replay',
    oneDelivery('Replay a failed or pending delivery now (same delivery id)'),
    handle(deps, applicationCaller, NO_INPUT, async (application, _, request) => ({
      callback: deliveryDocument(await replayDelivery(deps.ctx, idParam(request), application.id)),
    })),
  );
}
