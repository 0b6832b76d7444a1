/**
 * Callback delivery over HTTP(S) through the outbound guard (SPEC 6.4, 8a): one POST, a hard
 * timeout, no redirect followed (a 3xx is a failure), the destination resolved once, checked and
 * pinned. A refused or unreachable target reads "could not be reached" with no status code, so
 * the delivery log tells nothing about private networks.
 */
import type { DeliveryRequest, DeliveryResult, WebhookTransport } from '../../ports/delivery.ts';
import { isOutboundError, OutboundGuard } from '../net/outbound.ts';

export function httpTransport(options: {
  /** ALLOW_PRIVATE_CALLBACKS; ignored when `guard` is given. */
  allowPrivate: boolean;
  /** The process's one guard (wiring/wire.ts); by default one is made from `allowPrivate`. */
  guard?: OutboundGuard;
  now?: () => number;
}): WebhookTransport {
  const now = options.now ?? (() => performance.now());
  const guard = options.guard ?? new OutboundGuard({ allowPrivate: options.allowPrivate });
  const send = guard.fetcher({ maxRedirects: 0, credentialOrigin: null });

  return {
    async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
      const started = now();
      const done = (ok: boolean, statusCode: number | null, error: string | null): DeliveryResult => ({
        ok,
        statusCode,
        error,
        durationMs: Math.round(now() - started),
      });
      const signal = AbortSignal.timeout(request.timeoutMs);
      try {
        const response = await send(request.url, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          redirect: 'manual',
          signal,
        });
        const status = response.status;
        await response.body?.cancel().catch(() => undefined);
        const ok = status >= 200 && status < 300;
        return done(ok, status, ok ? null : `HTTP ${status}`);
      } catch (error) {
        if (signal.aborted) return done(false, null, `timed out after ${request.timeoutMs} ms`);
        if (isOutboundError(error)) {
          // Refused and unreachable targets read alike; a refused one was never contacted.
          return done(
            false,
            null,
            error.code === 'invalid_url' ? 'callback URL must be http or https' : error.message,
          );
        }
        return done(false, null, error instanceof Error ? error.message : String(error));
      }
    },
  };
}
