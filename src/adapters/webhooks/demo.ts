/**
 * Demo mode only (`rtseq serve --demo`): the demo link's callback URL is this server's own demo
 * receiver (web/demo.ts) on PUBLIC_URL, usually localhost, which the outbound guard refuses
 * (SPEC 8a). These two adapters let exactly that one URL through, and nothing else: the check at
 * link creation allows it, and delivery to it goes to this process's own listener.
 */
import type { DeliveryRequest, DeliveryResult, WebhookTransport } from '../../ports/delivery.ts';
import type { OutboundCheck } from '../../ports/outbound.ts';

/** The guard's check, except that the demo receiver's exact URL is allowed. */
export function demoOutboundCheck(guard: OutboundCheck, receiverUrl: string): OutboundCheck {
  return { checkUrl: (url) => (url === receiverUrl ? Promise.resolve('allowed') : guard.checkUrl(url)) };
}

/**
 * Deliveries to the demo receiver's exact URL go to `localBase` (this process's listener, e.g.
 * http://127.0.0.1:8080) with the same path; every other delivery goes through `inner`.
 */
export function demoTransport(
  inner: WebhookTransport,
  receiverUrl: string,
  localBase: () => string | undefined,
): WebhookTransport {
  return {
    async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
      const base = localBase();
      if (request.url !== receiverUrl || base === undefined) return inner.deliver(request);
      const started = performance.now();
      const done = (ok: boolean, statusCode: number | null, error: string | null): DeliveryResult => ({
        ok,
        statusCode,
        error,
        durationMs: Math.round(performance.now() - started),
      });
      try {
        const response = await fetch(`${base}${new URL(receiverUrl).pathname}`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(request.timeoutMs),
        });
        await response.body?.cancel().catch(() => undefined);
        const ok = response.status >= 200 && response.status < 300;
        return done(ok, response.status, ok ? null : `HTTP ${response.status}`);
      } catch (error) {
        return done(false, null, error instanceof Error ? error.message : String(error));
      }
    },
  };
}
