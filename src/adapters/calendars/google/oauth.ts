/**
 * Google's OAuth 2.0 authorization-code flow: the consent URL and the token endpoint (code
 * exchange, refresh) over ../oauth-token.ts. A small typed fetch client rather than
 * google-auth-library's OAuth2Client, whose token calls take no abort signal and force their own
 * retries (docs/decisions/0011-google-client.md).
 */
import {
  consentUrl,
  jsonOrText,
  type OAuthClientConfig,
  type PostToken,
  readRefusal,
  readTokenAnswer,
  refusalCode,
  type TokenEndpoint,
  tokenForm,
} from '../oauth-token.ts';
import { fail, type GoogleClock, GoogleHttpError, runCall } from './transport.ts';

export const GOOGLE_CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

/**
 * The consent page is `https://accounts.google.com/o/oauth2/v2/auth` in production, the token
 * endpoint `https://oauth2.googleapis.com/token`.
 */
export type GoogleOAuthConfig = OAuthClientConfig;

/** The one refusal that means the person's grant is gone (revoked, expired, a code used twice). */
const RELINK = { errors: new Set(['invalid_grant']) };

/**
 * The consent page. `access_type=offline` and `prompt=consent` make Google hand out a refresh
 * token even to a person who consented before (a relink after a revoked grant needs one).
 */
export function googleAuthorizeUrl(
  config: GoogleOAuthConfig,
  input: { readonly state: string; readonly redirectUri: string },
): string {
  return consentUrl(config.authUrl, {
    client_id: config.clientId,
    redirect_uri: input.redirectUri,
    response_type: 'code',
    scope: GOOGLE_CALENDAR_SCOPE,
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    state: input.state,
  });
}

/**
 * The token endpoint, for ../oauth-token.ts exchangeCode and refreshGrant.
 * Google's refresh answer usually carries no refresh token, so the old one stays.
 */
export function googleTokenEndpoint(config: GoogleOAuthConfig, clock: GoogleClock): TokenEndpoint {
  return {
    post: tokenPoster(config, clock),
    noRefreshToken: 'Google code exchange: the answer carries no refresh token',
  };
}

/**
 * Posts through {@link runCall} (its deadline, its rate-limit retries). A 400 or 401 naming an
 * OAuth error is decided here (../oauth-token.ts refusalCode); any other failure goes to runCall
 * as the HTTP error it is.
 */
function tokenPoster(config: GoogleOAuthConfig, clock: GoogleClock): PostToken {
  return async (what, fields, deadline) => {
    const body = tokenForm(config, fields);
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
      const parsed = jsonOrText(await response.text());
      if (!response.ok) {
        const refusal = readRefusal(parsed);
        if ((response.status === 400 || response.status === 401) && refusal.error !== null) {
          throw fail(refusalCode(refusal, RELINK), `Google ${what}: ${refusal.error}`);
        }
        throw new GoogleHttpError(response.status, parsed, response.headers.get('retry-after'));
      }
      return parsed;
    });
    // Counted from when the request left, so the token is never believed valid longer than it is.
    const answer = readTokenAnswer(data, sentAt, (value) => (typeof value === 'number' ? value : Number.NaN));
    if (answer === null) throw fail('bad_response', `Google ${what}: the answer is not a token response`);
    return answer;
  };
}
