/**
 * The page session and CSRF: a holder cookie per browser (scoped to the link's path) and a CSRF
 * token signed over the link token and the holder, required on every POST.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CsrfSigner, holderCookie, holderFrom, newHolder } from './security.ts';

export type TokenParams = { token: string };
export type Form = Record<string, unknown>;

export function basePath(token: string): string {
  return `/book/${encodeURIComponent(token)}`;
}

export class PageSessions {
  readonly #csrf: CsrfSigner;
  readonly #secure: boolean;

  constructor(secretKey: string | null, secure: boolean) {
    this.#csrf = new CsrfSigner(secretKey);
    this.#secure = secure;
  }

  /** The page session: the cookie's holder value, or a new one (set on the reply). */
  open(request: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply) {
    const existing = holderFrom(request.headers.cookie);
    if (existing !== undefined) return { holder: existing, isNew: false };
    const holder = newHolder();
    reply.header('set-cookie', holderCookie(holder, encodeURIComponent(request.params.token), this.#secure));
    return { holder, isNew: true };
  }

  /** The CSRF token every form of this page session carries. */
  csrf(token: string, holder: string): string {
    return this.#csrf.sign(token, holder);
  }

  /** The form and holder of a POST whose session cookie and CSRF token match; else undefined. */
  verifyPost(request: FastifyRequest<{ Params: TokenParams }>): { form: Form; holder: string } | undefined {
    const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Form;
    const holder = holderFrom(request.headers.cookie);
    if (holder === undefined || !this.#csrf.verify(request.params.token, holder, form.csrf)) return undefined;
    return { form, holder };
  }
}
