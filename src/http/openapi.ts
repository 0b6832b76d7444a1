/**
 * OpenAPI 3.1 document generated from the route schemas themselves, so it cannot drift from the
 * routes: every registered route with a `schema` appears, tagged `cronofy` (wire-compatible) or
 * `rtseq` (an extension).
 */
import type { RouteOptions } from 'fastify';

export type OpenApiRoute = {
  readonly method: string;
  readonly url: string;
  readonly schema: Record<string, unknown>;
};

export function routeCollector(into: OpenApiRoute[]) {
  return (route: RouteOptions): void => {
    if (route.schema === undefined || (route.schema as { hide?: boolean }).hide === true) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      into.push({
        method: method.toLowerCase(),
        url: route.url,
        schema: route.schema as Record<string, unknown>,
      });
    }
  };
}

function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url.replace(/:(\w+)/g, (_match, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

export function buildOpenApi(routes: readonly OpenApiRoute[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { path, params } = openApiPath(route.url);
    const schema = route.schema;
    const operation: Record<string, unknown> = {
      summary: schema.summary,
      description: schema.description,
      tags: schema.tags,
      operationId: `${route.method}_${path.replace(/[^\w]+/g, '_').replace(/^_|_$/g, '')}`,
      parameters: [
        ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...Object.entries(
          ((schema.querystring as { properties?: Record<string, unknown> } | undefined)?.properties ??
            {}) as Record<string, unknown>,
        ).map(([name, value]) => ({ name, in: 'query', required: false, schema: value })),
      ],
      responses: Object.fromEntries(
        Object.entries((schema.response as Record<string, unknown> | undefined) ?? {}).map(
          ([status, body]) => [
            status,
            {
              description: (body as { description?: string }).description ?? `HTTP ${status}`,
              content: body === null ? undefined : { 'application/json': { schema: body } },
            },
          ],
        ),
      ),
    };
    if (schema.body !== undefined) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
    }
    if (schema.security !== undefined) operation.security = schema.security;
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'rtseq',
      version: info.version,
      description:
        "Real-Time Sequencing server, wire-compatible with the Cronofy scheduling APIs. Operations tagged `cronofy` follow Cronofy's wire format; operations tagged `rtseq` are extensions.",
    },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        clientSecret: { type: 'http', scheme: 'bearer', description: "The application's client_secret" },
        accessToken: { type: 'http', scheme: 'bearer', description: "An account's access_token" },
      },
    },
    paths,
  };
}

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    security?: readonly Record<string, readonly string[]>[];
    /** Leave the route out of the OpenAPI document. */
    hide?: boolean;
  }
}
