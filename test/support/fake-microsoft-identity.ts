/**
 * The fake Microsoft identity platform (v2.0 endpoints under `{origin}/login/{tenant}/oauth2/v2.0/`):
 * the authorize page (an Allow/Deny form, or consent at once in auto-consent mode) and the token
 * endpoint (authorization_code and refresh_token grants; refused grants answered `invalid_grant`
 * with AADSTS codes as the real one does).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { count, type FakeState, readBody, sendJson } from './fake-microsoft-context.ts';
import { newId } from './fake-microsoft-model.ts';

const CODE_LIFETIME_MS = 10 * 60_000;

export function isIdentityPath(path: string): boolean {
  return /^\/login\/[^/]+\/oauth2\/v2\.0\/(authorize|authorize\/decide|token)$/.test(path);
}

export async function handleIdentity(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) {
  if (url.pathname.endsWith('/token')) {
    count(state, 'token');
    if (request.method !== 'POST') return sendJson(response, 405, { error: 'invalid_request' });
    return handleToken(state, new URLSearchParams(await readBody(request)), response);
  }
  count(state, 'authorize');
  if (url.pathname.endsWith('/decide')) {
    if (request.method !== 'POST') return page(response, 405, 'Method not allowed');
    return decide(state, new URLSearchParams(await readBody(request)), response);
  }
  return authorize(state, url.searchParams, response);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(response: ServerResponse, status: number, body: string) {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(
    `<!doctype html><html><head><title>Sign in to your account</title></head><body>${body}</body></html>`,
  );
}

function authorize(state: FakeState, query: URLSearchParams, response: ServerResponse) {
  state.authorizeRequests.push(query);
  const redirectUri = query.get('redirect_uri') ?? '';
  if (query.get('client_id') !== state.clientId)
    return page(
      response,
      400,
      '<p>AADSTS700016: Application with identifier was not found in the directory.</p>',
    );
  if (redirectUri === '' || (state.redirectUris !== null && !state.redirectUris.has(redirectUri)))
    return page(
      response,
      400,
      '<p>AADSTS50011: The redirect URI specified in the request does not match.</p>',
    );
  if (query.get('response_type') !== 'code')
    return redirectBack(response, redirectUri, {
      error: 'unsupported_response_type',
      error_description: 'AADSTS70005: response_type is not supported',
      state: query.get('state'),
    });
  if (state.autoConsentUserId !== null) return consent(state, response, query, state.autoConsentUserId);
  const hidden = ['client_id', 'redirect_uri', 'state', 'scope']
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query.get(name) ?? '')}">`)
    .join('');
  const options = [...state.users.values()]
    .map(
      (user) =>
        `<option value="${escapeHtml(user.id)}">${escapeHtml(user.mail ?? user.userPrincipalName)}</option>`,
    )
    .join('');
  page(
    response,
    200,
    `<h1>Permissions requested</h1><p>${escapeHtml(query.get('scope') ?? '')}</p>` +
      `<form method="post" action="authorize/decide">${hidden}<label>Account <select name="user">${options}</select></label>` +
      '<button type="submit" name="decision" value="allow">Allow</button>' +
      '<button type="submit" name="decision" value="deny">Deny</button></form>',
  );
}

function decide(state: FakeState, form: URLSearchParams, response: ServerResponse) {
  const redirectUri = form.get('redirect_uri') ?? '';
  if (
    form.get('client_id') !== state.clientId ||
    (state.redirectUris !== null && !state.redirectUris.has(redirectUri))
  )
    return page(response, 400, '<p>AADSTS50011: bad request</p>');
  if (form.get('decision') !== 'allow')
    return redirectBack(response, redirectUri, {
      error: 'access_denied',
      error_description: 'AADSTS65004: User declined to consent to access the app.',
      state: form.get('state'),
    });
  const userId = form.get('user') ?? '';
  if (!state.users.has(userId)) return page(response, 400, '<p>Unknown account</p>');
  consent(state, response, form, userId);
}

function consent(state: FakeState, response: ServerResponse, query: URLSearchParams, userId: string) {
  const code = `M.C${randomBytes(24).toString('base64url')}`;
  state.codes.set(code, {
    userId,
    redirectUri: query.get('redirect_uri') ?? '',
    scope: query.get('scope') ?? '',
    expiresAt: state.now() + CODE_LIFETIME_MS,
    used: false,
  });
  redirectBack(response, query.get('redirect_uri') ?? '', {
    code,
    state: query.get('state'),
    session_state: newId(''),
  });
}

function redirectBack(response: ServerResponse, redirectUri: string, params: Record<string, string | null>) {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== null) target.searchParams.set(key, value);
  response.writeHead(302, { location: target.toString() }).end();
}

/** The identity platform's error answer: `error`, `error_description` with the AADSTS code, `error_codes`. */
function tokenError(response: ServerResponse, status: number, error: string, aadsts: number, text: string) {
  sendJson(response, status, {
    error,
    error_description: `AADSTS${aadsts}: ${text} Trace ID: ${newId('')} Timestamp: ${new Date().toISOString()}`,
    error_codes: [aadsts],
    timestamp: new Date().toISOString(),
    trace_id: newId(''),
    correlation_id: newId(''),
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  });
}

