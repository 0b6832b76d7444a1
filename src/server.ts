/**
 * buildServer(deps): a configured Fastify instance that never listens (wiring/serve.ts does). Registers
 * the JSON API (http/) and the hosted pages (web/).
 */
import { availableParallelism } from 'node:os';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import type { AppContext } from './app/context.ts';
import { RateLimiter } from './app/rate-limit.ts';
import { DomainError } from './domain/errors.ts';
import { AuthFailureLimit, requestIdOf } from './http/abuse.ts';
import { expectedContentType, registerBodyParsers } from './http/body-parsers.ts';
import { computeClients } from './http/compute-clients.ts';
import { errorBody, STATUS_BY_CODE } from './http/errors.ts';
import { defaultHeavyGate, HeavyGate } from './http/heavy-gate.ts';
import { type OpenApiRoute, routeCollector } from './http/openapi.ts';
import { type HttpDeps, registerEarlyHeavyRefusal, requestApplications } from './http/request.ts';
import { registerApiRoutes } from './http/routes.ts';
import type { Metrics, MetricsExposition } from './ports/metrics.ts';
import { isStoreUnavailable, STORE_RETRY_AFTER_SECONDS } from './ports/store-unavailable.ts';
import { registerDemoPages } from './web/demo.ts';
import { registerWebRoutes, type WebDeps } from './web/routes.ts';

export type ServerOptions = {
  readonly ctx: AppContext;
  /** A pino logger, or false for none (tests). */
  readonly logger: FastifyBaseLogger | false;
  readonly pageSize?: number;
  readonly version: string;
  /** Extra hooks for the booking pages (e.g. a callback worker to wake after booking). */
  readonly web?: Partial<Pick<WebDeps, 'onBooked'>>;
  /** Records every answered request (method, route pattern, status, duration). */
  readonly metrics?: Metrics;
  /** Serves GET /metrics on this server (METRICS_PUBLIC; absent: not here). */
  readonly metricsPage?: MetricsExposition;
  /** The demo's stand-in pages for the integrating application (web/demo.ts). */
  readonly demo?: boolean;
};

/** GET /metrics in Prometheus text format (docs/deployment.md); also on its own port (wiring/serve.ts). */
export function registerMetricsRoute(app: FastifyInstance, exposition: MetricsExposition): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', exposition.contentType).send(await exposition.render()),
  );
}

/** Strips tokens from URLs before they reach a log line (SPEC: no secret or token is ever logged). */
export function redactUrl(url: string): string {
  return url
    .replace(/\/book\/[^/?#]+/g, '/book/[redacted]')
    .replace(/([?&](?:token|code|link_token)=)[^&#]*/g, '$1[redacted]');
}

/**
 * Whose availability work a request's computations are (ports/compute.ts): booking pages have a
 * lane of their own, per client address; API work counts against its application once
 * authenticated (http/request.ts), before that against its address. Set after the body is read,
 * so that the handler runs inside it.
 */
function registerComputeScope(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const lane = request.url.startsWith('/book/') ? 'page' : 'api';
    computeClients.run({ lane, tenant: `ip:${request.ip}` }, done);
  });
}

/**
 * Every error as the standard body (SPEC 4): DomainErrors by the one table, framework errors as
 * 413/415/422, the database away as 503 with Retry-After; anything else is a logged 500.
 */
function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply
        .code(STATUS_BY_CODE[error.code])
        .send(errorBody(error.code, error.message, error.problems));
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 413) {
      return reply.code(413).send(errorBody('payload_too_large', 'The request body is too large', []));
    }
    if (status === 415) {
      return reply.code(415).send({
        errors: {
          content_type: [
            { key: 'errors.unsupported_media_type', description: `send ${expectedContentType(request)}` },
          ],
        },
      });
    }
    if (status >= 400 && status < 500) {
      // Malformed JSON, an empty JSON body, prototype poisoning: the body could not be read.
      return reply.code(422).send({
        errors: { body: [{ key: 'errors.invalid_json', description: 'the body is not valid JSON' }] },
      });
    }
    if (isStoreUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
        .send(
          errorBody(
            'unavailable',
            'The database is unavailable just now; nothing was changed, try again',
            [],
          ),
        );
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .code(500)
      .send({ errors: { server: [{ key: 'errors.internal', description: 'internal error' }] } });
  });
}

const HEALTH_PROBES = new Set(['/healthz', '/readyz']);

/**
 * One line per answered request (docs/deployment.md, "Logs"): method, path without tokens, status,
 * time, client IP (X-Forwarded-For only from TRUST_PROXY) and, once authenticated, the client_id;
 * `reqId` comes with the request's logger. Health probes are left out unless LOG_HEALTH_PROBES.
 */
