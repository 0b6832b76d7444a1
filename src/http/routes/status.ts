import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { buildOpenApi, type OpenApiRoute } from '../openapi.ts';
import type { HttpDeps } from '../request.ts';
import { RTSEQ } from '../schemas.ts';

export function registerStatusRoutes(
  app: FastifyInstance,
  deps: HttpDeps,
  meta: { version: string; routes: readonly OpenApiRoute[] },
): void {
  const { config } = deps.ctx;
  app.get(
    '/v1/status',
    {
      schema: {
        summary: 'Service status: version, data center and storage kind',
        tags: RTSEQ,
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            version: Type.String(),
            data_center: Type.String(),
            storage: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
          }),
        },
      },
    },
    async () => ({
      status: 'ok',
      version: meta.version,
      data_center: config.dataCenter,
      storage: deps.ctx.store.kind,
    }),
  );
  app.get('/healthz', { schema: { summary: 'Liveness: the process answers', tags: RTSEQ } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { schema: { summary: 'Readiness: the database answers', tags: RTSEQ } },
    async (_request, reply) => {
      try {
        await deps.ctx.store.ping();
        return { status: 'ready', storage: deps.ctx.store.kind };
      } catch {
        return reply.code(503).send({ status: 'unavailable', storage: deps.ctx.store.kind });
      }
    },
  );
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () =>
    buildOpenApi(meta.routes, { version: meta.version, serverUrl: config.publicUrl }),
  );
}
