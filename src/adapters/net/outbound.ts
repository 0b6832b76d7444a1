/**
 * The one outbound guard (SPEC 8a). Every request rtseq makes to a URL a client gave it
 * (callbacks, ICS feeds, CalDAV servers and their discovery redirects) is made here:
 *
 * - `webcal:` is read as `https:` and numeric hosts are normalised before anything is judged;
 * - the host is resolved once, every address is checked, and the connection is pinned to the
 *   checked addresses (a `lookup` that answers from the checked list, so there is no second DNS
 *   query a rebinding name could answer differently);
 * - redirects are followed only as far as the caller allows (callbacks: none; ICS and CalDAV: 3),
 *   each hop checked again; the Authorization and Cookie headers go only to the credential origin;
 * - response bodies are capped while they stream;
 * - a refused or unreachable target fails with one message, "could not be reached", that tells
 *   nothing about what (if anything) listens there.
 *
 * With `allowPrivate` (ALLOW_PRIVATE_CALLBACKS, for tests and local development) addresses are not
 * checked and network errors keep their detail; redirects, credentials and caps still apply.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { classifyHost, isPrivateAddress, outboundUrl } from '../../domain/net/addresses.ts';
import type { OutboundCheck, OutboundVerdict } from '../../ports/outbound.ts';

export type OutboundErrorCode =
  /** The host is, or resolves to, an address the guard refuses. */
  | 'refused'
  /** DNS failure, refused connection, reset, TLS failure. */
  | 'unreachable'
  /** The response body is larger than the cap. */
  | 'too_large'
  /** More redirects than allowed, or a redirect where none may be followed. */
  | 'too_many_redirects'
  /** Not an absolute http(s) URL (after reading `webcal:` as `https:`), or a bad redirect target. */
  | 'invalid_url';

/** What the guard's fetch rejects with (besides the caller's own abort reason). */
export class OutboundError extends Error {
  readonly code: OutboundErrorCode;
  /**
   * The real cause for the operator's log (the host, the DNS or socket error): while the guard is
   * on, `message` reads "could not be reached" for everything so clients learn nothing of the
   * network; the operator's log must still say why.
   */
  readonly operatorDetail: string;

  constructor(code: OutboundErrorCode, message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.name = 'OutboundError';
    this.code = code;
    this.operatorDetail = options?.detail ?? message;
  }
}

export function isOutboundError(value: unknown): value is OutboundError {
  return value instanceof OutboundError;
}

/** The message every refused or unreachable target gets while the guard is on. */
export const UNREACHABLE = 'could not be reached';

export type ResolvedAddress = { readonly address: string; readonly family: number };
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export type OutboundGuardOptions = {
  /** ALLOW_PRIVATE_CALLBACKS: no address is refused. */
  readonly allowPrivate: boolean;
  /** Name resolution; defaults to the system resolver (all addresses). Tests inject their own. */
  readonly resolve?: Resolver;
  /** Which addresses are refused; defaults to SPEC 8a's list. Tests may narrow it. */
  readonly isRefused?: (address: string) => boolean;
  /** How long one name resolution may take (default 5000 ms). */
  readonly resolveTimeoutMs?: number;
};

export type OutboundFetchOptions = {
  /** Redirects followed when the request's `redirect` is 'follow' (the default). */
  readonly maxRedirects: number;
  /**
   * The only origin Authorization and Cookie headers are sent to. Undefined: the origin of the
   * URL each fetch call starts from; null: none.
   */
  readonly credentialOrigin?: string | null;
  /** Response bodies larger than this fail with 'too_large' (while streaming). */
  readonly maxResponseBytes?: number;
};

export type GuardedFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([204, 205, 304]);

export class OutboundGuard implements OutboundCheck {
  readonly allowPrivate: boolean;
  readonly #resolve: Resolver;
  readonly #isRefused: (address: string) => boolean;
  readonly #resolveTimeoutMs: number;

  constructor(options: OutboundGuardOptions) {
    this.allowPrivate = options.allowPrivate;
    this.#resolve = options.resolve ?? systemResolve;
    this.#isRefused = options.isRefused ?? isPrivateAddress;
    this.#resolveTimeoutMs = options.resolveTimeoutMs ?? 5000;
  }

