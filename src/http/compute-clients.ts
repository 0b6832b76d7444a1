/**
 * The client of the request being served (its compute lane and tenant), set by the HTTP edge
 * (server.ts) around every request, narrowed by http/request.ts once the caller is known, and read
 * by the worker pools through the `clientOf` wiring hands them, so the use cases between them need
 * not pass it along. Work outside a request (jobs, the CLI) runs as the API lane's anonymous tenant.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ComputeClient } from '../ports/compute.ts';

export const computeClients = new AsyncLocalStorage<ComputeClient>();

export function currentComputeClient(): ComputeClient {
  return computeClients.getStore() ?? { lane: 'api', tenant: '' };
}
