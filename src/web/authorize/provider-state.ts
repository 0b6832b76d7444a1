/**
 * The `state` rtseq gives Google or Microsoft when it sends a person to their consent page (SPEC
 * 8c): the authorization request's parameters, an expiry, and a MAC bound to the person's browser
 * (the page's holder cookie), so the answer that comes back to /oauth/callback/… is tied to the
 * browser that started it (no login CSRF) and the request cannot be changed on the way.
 */
import type { CsrfSigner } from '../security.ts';

/** How long a person may spend on the provider's consent page. */
const STATE_TTL_MS = 15 * 60_000;
const MAX_STATE_CHARS = 8000;

type Params = Readonly<Record<string, string>>;

export function sealState(signer: CsrfSigner, holder: string, params: Params, now: number): string {
  const payload = Buffer.from(JSON.stringify({ p: params, x: now + STATE_TTL_MS })).toString('base64url');
  return `${payload}.${signer.sign(`oauth-state\n${payload}`, holder)}`;
}

/** The parameters, when the state is ours, unexpired and made for this browser; else undefined. */
export function openState(
  signer: CsrfSigner,
  holder: string | undefined,
  state: unknown,
  now: number,
): Params | undefined {
  if (typeof state !== 'string' || state.length > MAX_STATE_CHARS) return undefined;
  const [payload, mac, extra] = state.split('.');
  if (payload === undefined || mac === undefined || extra !== undefined) return undefined;
  if (!signer.verify(`oauth-state\n${payload}`, holder, mac)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      p?: unknown;
      x?: unknown;
    };
    if (typeof value.x !== 'number' || now > value.x) return undefined;
    if (typeof value.p !== 'object' || value.p === null) return undefined;
    const params: Record<string, string> = {};
    for (const [name, v] of Object.entries(value.p)) if (typeof v === 'string') params[name] = v;
    return params;
  } catch {
    return undefined;
  }
}
