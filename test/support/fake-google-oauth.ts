/**
 * The OAuth 2.0 half of the fake Google (fake-google.ts): the consent page
 * (`/o/oauth2/v2/auth`, a form with Allow and Deny, or an automatic answer), authorization codes
 * (one use, 10 minutes, bound to client and redirect URI) and the token endpoint (`/token`,
 * authorization_code and refresh_token grants), with access tokens that expire.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ConsentMode =
  /** Show the HTML consent page (a browser clicks Allow or Deny). */
  | { readonly mode: 'page' }
  /** Answer at once as if `user` clicked Allow (default: the first user added). */
  | { readonly mode: 'allow'; readonly user?: string }
  | { readonly mode: 'deny' };

type Code = {
  user: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  offline: boolean;
  forceConsent: boolean;
  expiresAt: number;
};
type Refresh = { user: string; clientId: string; scope: string; revoked: boolean };
type Access = { user: string; expiresAt: number };

const CODE_LIFETIME_MS = 10 * 60_000;

export class OAuthState {
  readonly clients = new Map<string, { secret: string; redirectUris: readonly string[] }>();
  readonly users: string[] = [];
  consent: ConsentMode = { mode: 'allow' };
  accessTokenLifetimeMs: number;
  private readonly codes = new Map<string, Code>();
  private readonly refreshTokens = new Map<string, Refresh>();
  private readonly accessTokens = new Map<string, Access>();
  /** `user|client` pairs that consented before: Google sends no new refresh token to those without prompt=consent. */
  private readonly consented = new Set<string>();
  private readonly now: () => number;

  constructor(now: () => number, accessTokenLifetimeMs: number) {
    this.now = now;
    this.accessTokenLifetimeMs = accessTokenLifetimeMs;
  }

  /** The user an access token belongs to, or null when it is unknown, revoked or expired. */
  userOf(accessToken: string): string | null {
    const access = this.accessTokens.get(accessToken);
    if (access === undefined || access.expiresAt <= this.now()) return null;
    return access.user;
  }

  /** Issues an access token directly (tests that skip the consent flow). */
  issueAccessToken(user: string): string {
    const token = `ya29.${randomBytes(18).toString('base64url')}`;
    this.accessTokens.set(token, { user, expiresAt: this.now() + this.accessTokenLifetimeMs });
    return token;
  }