  /** SPEC 8a's check at creation: a name that does not resolve is accepted, a refused one is not. */
  async checkUrl(text: string): Promise<OutboundVerdict> {
    const url = outboundUrl(text);
    if (url === undefined) return 'invalid';
    if (this.allowPrivate) return 'allowed';
    try {
      await this.targets(url);
      return 'allowed';
    } catch (error) {
      return isOutboundError(error) && error.code === 'refused' ? 'refused' : 'unresolved';
    }
  }

  /**
   * The checked addresses a request to `url` may connect to. Rejects with 'refused' when the host
   * or any address it resolves to is refused, 'unreachable' when it does not resolve.
   */
  async targets(url: URL): Promise<readonly ResolvedAddress[]> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    if (family !== 0) {
      if (!this.allowPrivate && this.#isRefused(host))
        throw refused(`${host} is a refused address (SPEC 8a)`);
      return [{ address: host, family }];
    }
    // `localhost` and its subdomains are refused by name, before any lookup.
    if (!this.allowPrivate && classifyHost(host) !== 'name')
      throw refused(`${host} names this machine (SPEC 8a)`);
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await withTimeout(this.#resolve(host), this.#resolveTimeoutMs);
    } catch (cause) {
      const code = (cause as { code?: unknown } | null)?.code;
      throw new OutboundError('unreachable', this.#reason('DNS lookup failed'), {
        cause,
        detail: `DNS lookup of ${host} failed (${typeof code === 'string' ? code : String(cause)})`,
      });
    }
    if (addresses.length === 0)
      throw new OutboundError('unreachable', this.#reason('DNS lookup failed'), {
        detail: `DNS lookup of ${host} found no address`,
      });
    const bad = this.allowPrivate ? undefined : addresses.find((a) => this.#isRefused(a.address));
    if (bad !== undefined) throw refused(`${host} resolves to ${bad.address}, a refused address (SPEC 8a)`);
    return addresses;
  }

  /** A fetch whose every request (and redirect hop) goes through the guard. */
  fetcher(options: OutboundFetchOptions): GuardedFetch {
    return async (input, init = {}) => {
      let url = outboundUrl(input instanceof URL ? input.href : String(input));
      if (url === undefined) throw new OutboundError('invalid_url', 'not an absolute http(s) URL');
      const credentialOrigin = options.credentialOrigin === undefined ? url.origin : options.credentialOrigin;
      let method = (init.method ?? 'GET').toUpperCase();
      let body = bodyBytes(init.body);
      const headers = new Headers(init.headers);
      const mode = init.redirect ?? 'follow';
      for (let hop = 0; ; hop++) {
        const hopHeaders = new Headers(headers);
        if (url.origin !== credentialOrigin) {
          hopHeaders.delete('authorization');
          hopHeaders.delete('cookie');
        }
        const targets = await this.targets(url);
        const response = await this.#send(url, targets, {
          method,
          headers: hopHeaders,
          body,
          signal: init.signal ?? undefined,
          maxBytes: options.maxResponseBytes,
        });
        const location = response.headers.get('location');
        if (!REDIRECTS.has(response.status) || location === null || mode === 'manual') return response;
        await response.body?.cancel().catch(() => undefined);
        if (mode === 'error' || hop >= options.maxRedirects) {
          throw new OutboundError('too_many_redirects', `more than ${options.maxRedirects} redirects`);
        }
        let next: URL | undefined;
        try {
          next = outboundUrl(new URL(location, url).href);
        } catch {
          next = undefined;
        }
        if (next === undefined)
          throw new OutboundError('invalid_url', 'a redirect to a URL that is not http(s)');
        if ((response.status === 303 && method !== 'HEAD') || (response.status <= 302 && method === 'POST')) {
          method = 'GET';
          body = undefined;
          headers.delete('content-type');
        }
        url = next;
      }
    };
  }

  #reason(detail: string): string {
    return this.allowPrivate ? detail : UNREACHABLE;
  }

  /** One request to one checked target set; resolves with a WHATWG Response whose body is capped. */
  #send(
    url: URL,
    targets: readonly ResolvedAddress[],
    request: {
      method: string;
      headers: Headers;
      body: Buffer | undefined;
      signal: AbortSignal | undefined;
      maxBytes: number | undefined;
    },
  ): Promise<Response> {
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) {
        (callback as unknown as (e: null, a: readonly ResolvedAddress[]) => void)(null, targets);
      } else {
        callback(null, targets[0]!.address, targets[0]!.family);
      }
    };
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name] = value;
    if (request.body !== undefined) headers['content-length'] = String(request.body.length);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const outgoing = client.request({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        lookup: pinned,
        agent: false,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
      outgoing.on('error', (cause: NodeJS.ErrnoException) => {
        if (request.signal?.aborted) reject(request.signal.reason);
        else
          reject(
            new OutboundError('unreachable', this.#reason(networkReason(cause)), {
              cause,
              detail: `${networkReason(cause)} (${url.host}${typeof cause.code === 'string' ? `, ${cause.code}` : ''})`,
            }),
          );
      });
      outgoing.on('response', (incoming) => {
        const status = incoming.statusCode ?? 0;
        const declared = Number(incoming.headers['content-length']);
        if (request.maxBytes !== undefined && Number.isFinite(declared) && declared > request.maxBytes) {
          incoming.destroy();
          reject(tooLarge(request.maxBytes));
          return;
        }
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
          try {
            responseHeaders.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
          } catch {
            // a header value fetch would refuse is dropped, not fatal
          }
        }
        if (status < 200 || status > 599) {
          incoming.destroy();
          reject(
            new OutboundError('unreachable', this.#reason(`unexpected HTTP status ${status}`), {
              detail: `unexpected HTTP status ${status} from ${url.host}`,
            }),
          );
          return;
        }
        let stream: ReadableStream | null = null;
        if (NULL_BODY.has(status) || request.method === 'HEAD') incoming.resume();
        else stream = webBody(incoming, request.maxBytes);
        const response = new Response(stream, {
          status,
          statusText: incoming.statusMessage ?? '',
          headers: responseHeaders,
        });
        Object.defineProperty(response, 'url', { value: url.href });
        resolve(response);
      });
      outgoing.end(request.body);
    });
  }
}

