/** Listening sockets: one-line reasons instead of stacks, and the process's own loopback address. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config/config.ts';

/** Listens on host:port, or throws a ConfigError that names the variable which set the port. */
export async function listenOrExplain(
  app: FastifyInstance,
  host: string,
  port: number,
  variable: string,
): Promise<void> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError(
        `${variable}=${port}: the port is already in use on ${host}; stop what uses it or set ${variable} to a free port`,
      );
    if (code === 'EACCES')
      throw new ConfigError(`${variable}=${port}: not allowed to listen on this port; choose one above 1023`);
    throw error;
  }
}

/** How this process reaches its own listener (a wildcard address becomes loopback). */
export function localBaseOf(address: string | AddressInfo | null): string | undefined {
  if (address === null || typeof address === 'string') return undefined;
  const host =
    address.family === 'IPv6'
      ? `[${address.address === '::' ? '::1' : address.address}]`
      : address.address === '0.0.0.0'
        ? '127.0.0.1'
        : address.address;
  return `http://${host}:${address.port}`;
}
