/**
 * Google's OAuth 2.0 authorization-code flow: the consent URL and the token endpoint (code
 * exchange, refresh). A small typed fetch client rather than google-auth-library's OAuth2Client,
 * whose token calls take no abort signal and force their own retries
 * (docs/decisions/0011-google-client.md).
 */
import type { OAuthGrant } from '../../../ports/synced-provider.ts';
import { fail, type GoogleClock, GoogleHttpError, runCall } from './transport.ts';

export const GOOGLE_CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

export type GoogleOAuthConfig = {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The consent page, `https://accounts.google.com/o/oauth2/v2/auth` in production. */
  readonly authUrl: string;
  /** The token endpoint, `https://oauth2.googleapis.com/token` in production. */
  readonly tokenUrl: string;
};

/**
 * The consent page. `access_type=offline` and `prompt=consent` make Google hand out a refresh
 * token even to a person who consented before (a relink after a revoked grant needs one).
 */
export function googleAuthorizeUrl(
  config: GoogleOAuthConfig,
  input: { readonly state: string; readonly redirectUri: string },
): string {
  const query = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: input.redirectUri,
    response_type: 'code',
    scope: GOOGLE_CALENDAR_SCOPE,
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    state: input.state,
  });
  return `${config.authUrl}${config.authUrl.includes('?') ? '&' : '?'}${query.toString()}`;
}

export async function exchangeGoogleCode(
  config: GoogleOAuthConfig,
  clock: GoogleClock,
  input: { readonly code: string; readonly redirectUri: string },
  deadline: number,
): Promise<OAuthGrant> {
  const answer = await postToken(config, clock, 'code exchange', deadline, {
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
  });
  if (answer.refreshToken === null) {
    throw fail('bad_response', 'Google code exchange: the answer carries no refresh token');
  }
  return { accessToken: answer.accessToken, refreshToken: answer.refreshToken, expiresAt: answer.expiresAt };
}

/** A fresh access token; Google's refresh answer usually carries no refresh token, so the old one stays. */
export async function refreshGoogleGrant(
  config: GoogleOAuthConfig,
  clock: GoogleClock,
  grant: OAuthGrant,
  deadline: number,
): Promise<OAuthGrant> {
  const answer = await postToken(config, clock, 'token refresh', deadline, {
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
  config: GoogleOAuthConfig,
  clock: GoogleClock,
  what: string,
  deadline: number,
  fields: Record<string, string>,
): Promise<TokenAnswer> {
  const body = new URLSearchParams({
    ...fields,
    client_id: config.clientId,
    client_secret: config.clientSecret,
  });
  let sentAt = clock.now();
  const data = await runCall(what, deadline, clock, async (signal) => {
    sentAt = clock.now();
    const response = await fetch(config.tokenUrl, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'error',
      signal,
    });
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      refuseGrant(what, response.status, parsed);
      throw new GoogleHttpError(response.status, parsed, response.headers.get('retry-after'));
    }
    return parsed;
  });
  return readTokenAnswer(what, data, sentAt);
}

/**
 * The token endpoint's refusals (RFC 6749 5.2): `invalid_grant` means the code or refresh token
 * no longer works (revoked, expired, used twice), so the profile must be linked again. Other
 * refusals (`invalid_client`, `unauthorized_client`) are the operator's configuration, not the
 * person's grant: reported as a bad answer so nobody is asked to relink for them.
 */
function refuseGrant(what: string, status: number, body: unknown): void {
  if (status !== 400 && status !== 401) return;
  const error = (body as { error?: unknown } | null)?.error;
  if (error === 'invalid_grant') throw fail('grant_revoked', `Google ${what}: invalid_grant`);
  if (typeof error === 'string') throw fail('bad_response', `Google ${what}: ${error}`);
}

function readTokenAnswer(what: string, data: unknown, sentAt: number): TokenAnswer {
  const answer = data as {
    access_token?: unknown;
    refresh_token?: unknown;
    expires_in?: unknown;
  } | null;
  if (
    typeof answer !== 'object' ||
    answer === null ||
    typeof answer.access_token !== 'string' ||
    answer.access_token === '' ||
    typeof answer.expires_in !== 'number' ||
    !Number.isFinite(answer.expires_in)
  ) {
    throw fail('bad_response', `Google ${what}: the answer is not a token response`);
  }
  const refreshToken =
    typeof answer.refresh_token === 'string' && answer.refresh_token !== '' ? answer.refresh_token : null;
  // Counted from when the request left, so the token is never believed valid longer than it is.
  return { accessToken: answer.access_token, refreshToken, expiresAt: sentAt + answer.expires_in * 1000 };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
