/** buildServer over a test context, listening on a loopback port (for SDK and socket tests). */
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server.ts';
import type { TestContext } from './context.ts';

export async function listenApi(
  t: TestContext,
): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = buildServer({ ctx: t.ctx, logger: false, version: 'test' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: address, close: () => app.close() };
}
