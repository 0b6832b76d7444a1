/**
 * Pages of a demo server only (`rtseq serve --demo`, `npm start`), standing in for the integrating
 * application so a newcomer sees the whole loop: the demo link's callback is POSTed to
 * DEMO_PATHS.callbacks, which keeps the last callbacks in memory and shows whether their
 * `Cronofy-HMAC-SHA256` verified against the demo application's secrets; the browser comes back to
 * DEMO_PATHS.back ("you are back in the application") instead of raw JSON.
 */
import type { FastifyInstance } from 'fastify';
import { signingSecrets } from '../app/accounts/applications.ts';
import type { AppContext } from '../app/context.ts';
import { DEMO_PATHS, findDemoApplication } from '../app/demo.ts';
import { formatUtc } from '../domain/time/format.ts';
import { html, raw, type SafeHtml } from './html.ts';

type Received = {
  readonly at: number;
  readonly deliveryId: string;
  readonly verified: boolean;
  readonly type: string;
  readonly body: string;
};

const KEEP = 50;

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** Verified when one of the header's comma-separated signatures is the HMAC under a demo secret. */
export async function verifyDemoCallback(ctx: AppContext, body: string, header: string | undefined) {
  const application = await findDemoApplication(ctx);
  if (application === undefined || header === undefined) return false;
  const presented = header.split(',').map((s) => s.trim());
  const secrets = await signingSecrets(ctx, application.id);
  return secrets.some((secret) => {
    const expected = ctx.secrets.hmacBase64(secret, body);
    return presented.some((p) => ctx.secrets.equal(p, expected));
  });
}

function page(title: string, body: SafeHtml, refresh = false): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh && raw('<meta http-equiv="refresh" content="5">')}<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
pre{background:#f3f5f8;padding:.75rem;overflow:auto;font-size:.85rem}.ok{color:#106b2d}.bad{color:#a3161a}
.note{color:#4a5468}</style></head>
<body><p class="note">rtseq demo: this page stands in for your application.</p><h1>${title}</h1>${body}</body></html>`
    .text;
}

function typeOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { notification?: { type?: unknown } };
    return typeof parsed.notification?.type === 'string' ? parsed.notification.type : 'unknown';
  } catch {
    return 'not JSON';
  }
}

export function registerDemoPages(app: FastifyInstance, ctx: AppContext): void {
  const received: Received[] = [];
  app.register(async (scope) => {
    // The HMAC is over the exact bytes sent: keep the body as text.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );

    scope.post(DEMO_PATHS.callbacks, async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : '';
      const signature = request.headers['cronofy-hmac-sha256'];
      const verified = await verifyDemoCallback(
        ctx,
        body,
        typeof signature === 'string' ? signature : undefined,
      );
      const deliveryId = request.headers['rtseq-delivery-id'];
      received.unshift({
        at: ctx.clock.now(),
        deliveryId: typeof deliveryId === 'string' ? deliveryId : '',
        verified,
        type: typeOf(body),
        body,
      });
      received.splice(KEEP);
      return reply.code(verified ? 200 : 401).send({ received: true, verified });
    });

    scope.get(DEMO_PATHS.callbacks, async (_request, reply) => {
      const items = received.map(
        (r) => html`<h2>${r.type} <small>${formatUtc(r.at)}</small></h2>
<p>${r.verified ? html`<strong class="ok">HMAC verified</strong>` : html`<strong class="bad">HMAC did not verify</strong>`}
 · delivery ${r.deliveryId}</p><pre>${pretty(r.body)}</pre>`,
      );
      const body = html`<p>Callbacks this server received for the demo application (newest first, the last ${KEEP}).
Each carries <code>Cronofy-HMAC-SHA256</code>: the base64 HMAC-SHA256 of the body under the client secret.
This page refreshes every 5 seconds.</p>${items.length === 0 ? html`<p>None yet: book a time on the demo link.</p>` : items}`;
      return reply.headers(HEADERS).send(page('Demo callback receiver', body, true));
    });

    scope.get(DEMO_PATHS.back, async (request, reply) => {
      const query = Object.entries(request.query as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      );
      const body = html`<p>You are back in the application: the invitee booked (or said no time suits), and
rtseq sent the browser here with these parameters:</p>
<pre>${query.map(([k, v]) => `${k} = ${v}\n`).join('') || '(none)'}</pre>
<p>The signed callback arrives at the same time: see <a href="${DEMO_PATHS.callbacks}">the demo callback receiver</a>.</p>`;
      return reply.headers(HEADERS).send(page('You are back in the application', body));
    });
  });
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