function logRequests(app: FastifyInstance, healthProbes: boolean): void {
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!healthProbes && HEALTH_PROBES.has(path)) return;
    const clientId = requestApplications.get(request);
    const status = reply.statusCode;
    request.log[status >= 500 ? 'error' : 'info'](
      {
        method: request.method,
        url: redactUrl(request.url),
        status,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
        ...(clientId === undefined ? {} : { client_id: clientId }),
      },
      'request',
    );
  });
}

export function buildServer(options: ServerOptions): FastifyInstance {
  const { ctx } = options;
  const app = Fastify({
    ...(options.logger === false ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit: ctx.config.limits.bodyBytes,
    // A client's x-request-id is kept only when it is a short safe token (http/abuse.ts).
    requestIdHeader: false,
    genReqId: requestIdOf,
    // One line per request, written when it is answered (logRequests), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // X-Forwarded-For counts only when the socket peer is a proxy listed in TRUST_PROXY.
    trustProxy: ctx.config.trustProxy.length === 0 ? false : [...ctx.config.trustProxy],
    // Slow clients (SPEC 9): headers and the whole request within their limits, checked often
    // enough that a small configured limit is enforced promptly.
    requestTimeout: ctx.config.requestTimeoutMs,
    // Idle keep-alive connections close within 10 s (Fastify's default kept them 72 s: 20k idle
    // clients held 400 MB), and the listener holds at most MAX_CONNECTIONS (below).
    keepAliveTimeout: ctx.config.keepAliveTimeoutMs,
    http: {
      headersTimeout: ctx.config.headersTimeoutMs,
      requestTimeout: ctx.config.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(ctx.config.headersTimeoutMs / 4))),
    },
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: true },
    // A path the router cannot even read (bad percent-encoding, an over-long parameter) names no
    // resource: the standard 404 body instead of Fastify's own error shape.
    frameworkErrors: (_error, request, reply) => {
      (reply as FastifyReply)
        .code(404)
        .send(
          errorBody(
            'not_found',
            `No route ${request.method} ${redactUrl(request.url.split('?')[0] ?? '')}`,
            [],
          ),
        );
    },
  });

  // Beyond the cap Node closes new connections on arrival; those open are served as before.
  app.server.maxConnections = ctx.config.maxConnections;

  // Requests are validated by the wire readers (every problem, dotted paths); route schemas
  // describe the API for OpenAPI. See docs/decisions/0002-validation.md.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  registerBodyParsers(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
  });

  registerComputeScope(app);

  // No resource id contains U+0000, and PostgreSQL text cannot even compare with one: such a path
  // names nothing (found by test/http/fuzz.test.ts on PostgreSQL).
  app.addHook('preHandler', async (request) => {
    const params = request.params as Record<string, unknown> | undefined;
    if (
      params !== undefined &&
      Object.values(params).some((v) => typeof v === 'string' && v.includes('\u0000'))
    ) {
      throw new DomainError('not_found', 'No such resource');
    }
  });

  registerErrorHandler(app);

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(
        errorBody(
          'not_found',
          `No route ${request.method} ${redactUrl(request.url.split('?')[0] ?? '')}`,
          [],
        ),
      );
  });

  if (options.logger !== false) logRequests(app, ctx.config.logHealthProbes);
  const metrics = options.metrics;
  if (metrics !== undefined) {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  }
  if (options.metricsPage !== undefined) registerMetricsRoute(app, options.metricsPage);
  if (options.demo === true) registerDemoPages(app, ctx);

  const routes: OpenApiRoute[] = [];
  app.addHook('onRoute', routeCollector(routes));

  const httpDeps: HttpDeps = {
    ctx,
    pageSize: options.pageSize ?? 100,
    apiLimiter: new RateLimiter([
      { limit: ctx.config.limits.apiPerSecond, windowMs: 1000 },
      { limit: ctx.config.limits.apiPerMinute, windowMs: 60_000 },
    ]),
    authFailures: new AuthFailureLimit(ctx.config.limits.authFailuresPerMinute, ctx.clock),
    heavyGate: new HeavyGate(
      defaultHeavyGate(ctx.config.computeWorkers ?? availableParallelism(), ctx.config.computeBudgetMs),
    ),
    batchEntries: new Set(),
  };
  registerEarlyHeavyRefusal(app, httpDeps);
  registerApiRoutes(app, httpDeps, { version: options.version, routes });
  registerWebRoutes(app, {
    ctx,
    pageLimiter: new RateLimiter([{ limit: ctx.config.limits.pagePerSecond, windowMs: 1000 }]),
    onBooked: options.web?.onBooked ?? (() => {}),
  });
  return app;
}
