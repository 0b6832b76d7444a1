import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../request.ts';

export function registerCalendarRoutes(_app: FastifyInstance, _deps: HttpDeps): void {}
