/**
 * Issue 12, items 7, 8 and 10 (request ids, failed authentication), replayed as attacks:
 * slow clients are cut off, X-Forwarded-For counts only through TRUST_PROXY, a client's request id
 * is kept only when it is a short safe token, and guessing credentials is rate limited per IP.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

async function withServer(env: Record<string, string>, run: (server: TestServer) => Promise<void>) {
  const server = await startTestServer({ env });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

/** Resolves with what the server sent once it closes the connection (or rejects after `ms`). */
function closedWithin(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const timer = setTimeout(() => reject(new Error(`the connection was still open after ${ms} ms`)), ms);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', () => undefined);
  });
}

async function open(server: TestServer): Promise<Socket> {
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return socket;
}

describe('7 slow clients are disconnected', () => {
  test('headers that never finish, and a body dribbled byte by byte, are cut off', async () => {
    await withServer({ HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '600' }, async (server) => {
      const headers = await open(server);
      const headersClosed = closedWithin(headers, 10_000);
      headers.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      const drip = setInterval(() => headers.writable && headers.write('a'), 50);
      const answer = await headersClosed.finally(() => clearInterval(drip));
      assert.doesNotMatch(answer, /^HTTP\/1\.1 2/, 'a slow header was never answered with success');

      const body = await open(server);
      const bodyClosed = closedWithin(body, 10_000);
      body.write(
        `POST /v1/availability HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      );
      const dribble = setInterval(() => body.writable && body.write(' '), 50);
      const bodyAnswer = await bodyClosed.finally(() => clearInterval(dribble));
      assert.doesNotMatch(bodyAnswer, /^HTTP\/1\.1 [25]/);
    });
  });

  test('the defaults are 10 s for headers and 30 s for the whole request', async () => {
    await withServer({}, async (server) => {
      assert.equal(server.ctx.config.headersTimeoutMs, 10_000);
      assert.equal(server.ctx.config.requestTimeoutMs, 30_000);
      assert.equal(server.app.server.headersTimeout, 10_000);
      assert.equal(server.app.server.requestTimeout, 30_000);
    });
  });
});

describe('issue 21: idle keep-alive connections and the connection cap', () => {
  test('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS (default 5 s, at most 10 s)', async () => {
    const { loadConfig } = await import('../../src/config/config.ts');
    assert.equal(loadConfig({}).keepAliveTimeoutMs, 5000);
    assert.throws(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '72000' }), /KEEP_ALIVE_TIMEOUT_MS/);
    await withServer({ KEEP_ALIVE_TIMEOUT_MS: '200' }, async (server) => {
      assert.equal(server.app.server.keepAliveTimeout, 200);
      const socket = await open(server);
      const closed = closedWithin(socket, 10_000);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      const answer = await closed; // the server, not the client, ends the idle connection
      assert.match(answer, /^HTTP\/1\.1 200/);
    });
  });

  test('beyond MAX_CONNECTIONS new connections are closed on arrival; open ones are served', async () => {
    await withServer({ MAX_CONNECTIONS: '2' }, async (server) => {
      assert.equal(server.app.server.maxConnections, 2);
      const first = await open(server);
      const second = await open(server);
      const third = await open(server);
      const answer = await closedWithin(third, 10_000);
      assert.equal(answer, '', 'the third connection got nothing');
      const firstAnswer = new Promise<string>((resolve) =>
        first.once('data', (chunk) => resolve(String(chunk))),
      );
      first.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(await firstAnswer, /^HTTP\/1\.1 200/);
      first.destroy();
      second.destroy();
    });
  });
});

describe('8 X-Forwarded-For counts only through TRUST_PROXY', () => {
  const page = (server: TestServer, from: string, forwardedFor?: string) =>
    server.app.inject({
      method: 'GET',
      url: '/book/no-such-token',
      remoteAddress: from,
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    });

  test('by default every invitee behind one address shares its bucket, whatever they claim', async () => {
    await withServer({ PAGE_RATE_LIMIT_PER_SECOND: '3' }, async (server) => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await page(server, '10.1.1.1', `203.0.113.${i}`)).statusCode);
      assert.deepEqual(statuses, [404, 404, 404, 429, 429]);
    });
  });

  test('through a listed proxy each forwarded client has its own bucket; others cannot spoof', async () => {
    await withServer(
      { PAGE_RATE_LIMIT_PER_SECOND: '3', TRUST_PROXY: '10.0.0.0/8, 192.0.2.7' },
      async (server) => {
        const viaProxy: number[] = [];
        for (let i = 0; i < 5; i++)
          viaProxy.push((await page(server, '10.1.1.1', `198.51.100.${i}`)).statusCode);
        assert.deepEqual(viaProxy, [404, 404, 404, 404, 404]);
        const oneClient: number[] = [];
        for (let i = 0; i < 4; i++)
          oneClient.push((await page(server, '192.0.2.7', '198.51.100.200')).statusCode);
        assert.deepEqual(oneClient, [404, 404, 404, 429]);
        const direct: number[] = [];
        for (let i = 0; i < 4; i++)
          direct.push((await page(server, '172.16.0.9', `198.51.100.${50 + i}`)).statusCode);
        assert.deepEqual(direct, [404, 404, 404, 429], 'an unlisted peer cannot pick its bucket');
      },
    );
  });

  test('a malformed TRUST_PROXY stops the process with a message naming it', async () => {
    const { loadConfig } = await import('../../src/config/config.ts');
    assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' }), /TRUST_PROXY/);
    assert.throws(() => loadConfig({ TRUST_PROXY: 'proxy.internal' }), /TRUST_PROXY/);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '127.0.0.1, ::1, fd00::/8' }).trustProxy, [
      '127.0.0.1',
      '::1',
      'fd00::/8',
    ]);
  });
});

describe('10 request ids and failed authentication', () => {
  test('a client request id is kept only when it is a short token of safe characters', async () => {
    await withServer({}, async (server) => {
      const echo = async (id: string) =>
        (await server.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': id } }))
          .headers['x-request-id'];
      assert.equal(await echo('trace-1234.abc:9_Z'), 'trace-1234.abc:9_Z');
      for (const hostile of [
        'x'.repeat(65),
        'a b',
        '"}, "level":60, "x":"',
        '<script>alert(1)</script>',
        'é',
      ]) {
        const given = await echo(hostile);
        assert.notEqual(given, hostile);
        assert.match(String(given), /^[0-9a-f-]{36}$/);
      }
    });
  });

  test('guessing credentials is cut off per client IP; a correct secret still works', async () => {
    await withServer({ AUTH_FAILURES_PER_MINUTE: '5' }, async (server) => {
      const status = async (secret: string, from = '198.51.100.9') =>
        (
          await server.app.inject({
            method: 'GET',
            url: '/v1/callbacks',
            remoteAddress: from,
            headers: { authorization: `Bearer ${secret}` },
          })
        ).statusCode;
      const guesses: number[] = [];
      for (let i = 0; i < 5; i++) guesses.push(await status(`guess-${i}`));
      assert.deepEqual(guesses, [401, 401, 401, 401, 401]);
      const blocked = await server.app.inject({
        method: 'GET',
        url: '/v1/callbacks',
        remoteAddress: '198.51.100.9',
        headers: { authorization: 'Bearer guess-5' },
      });
      assert.equal(blocked.statusCode, 429);
      assert.ok(Number(blocked.headers['retry-after']) >= 1);
      assert.equal(await status(server.clientSecret), 200, 'valid credentials are never refused (SPEC 9)');
      assert.equal(await status('guess-6', '198.51.100.10'), 401, 'another address is not affected');
      server.clock.advance(60_000);
      assert.equal(await status('guess-7'), 401, 'the next minute starts afresh');
    });
  });
});