function refused(detail: string): OutboundError {
  return new OutboundError('refused', UNREACHABLE, { detail });
}

function tooLarge(maxBytes: number): OutboundError {
  return new OutboundError('too_large', `the answer is larger than ${maxBytes} bytes`);
}

/**
 * The response body as a web stream, failing with 'too_large' once it passes `maxBytes`. Written
 * out rather than `Readable.toWeb`, which throws when data arrives after the reader cancelled.
 */
function webBody(source: http.IncomingMessage, maxBytes: number | undefined): ReadableStream<Uint8Array> {
  let received = 0;
  let settled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (error: unknown) => {
          if (settled) return;
          settled = true;
          controller.error(error);
          source.destroy();
        };
        source.on('data', (chunk: Buffer) => {
          if (settled) return;
          received += chunk.length;
          if (maxBytes !== undefined && received > maxBytes) return fail(tooLarge(maxBytes));
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) source.pause();
        });
        source.on('end', () => {
          if (settled) return;
          settled = true;
          controller.close();
        });
        source.on('error', fail);
        source.on('close', () => fail(new OutboundError('unreachable', 'the answer was cut off')));
      },
      pull() {
        source.resume();
      },
      cancel() {
        settled = true;
        source.destroy();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

async function systemResolve(hostname: string): Promise<readonly ResolvedAddress[]> {
  return dnsLookup(hostname, { all: true, order: 'verbatim' });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function bodyBytes(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('the outbound guard sends string or byte bodies only');
}

/** A short, credential-free reason for a network failure (only shown while the guard is off). */
export function networkReason(cause: { code?: unknown } | undefined): string {
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS lookup failed';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return typeof cause?.code === 'string' ? `network error (${cause.code})` : 'network error';
  }
}