  /** Issues a refresh token directly for `user` and `clientId`. */
  issueRefreshToken(user: string, clientId: string): string {
    const token = `1//${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(token, {
      user,
      clientId,
      scope: 'https://www.googleapis.com/auth/calendar',
      revoked: false,
    });
    return token;
  }

  /** Revokes one refresh token, or every grant of a user (their refresh and access tokens). */
  revoke(target: { refreshToken: string } | { user: string }): void {
    for (const [token, refresh] of this.refreshTokens) {
      if ('refreshToken' in target ? token === target.refreshToken : refresh.user === target.user) {
        refresh.revoked = true;
      }
    }
    if ('user' in target) {
      for (const [token, access] of this.accessTokens)
        if (access.user === target.user) this.accessTokens.delete(token);
    }
  }

  /** Makes live access tokens (of one user, or all) expire now. */
  expireAccessTokens(user?: string): void {
    for (const access of this.accessTokens.values()) {
      if (user === undefined || access.user === user) access.expiresAt = this.now();
    }
  }

  /** GET /o/oauth2/v2/auth: the consent page, or at once the redirect the consent mode decides. */
  authorize(url: URL, response: ServerResponse): undefined {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    const client = this.clients.get(clientId);
    if (client === undefined)
      return errorPage(response, 401, 'invalid_client', 'The OAuth client was not found.');
    if (client.redirectUris.length > 0 && !client.redirectUris.includes(redirectUri)) {
      return errorPage(response, 400, 'redirect_uri_mismatch', 'The redirect URI is not registered.');
    }
    if (q.get('response_type') !== 'code' || !q.get('scope')) {
      return errorPage(response, 400, 'invalid_request', 'response_type=code and scope are required.');
    }
    if (this.consent.mode === 'page') return consentPage(response, q, this.users, q.get('login_hint'));
    const user = this.consent.mode === 'allow' ? (this.consent.user ?? this.users[0]) : undefined;
    this.decide(response, q, user ?? null);
  }

  /** POST /o/oauth2/v2/auth/decide: the consent page's form. */
  decideFromForm(form: URLSearchParams, response: ServerResponse): undefined {
    const user = form.get('decision') === 'allow' ? (form.get('login') ?? this.users[0] ?? null) : null;
    if (user !== null && !this.users.includes(user))
      return errorPage(response, 400, 'invalid_request', 'No such user.');
    this.decide(response, form, user);
  }

  private decide(response: ServerResponse, q: URLSearchParams, user: string | null): void {
    const target = new URL(q.get('redirect_uri') ?? '');
    if (user === null) {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = `4/${randomBytes(24).toString('base64url')}`;
      this.codes.set(code, {
        user,
        clientId: q.get('client_id') ?? '',
        redirectUri: q.get('redirect_uri') ?? '',
        scope: q.get('scope') ?? '',
        offline: q.get('access_type') === 'offline',
        forceConsent: (q.get('prompt') ?? '').split(' ').includes('consent'),
        expiresAt: this.now() + CODE_LIFETIME_MS,
      });
      target.searchParams.set('code', code);
      target.searchParams.set('scope', q.get('scope') ?? '');
    }
    const state = q.get('state');
    if (state !== null) target.searchParams.set('state', state);
    response.writeHead(302, { location: target.toString() }).end();
  }

  /** POST /token (client_secret_post or client_secret_basic). */
  token(form: URLSearchParams, request: IncomingMessage, response: ServerResponse): undefined {
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
    const [basicId, basicSecret] = basic
      ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')
      : [undefined, undefined];
    const clientId = basicId ?? form.get('client_id') ?? '';
    const client = this.clients.get(clientId);
    if (client === undefined || client.secret !== (basicSecret ?? form.get('client_secret'))) {
      return tokenError(response, 401, 'invalid_client', 'Unauthorized');
    }
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return this.exchange(form, clientId, response);
    if (grantType === 'refresh_token') return this.refresh(form, clientId, response);
    tokenError(response, 400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }

  private exchange(form: URLSearchParams, clientId: string, response: ServerResponse): undefined {
    const code = this.codes.get(form.get('code') ?? '');
    this.codes.delete(form.get('code') ?? '');
    if (
      code === undefined ||
      code.clientId !== clientId ||
      code.redirectUri !== form.get('redirect_uri') ||
      code.expiresAt <= this.now()
    ) {
      return tokenError(response, 400, 'invalid_grant', 'Bad Request');
    }
    const key = `${code.user}|${clientId}`;
    const refresh =
      code.offline && (code.forceConsent || !this.consented.has(key))
        ? { refresh_token: this.issueRefreshToken(code.user, clientId) }
        : {};
    this.consented.add(key);
    json(response, 200, { ...this.accessAnswer(code.user, code.scope), ...refresh });
  }

  private refresh(form: URLSearchParams, clientId: string, response: ServerResponse): undefined {
    const refresh = this.refreshTokens.get(form.get('refresh_token') ?? '');
    if (refresh === undefined || refresh.revoked || refresh.clientId !== clientId) {
      return tokenError(response, 400, 'invalid_grant', 'Token has been expired or revoked.');
    }
    // Google's refresh answer carries no refresh_token: the old one stays valid.
    json(response, 200, this.accessAnswer(refresh.user, refresh.scope));
  }

  private accessAnswer(user: string, scope: string): Record<string, unknown> {
    return {
      access_token: this.issueAccessToken(user),
      expires_in: Math.round(this.accessTokenLifetimeMs / 1000),
      scope,
      token_type: 'Bearer',
    };
  }
}

export function json(response: ServerResponse, status: number, body: unknown): undefined {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
}

function tokenError(response: ServerResponse, status: number, error: string, description: string): undefined {
  json(response, status, { error, error_description: description });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorPage(response: ServerResponse, status: number, error: string, description: string): undefined {
  response
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
    .end(
      `<!doctype html><title>Error 400 (OAuth2 Error)</title><h1>Error ${escapeHtml(error)}</h1><p>${escapeHtml(description)}</p>`,
    );
}

/** Google's consent screen, reduced: pick the account, then Allow or Deny. */
function consentPage(
  response: ServerResponse,
  q: URLSearchParams,
  users: readonly string[],
  hint: string | null,
): undefined {
  const hidden = ['client_id', 'redirect_uri', 'scope', 'state', 'access_type', 'prompt']
    .filter((name) => q.get(name) !== null)
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(q.get(name)!)}">`)
    .join('');
  const options = users
    .map((u) => `<option value="${escapeHtml(u)}"${u === hint ? ' selected' : ''}>${escapeHtml(u)}</option>`)
    .join('');
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in - Google Accounts</title></head>
<body><main><h1>Choose an account</h1><p>rtseq wants to access your Google Calendar.</p>
<form method="post" action="/o/oauth2/v2/auth/decide">${hidden}
<label for="login">Account</label> <select id="login" name="login">${options}</select>
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button></form></main></body></html>`,
  );
}
