/**
 * The Microsoft identity platform's authorization-code flow (v2.0 endpoints): the consent URL and
 * the token endpoint (code exchange, refresh). A refused grant (`invalid_grant`,
 * `interaction_required` and the AADSTS codes that mean "sign in again") is `grant_revoked`.
 */
import { type OAuthGrant, providerError } from '../../../ports/synced-provider.ts';
import { type HttpAnswer, jsonOf, send, type TransportOptions } from './transport.ts';

/** SPEC 8c: a refresh token (`offline_access`), the calendars, and the profile. */
export const MICROSOFT_SCOPES = 'offline_access Calendars.ReadWrite User.Read';

export type MicrosoftOAuthConfig = {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `https://login.microsoftonline.com/common/oauth2/v2.0/authorize` in production. */
  readonly authUrl: string;
  /** `https://login.microsoftonline.com/common/oauth2/v2.0/token` in production. */
  readonly tokenUrl: string;
};

/**
 * OAuth errors that mean the person must consent or sign in again. AADSTS codes: 70000 (grant
 * invalid or revoked), 70008 (expired), 50173 (grant revoked by a password change), 700082 (expired
 * by inactivity), 54005 (code already redeemed), 700084 (SPA token lifetime), 50076/50079 (MFA
 * now required), 65001 (consent withdrawn), 50078 (MFA expired), 70043 (token lifetime policy).
 */
const RELINK_ERRORS = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
]);
const RELINK_CODES = new Set([70000, 70008, 50173, 700082, 54005, 700084, 50076, 50079, 65001, 50078, 70043]);

/** The consent page; `prompt=select_account` lets a person pick which account to connect. */
export function microsoftAuthorizeUrl(
  config: MicrosoftOAuthConfig,
  input: { readonly state: string; readonly redirectUri: string },
): string {
  const query = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: input.redirectUri,
    response_mode: 'query',
    scope: MICROSOFT_SCOPES,
    state: input.state,
    prompt: 'select_account',
  });
  return `${config.authUrl}${config.authUrl.includes('?') ? '&' : '?'}${query.toString()}`;
}

export async function exchangeMicrosoftCode(
  config: MicrosoftOAuthConfig,
  transport: TransportOptions,
  input: { readonly code: string; readonly redirectUri: string },
  deadline: number,
): Promise<OAuthGrant> {
  const answer = await postToken(config, transport, 'code exchange', deadline, {
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
  });
  if (answer.refreshToken === null)
    throw providerError(
      'bad_response',
      'Microsoft code exchange: no refresh token (offline_access not granted)',
    );
  return { accessToken: answer.accessToken, refreshToken: answer.refreshToken, expiresAt: answer.expiresAt };
}

/** A fresh access token. Microsoft rotates refresh tokens: the new one replaces the old when given. */
export async function refreshMicrosoftGrant(
  config: MicrosoftOAuthConfig,
  transport: TransportOptions,
  grant: OAuthGrant,
  deadline: number,
): Promise<OAuthGrant> {
  const answer = await postToken(config, transport, 'token refresh', deadline, {
    grant_type: 'refresh_token',
    refresh_token: grant.refreshToken,
  });
  return {
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken ?? grant.refreshToken,
    expiresAt: answer.expiresAt,
  };
}

type TokenAnswer = { accessToken: string; refreshToken: string | null; expiresAt: number };

async function postToken(
  config: MicrosoftOAuthConfig,
  transport: TransportOptions,
  operation: string,
  deadline: number,
  fields: Record<string, string>,
): Promise<TokenAnswer> {
  const what = `Microsoft ${operation}`;
  const body = new URLSearchParams({
    client_id: config.clientId,
    client_secret: config.clientSecret,
    scope: MICROSOFT_SCOPES,
    ...fields,
  });
  const answer = await send(
    transport,
    {
      method: 'POST',
      url: config.tokenUrl,
      what,
      mailbox: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    },
    deadline,
  );
  if (answer.status !== 200) throw tokenFailure(answer, what);
  const json = jsonOf(answer, what) as {
    access_token?: unknown;
    refresh_token?: unknown;
    expires_in?: unknown;
  } | null;
  const expiresIn = Number(json?.expires_in);
  if (typeof json?.access_token !== 'string' || json.access_token.length === 0 || !Number.isFinite(expiresIn))
    throw providerError('bad_response', `${what}: the answer lacks access_token or expires_in`);
  return {
    accessToken: json.access_token,
    refreshToken:
      typeof json.refresh_token === 'string' && json.refresh_token.length > 0 ? json.refresh_token : null,
    expiresAt: transport.now() + expiresIn * 1000,
  };
}

function tokenFailure(answer: HttpAnswer, what: string): Error {
  let error: unknown;
  let codes: unknown;
  try {
    const body = JSON.parse(answer.text) as { error?: unknown; error_codes?: unknown } | null;
    error = body?.error;
    codes = body?.error_codes;
  } catch {
    // Not JSON: judged by the status alone below.
  }
  const aadsts = Array.isArray(codes) ? codes.filter((code): code is number => typeof code === 'number') : [];
  const label = `${what}: HTTP ${answer.status}${typeof error === 'string' ? ` ${error}` : ''}${aadsts.length > 0 ? ` AADSTS${aadsts[0]}` : ''}`;
  if (
    (typeof error === 'string' && RELINK_ERRORS.has(error)) ||
    aadsts.some((code) => RELINK_CODES.has(code))
  )
    return providerError('grant_revoked', label);
  // Anything else (`invalid_client`: the operator's id or secret is wrong, …) is not the person's
  // grant: it must not ask them to relink (the Google adapter answers the same).
  return providerError('bad_response', label);
}
