/**
 * Callback delivery over HTTP(S) with node:http: one POST, a hard timeout, redirects never
 * followed (a 3xx is a failure), and the destination's addresses checked after DNS resolution so
 * a public-looking name cannot point a callback at a private network (pinned via `lookup`).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from '../../domain/net/addresses.ts';
import type { DeliveryRequest, DeliveryResult, WebhookTransport } from '../../ports/delivery.ts';

export function httpTransport(options: { allowPrivate: boolean; now?: () => number }): WebhookTransport {
  const now = options.now ?? (() => performance.now());
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as LookupAddress[];
      if (!options.allowPrivate && list.some((a) => isPrivateAddress(a.address))) {
        return callback(
          Object.assign(new Error('refused: the callback host resolves to a private address'), {
            code: 'EPRIVATE',
          }),
          '',
          4,
        );
      }
      if (lookupOptions.all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      return callback(null, first.address, first.family);
    });
  };

  return {
    deliver(request: DeliveryRequest): Promise<DeliveryResult> {
      const started = now();
      const done = (ok: boolean, statusCode: number | null, error: string | null): DeliveryResult => ({
        ok,
        statusCode,
        error,
        durationMs: Math.round(now() - started),
      });
      return new Promise((resolve) => {
        let url: URL;
        try {
          url = new URL(request.url);
        } catch {
          resolve(done(false, null, 'invalid callback URL'));
          return;
        }
        const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
        if (client === undefined) {
          resolve(done(false, null, 'callback URL must be http or https'));
          return;
        }
        // IP literals never reach `lookup`, so they are checked here.
        const literal = url.hostname.replace(/^\[|\]$/g, '');
        if (!options.allowPrivate && isIP(literal) !== 0 && isPrivateAddress(literal)) {
          resolve(done(false, null, 'refused: the callback host is a private address'));
          return;
        }
        const body = Buffer.from(request.body, 'utf8');
        const outgoing = client.request(
          url,
          {
            method: 'POST',
            headers: { ...request.headers, 'content-length': String(body.length) },
            lookup: guardedLookup,
            timeout: request.timeoutMs,
            agent: false,
          },
          (response) => {
            response.resume(); // drain and ignore the body
            const status = response.statusCode ?? 0;
            response.on('end', () =>
              resolve(
                done(
                  status >= 200 && status < 300,
                  status,
                  status >= 200 && status < 300 ? null : `HTTP ${status}`,
                ),
              ),
            );
            response.on('error', () => resolve(done(false, status, 'response aborted')));
          },
        );
        const deadline = setTimeout(
          () => outgoing.destroy(new Error(`timed out after ${request.timeoutMs} ms`)),
          request.timeoutMs,
        );
        outgoing.on('timeout', () => outgoing.destroy(new Error(`timed out after ${request.timeoutMs} ms`)));
        outgoing.on('error', (error) => resolve(done(false, null, error.message)));
        outgoing.on('close', () => clearTimeout(deadline));
        outgoing.end(body);
      });
    },
  };
}
