/**
 * The page session and what protects the page's forms: a random holder value in an HttpOnly,
 * SameSite=Lax cookie scoped to one link's path, a CSRF token that is an HMAC of that value, and
 * the response headers a public form needs.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const HOLDER_COOKIE = 'rtseq_holder';
const HOLDER_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * Signs CSRF tokens. With SECRET_KEY set the key is derived from it, so every process of a
 * deployment accepts every other's tokens; without it a random per-process key is used (a
 * restart then asks open pages to reload before submitting).
 */
export class CsrfSigner {
  readonly #key: Buffer;

  constructor(secretKey: string | null) {
    this.#key =
      secretKey === null
        ? randomBytes(32)
        : createHash('sha256').update(`rtseq:web-csrf:${secretKey}`).digest();
  }

  /** The token for one holder on one link. */
  sign(linkToken: string, holder: string): string {
    return createHmac('sha256', this.#key).update(`${linkToken}\n${holder}`).digest('base64url');
  }

  verify(linkToken: string, holder: string | undefined, token: unknown): boolean {
    if (holder === undefined || typeof token !== 'string' || token.length > 100) return false;
    const expected = Buffer.from(this.sign(linkToken, holder));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

export function newHolder(): string {
  return randomBytes(18).toString('base64url');
}

/** The holder value from the Cookie header, when present and well formed. */
export function holderFrom(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== HOLDER_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (HOLDER_PATTERN.test(value)) return value;
  }
  return undefined;
}

export function holderCookie(holder: string, linkToken: string, secure: boolean): string {
  return `${HOLDER_COOKIE}=${holder}; Path=/book/${linkToken}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/**
 * What the use cases store as the hold's owner: a hash of the cookie value, so the database never
 * holds a value that would let someone act as the page session.
 */
export function holderKeyOf(holder: string): string {
  return createHash('sha256').update(`rtseq:holder:${holder}`).digest('hex').slice(0, 40);
}

/** The policy, with the image sources an application's logo needs (`data:`, or its https origin). */
export function contentSecurityPolicy(imageSources: readonly string[] = []): string {
  return CONTENT_SECURITY_POLICY.replace("img-src 'self'", ["img-src 'self'", ...imageSources].join(' '));
}

/** What `img-src` must add for a logo URL: `data:`, or the https origin; nothing otherwise. */
export function logoSources(logoUrl: string | null): string[] {
  if (logoUrl === null) return [];
  if (logoUrl.startsWith('data:')) return ['data:'];
  try {
    const url = new URL(logoUrl);
    return url.protocol === 'https:' ? [url.origin] : [];
  } catch {
    return [];
  }
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every page response carries (assets get their own cache header). */
export function pageHeaders(secure: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-frame-options': 'DENY',
    // The link token is in the URL: never send it anywhere as a referrer.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-robots-tag': 'noindex, nofollow',
  };
  if (secure) headers['strict-transport-security'] = 'max-age=31536000';
  return headers;
}
