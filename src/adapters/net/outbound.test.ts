/**
 * The outbound guard against real loopback listeners. With the guard on, every private form must
 * leave the listeners without a single connection. Redirect and credential cases need a target the
 * guard lets through: 127.0.0.2 plays the public host (an injected `isRefused` allows just it),
 * while 127.0.0.1 stays refused.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { isPrivateAddress } from '../../domain/net/addresses.ts';
import { CaldavClient } from '../calendars/caldav/client.ts';
import { ExternalCalendarError } from '../calendars/errors.ts';
import { httpTransport } from '../webhooks/http-transport.ts';
import { isOutboundError, OutboundGuard, type Resolver } from './outbound.ts';

type Listener = {
  readonly port: number;
  readonly origin: string;
  connections: number;
  readonly seen: { path: string; method: string; headers: IncomingHttpHeaders }[];
  route: (path: string) => { status: number; headers?: Record<string, string>; body?: string };
  readonly server: Server;
};

async function listen(host: string): Promise<Listener> {
  const listener: Listener = {
    port: 0,
    origin: '',
    connections: 0,
    seen: [],
    route: () => ({ status: 200, body: 'ok' }),
    server: createServer((request, response) => {
      listener.seen.push({ path: request.url ?? '', method: request.method ?? '', headers: request.headers });
      request.resume();
      const answer = listener.route(request.url ?? '/');
      response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
    }),
  };
  listener.server.on('connection', () => {
    listener.connections++;
  });
  await new Promise<void>((resolve) => listener.server.listen(0, host, resolve));
  const port = (listener.server.address() as AddressInfo).port;
  Object.assign(listener, { port, origin: `http://${host}:${port}` });
  return listener;
}

const PUBLIC_STAND_IN = '127.0.0.2';
const narrowed = (address: string) => address !== PUBLIC_STAND_IN && isPrivateAddress(address);

let privateTarget: Listener;
let publicTarget: Listener;
let otherPublic: Listener;

before(async () => {
  privateTarget = await listen('127.0.0.1');
  publicTarget = await listen(PUBLIC_STAND_IN);
  otherPublic = await listen(PUBLIC_STAND_IN);
});
after(() => {
  for (const l of [privateTarget, publicTarget, otherPublic]) l.server.close();
});

async function refusedWithoutContact(guard: OutboundGuard, url: string): Promise<void> {
  const before = privateTarget.connections;
  await assert.rejects(guard.fetcher({ maxRedirects: 3 })(url), (error: unknown) => {
    assert.ok(isOutboundError(error), String(error));
    assert.equal(error.code, 'refused', url);
    assert.equal(error.message, 'could not be reached');
    return true;
  });
  assert.equal(privateTarget.connections, before, `${url} reached the listener`);
}

describe('outbound guard: addresses', () => {
  test('every private form of the listener is refused with zero connections', async () => {
    const guard = new OutboundGuard({ allowPrivate: false });
    const port = privateTarget.port;
    const forms = [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f000001:${port}/`,
      `http://0177.0.0.1:${port}/`,
      `http://127.1:${port}/`,
      `http://0x7f.1:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/c`,
      `http://[::ffff:7f00:1]:${port}/c`,
      `http://[::ffff:0:0]:${port}/`,
      `http://[::ffff:169.254.169.254]:${port}/latest/meta-data`,
      `http://[::127.0.0.1]:${port}/`,
      `http://[64:ff9b::7f00:1]:${port}/`,
      `http://[2002:7f00:1::]:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::]:${port}/`,
      `http://0.0.0.0:${port}/`,
      `http://localhost:${port}/`,
      `http://a.b.localhost:${port}/`,
      `webcal://2130706433:${port}/feed.ics`,
      `webcals://127.0.0.1:${port}/feed.ics`,
    ];
    for (const url of forms) await refusedWithoutContact(guard, url);
    for (const url of forms) assert.equal(await guard.checkUrl(url), 'refused', url);
    assert.equal(privateTarget.connections, 0);
  });

  test('a name is resolved once; one refused address refuses it; the connection is pinned', async () => {
    const answers: Record<string, string[]> = {
      'mixed.test': [PUBLIC_STAND_IN, '127.0.0.1'],
      'private.test': ['10.0.0.5'],
      'public.test': [PUBLIC_STAND_IN],
    };
    const resolve: Resolver = async (name) => {
      const list = answers[name];
      if (list === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return list.map((address) => ({ address, family: 4 }));
    };
    const guard = new OutboundGuard({ allowPrivate: false, resolve, isRefused: narrowed });
    await refusedWithoutContact(guard, `http://mixed.test:${privateTarget.port}/`);
    await refusedWithoutContact(guard, `http://private.test:${privateTarget.port}/`);
    assert.equal(await guard.checkUrl(`http://mixed.test/`), 'refused');
    assert.equal(await guard.checkUrl(`http://nowhere.test/`), 'unresolved');
    assert.equal(await guard.checkUrl(`https://public.test/`), 'allowed');
    assert.equal(await guard.checkUrl(`ftp://public.test/`), 'invalid');

    // DNS rebinding: the name answers public first, private afterwards. One lookup per request,
    // and the socket goes to the address that was checked.
    let calls = 0;
    const rebinding = new OutboundGuard({
      allowPrivate: false,
      isRefused: narrowed,
      resolve: async () => {
        calls++;
        return [{ address: calls === 1 ? PUBLIC_STAND_IN : '127.0.0.1', family: 4 }];
      },
    });
    const privateBefore = privateTarget.connections;
    const response = await rebinding.fetcher({ maxRedirects: 0 })(
      `http://rebind.test:${publicTarget.port}/pin`,
    );
    assert.equal(response.status, 200);
    await response.text();
    assert.equal(calls, 1, 'resolved exactly once');
    assert.equal(publicTarget.seen.at(-1)?.path, '/pin');
    assert.equal(privateTarget.connections, privateBefore);
  });

  test('real DNS: a name of this machine that resolves to a private address is refused', async (t) => {
    const guard = new OutboundGuard({ allowPrivate: false });
    assert.equal(await guard.checkUrl(`http://localhost:${privateTarget.port}/`), 'refused');
    const name = hostname();
    const system = new OutboundGuard({ allowPrivate: true });
    const addresses = await system.targets(new URL(`http://${name}/`)).catch(() => []);
    if (addresses.length === 0 || !addresses.every((a) => isPrivateAddress(a.address))) {
      t.skip(`${name} does not resolve to a private address here`);
      return;
    }
    assert.equal(await guard.checkUrl(`http://${name}:${privateTarget.port}/`), 'refused');
    await refusedWithoutContact(guard, `http://${name}:${privateTarget.port}/`);
  });

  test('ALLOW_PRIVATE_CALLBACKS turns the address checks off', async () => {
    const open = new OutboundGuard({ allowPrivate: true });
    const response = await open.fetcher({ maxRedirects: 0 })(`http://127.0.0.1:${privateTarget.port}/open`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok');
    assert.equal(await open.checkUrl(`http://[::1]:1/`), 'allowed');
  });
});

describe('outbound guard: redirects, credentials, caps', () => {
  const guard = new OutboundGuard({ allowPrivate: false, isRefused: narrowed });

  test('a redirect to a private target is re-checked and refused with zero connections', async () => {
    publicTarget.route = (path) =>
      path === '/to-private'
        ? { status: 302, headers: { location: `http://[::ffff:7f00:1]:${privateTarget.port}/secret` } }
        : path === '/to-webcal'
          ? { status: 301, headers: { location: `webcal://2130706433:${privateTarget.port}/` } }
          : { status: 200, body: 'ok' };
    await refusedWithoutContact(guard, `${publicTarget.origin}/to-private`);
    await refusedWithoutContact(guard, `${publicTarget.origin}/to-webcal`);
  });

  test('at most 3 redirects are followed; callbacks follow none', async () => {
    publicTarget.route = (path) => {
      const hop = Number(/\/hop\/(\d+)/.exec(path)?.[1] ?? 0);
      return hop > 0
        ? { status: 307, headers: { location: `/hop/${hop - 1}` } }
        : { status: 200, body: 'end' };
    };
    const fetch = guard.fetcher({ maxRedirects: 3 });
    const three = await fetch(`${publicTarget.origin}/hop/3`);
    assert.equal(await three.text(), 'end');
    assert.equal(three.url, `${publicTarget.origin}/hop/0`);
    const before = publicTarget.seen.length;
    await assert.rejects(fetch(`${publicTarget.origin}/hop/4`), /more than 3 redirects/);
    assert.equal(publicTarget.seen.length - before, 4, 'the fourth redirect is not followed');

    const seen = publicTarget.seen.length;
    const transport = httpTransport({ allowPrivate: false, guard });
    const result = await transport.deliver({
      url: `${publicTarget.origin}/hop/1`,
      body: '{}',
      headers: {},
      timeoutMs: 2000,
    });
    assert.deepEqual([result.ok, result.statusCode], [false, 307]);
    assert.equal(publicTarget.seen.length - seen, 1, 'the callback redirect was not followed');
  });

  test('credentials never go to another origin; 303 turns the request into a GET', async () => {
    publicTarget.route = (path) =>
      path === '/away'
        ? { status: 303, headers: { location: `${otherPublic.origin}/landing` } }
        : path === '/same'
          ? { status: 308, headers: { location: '/here' } }
          : { status: 200 };
    const fetch = guard.fetcher({ maxRedirects: 3, credentialOrigin: publicTarget.origin });
    await (
      await fetch(`${publicTarget.origin}/away`, {
        method: 'PROPFIND',
        headers: { authorization: 'Basic c2VjcmV0', cookie: 'c=1' },
        body: '<x/>',
      })
    ).text();
    const landed = otherPublic.seen.at(-1)!;
    assert.equal(landed.path, '/landing');
    assert.equal(landed.method, 'GET');
    assert.equal(landed.headers.authorization, undefined);
    assert.equal(landed.headers.cookie, undefined);
    assert.equal(publicTarget.seen.at(-1)?.headers.authorization, 'Basic c2VjcmV0');

    await (
      await fetch(`${publicTarget.origin}/same`, { method: 'REPORT', headers: { authorization: 'Basic x' } })
    ).text();
    const here = publicTarget.seen.at(-1)!;
    assert.deepEqual([here.path, here.method, here.headers.authorization], ['/here', 'REPORT', 'Basic x']);

    // A request that starts on another origin than the account's carries no credentials either.
    await (await fetch(`${otherPublic.origin}/direct`, { headers: { authorization: 'Basic x' } })).text();
    assert.equal(otherPublic.seen.at(-1)?.headers.authorization, undefined);
  });

  test("manual mode hands the 3xx to the caller (tsdav's discovery), which then asks the guard again", async () => {
    publicTarget.route = () => ({
      status: 301,
      headers: { location: `http://127.0.0.1:${privateTarget.port}/dav/` },
    });
    const fetch = guard.fetcher({ maxRedirects: 3 });
    const response = await fetch(`${publicTarget.origin}/.well-known/caldav`, { redirect: 'manual' });
    assert.equal(response.status, 301);
    await refusedWithoutContact(guard, response.headers.get('location')!);
  });

  test('response bodies are capped while streaming and by Content-Length', async () => {
    publicTarget.route = (path) =>
      path === '/declared'
        ? { status: 200, headers: { 'content-length': '5000' }, body: 'x'.repeat(5000) }
        : { status: 200, body: 'y'.repeat(5000) };
    const fetch = guard.fetcher({ maxRedirects: 0, maxResponseBytes: 4096 });
    await assert.rejects(fetch(`${publicTarget.origin}/declared`), /larger than 4096 bytes/);
    publicTarget.route = () => ({
      status: 200,
      headers: { 'transfer-encoding': 'chunked' },
      body: 'y'.repeat(5000),
    });
    const streamed = await fetch(`${publicTarget.origin}/chunked`);
    await assert.rejects(streamed.text(), /larger than 4096 bytes/);
  });
});

describe("outbound guard: tsdav's CalDAV discovery", () => {
  const guard = new OutboundGuard({ allowPrivate: false, isRefused: narrowed });
  const credentials = () => ({ serverUrl: `${publicTarget.origin}/`, username: 'alice', password: 's3cret' });

  test('a /.well-known/caldav redirect to a private host is refused with zero connections', async () => {
    publicTarget.route = (path) =>
      path.startsWith('/.well-known/caldav')
        ? { status: 301, headers: { location: `http://[::ffff:127.0.0.1]:${privateTarget.port}/dav/` } }
        : { status: 404 };
    const before = privateTarget.connections;
    const client = new CaldavClient({ outbound: guard, timeoutMs: 5000 });
    await assert.rejects(client.discoverCalendars(credentials()), (error: unknown) => {
      assert.ok(error instanceof ExternalCalendarError, String(error));
      assert.equal(error.code, 'unreachable');
      assert.doesNotMatch(error.message, /s3cret|404|refused|private/);
      return true;
    });
    assert.equal(privateTarget.connections, before);
  });

  test('a redirect to another public origin gets no credentials', async () => {
    publicTarget.route = (path) =>
      path.startsWith('/.well-known/caldav')
        ? { status: 301, headers: { location: `${otherPublic.origin}/dav/` } }
        : { status: 404 };
    otherPublic.route = () => ({ status: 401 });
    const seen = otherPublic.seen.length;
    const client = new CaldavClient({ outbound: guard, timeoutMs: 5000 });
    await assert.rejects(client.discoverCalendars(credentials()));
    const requests = otherPublic.seen.slice(seen);
    assert.ok(requests.length > 0, 'discovery went on to the other origin');
    for (const request of requests) assert.equal(request.headers.authorization, undefined);
    assert.ok(
      publicTarget.seen.some((r) => r.headers.authorization?.startsWith('Basic ')),
      'the account origin itself did get them',
    );
  });
});
