/**
 * A loopback HTTP server that serves one ICS feed for integration tests. The body can be changed
 * between requests, and the server can be told to hang (accept the request, never answer) to
 * exercise timeouts.
 */
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';

export type IcsFeedServer = {
  /** `http://127.0.0.1:PORT/feed.ics` */
  readonly url: string;
  /** Requests received so far. */
  readonly requestCount: number;
  /** Resolves once `count` requests in all have arrived (at once when they already have). */
  received(count: number): Promise<void>;
  /** Serve this text from now on (status 200, text/calendar). */
  setBody(icsText: string): void;
  /** Answer with this status (and a short plain-text body) from now on. */
  setStatus(status: number): void;
  /** When true, requests are accepted but never answered until it is set back to false or stopped. */
  setHanging(hanging: boolean): void;
  stop(): Promise<void>;
};

export async function startIcsFeedServer(initialBody = ''): Promise<IcsFeedServer> {
  let body = initialBody;
  let status = 200;
  let hanging = false;
  let requestCount = 0;
  const held = new Set<ServerResponse>();
  const waiting: { count: number; resolve: () => void }[] = [];

  const server = createServer((request, response) => {
    requestCount++;
    for (const waiter of waiting.filter((w) => w.count <= requestCount)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
    request.resume();
    if (hanging) {
      held.add(response);
      response.on('close', () => held.delete(response));
      return;
    }
    if (status !== 200) {
      response.writeHead(status, { 'Content-Type': 'text/plain' }).end(`status ${status}`);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');

  return {
    url: `http://127.0.0.1:${address.port}/feed.ics`,
    get requestCount() {
      return requestCount;
    },
    received(count) {
      if (requestCount >= count) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ count, resolve }));
    },
    setBody(text) {
      body = text;
      status = 200;
    },
    setStatus(code) {
      status = code;
    },
    setHanging(value) {
      hanging = value;
      if (!hanging) {
        for (const response of held) response.writeHead(200, { 'Content-Type': 'text/calendar' }).end(body);
        held.clear();
      }
    },
    async stop() {
      for (const response of held) response.destroy();
      held.clear();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
