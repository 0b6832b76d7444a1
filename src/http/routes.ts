/** The whole JSON API surface, in one place. */
import type { FastifyInstance } from 'fastify';
import type { OpenApiRoute } from './openapi.ts';
import type { HttpDeps } from './request.ts';
import { registerApplicationRoutes } from './routes/application.ts';
import { registerApplicationCalendarRoutes } from './routes/application-calendars.ts';
import { registerAvailabilityRoutes } from './routes/availability.ts';
import { registerBatchRoutes } from './routes/batch.ts';
import { registerCalendarRoutes } from './routes/calendars.ts';
import { registerCallbackRoutes } from './routes/callbacks.ts';
import { registerChannelRoutes } from './routes/channels.ts';
import { registerConnectionRoutes } from './routes/connections.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerExternalCalendarRoutes } from './routes/external-calendars.ts';
import { registerLinkChangeRoutes } from './routes/link-changes.ts';
import { registerManagedAvailabilityRoutes } from './routes/managed-availability.ts';
import { registerPushRoutes } from './routes/push.ts';
import { registerRealTimeRoutes } from './routes/real-time.ts';
import { registerStatusRoutes } from './routes/status.ts';

export function registerApiRoutes(
  app: FastifyInstance,
  deps: HttpDeps,
  meta: { version: string; routes: readonly OpenApiRoute[] },
): void {
  registerStatusRoutes(app, deps, meta);
  registerApplicationRoutes(app, deps);
  registerApplicationCalendarRoutes(app, deps);
  registerExternalCalendarRoutes(app, deps);
  registerCalendarRoutes(app, deps);
  registerConnectionRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerBatchRoutes(app, deps);
  registerManagedAvailabilityRoutes(app, deps);
  registerAvailabilityRoutes(app, deps);
  registerRealTimeRoutes(app, deps);
  registerLinkChangeRoutes(app, deps);
  registerCallbackRoutes(app, deps);
  registerChannelRoutes(app, deps);
  registerPushRoutes(app, deps);
}