function handleToken(state: FakeState, form: URLSearchParams, response: ServerResponse) {
  if (form.get('client_id') !== state.clientId)
    return tokenError(
      response,
      400,
      'unauthorized_client',
      700016,
      'Application was not found in the directory.',
    );
  if (form.get('client_secret') !== state.clientSecret)
    return tokenError(response, 401, 'invalid_client', 7000215, 'Invalid client secret provided.');
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') return redeemCode(state, form, response);
  if (grantType === 'refresh_token') return redeemRefresh(state, form, response);
  tokenError(response, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
}

function redeemCode(state: FakeState, form: URLSearchParams, response: ServerResponse) {
  const entry = state.codes.get(form.get('code') ?? '');
  if (entry === undefined)
    return tokenError(response, 400, 'invalid_grant', 70000, 'The provided authorization code is not valid.');
  if (entry.used)
    return tokenError(
      response,
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed.',
    );
  if (entry.expiresAt <= state.now())
    return tokenError(
      response,
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired.',
    );
  if (entry.redirectUri !== form.get('redirect_uri'))
    return tokenError(
      response,
      400,
      'invalid_grant',
      70000,
      'The redirect_uri does not match the authorization request.',
    );
  entry.used = true;
  issueTokens(state, response, entry.userId, `${entry.scope} ${form.get('scope') ?? ''}`);
}

function redeemRefresh(state: FakeState, form: URLSearchParams, response: ServerResponse) {
  const entry = state.refreshTokens.get(form.get('refresh_token') ?? '');
  if (entry === undefined)
    return tokenError(
      response,
      400,
      'invalid_grant',
      9002313,
      'Invalid request. Request is malformed or invalid.',
    );
  if (entry.revoked || !state.users.has(entry.userId))
    return tokenError(
      response,
      400,
      state.revocation.error,
      state.revocation.aadsts,
      "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.",
    );
  issueTokens(state, response, entry.userId, entry.scope);
}

/**
 * A new access token (JWT-shaped, unsigned: the payload names the user as `oid` and tenant as
 * `tid`, as work-account tokens do) and, when `offline_access` was granted, a new refresh token
 * (Microsoft rotates them; the old one keeps working).
 */
export function mintTokens(
  state: FakeState,
  userId: string,
  scope: string,
): { accessToken: string; refreshToken: string | null; scopes: Set<string> } {
  const user = state.users.get(userId);
  if (user === undefined) throw new Error(`fake-microsoft: no user ${userId}`);
  const expiresAt = state.now() + state.accessTokenSeconds * 1000;
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'none' })).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ oid: userId, tid: user.tenantId, exp: Math.floor(expiresAt / 1000), jti: newId('') }),
  ).toString('base64url');
  const accessToken = `${header}.${payload}.${randomBytes(16).toString('base64url')}`;
  state.accessTokens.set(accessToken, { userId, expiresAt });
  const scopes = new Set(scope.split(/\s+/).filter((s) => s.length > 0));
  let refreshToken: string | null = null;
  if (scopes.has('offline_access')) {
    refreshToken = `M.R3_${randomBytes(32).toString('base64url')}`;
    state.refreshTokens.set(refreshToken, { userId, scope: [...scopes].join(' '), revoked: false });
  }
  return { accessToken, refreshToken, scopes };
}

function issueTokens(state: FakeState, response: ServerResponse, userId: string, scope: string) {
  const { accessToken, refreshToken, scopes } = mintTokens(state, userId, scope);
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: [...scopes].filter((s) => s !== 'offline_access').join(' '),
    expires_in: state.accessTokenSeconds,
    ext_expires_in: state.accessTokenSeconds,
    access_token: accessToken,
  };
  if (refreshToken !== null) body.refresh_token = refreshToken;
  sendJson(response, 200, body, { 'cache-control': 'no-store' });
}
