/**
 * The Microsoft identity platform's authorization-code flow (v2.0 endpoints): the consent URL and
 * the token endpoint (code exchange, refresh). A refused grant (`invalid_grant`,
 * `interaction_required` and the AADSTS codes that mean "sign in again") is `grant_revoked`.
 */
import { providerError } from '../../../ports/synced-provider.ts';
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
import { type HttpAnswer, jsonOf, send, type TransportOptions } from './transport.ts';

/** SPEC 8c: a refresh token (`offline_access`), the calendars, and the profile. */
export const MICROSOFT_SCOPES = 'offline_access Calendars.ReadWrite User.Read';

/**
 * The consent page is `https://login.microsoftonline.com/common/oauth2/v2.0/authorize` in
 * production, the token endpoint `https://login.microsoftonline.com/common/oauth2/v2.0/token`.
 */
export type MicrosoftOAuthConfig = OAuthClientConfig;

/**
 * OAuth errors that mean the person must consent or sign in again. AADSTS codes: 70000 (grant
 * invalid or revoked), 70008 (expired), 50173 (grant revoked by a password change), 700082 (expired
 * by inactivity), 54005 (code already redeemed), 700084 (SPA token lifetime), 50076/50079 (MFA
 * now required), 65001 (consent withdrawn), 50078 (MFA expired), 70043 (token lifetime policy).
 */
const RELINK = {
  errors: new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required']),
  codes: new Set([70000, 70008, 50173, 700082, 54005, 700084, 50076, 50079, 65001, 50078, 70043]),
};

/** The consent page; `prompt=select_account` lets a person pick which account to connect. */
export function microsoftAuthorizeUrl(
  config: MicrosoftOAuthConfig,
  input: { readonly state: string; readonly redirectUri: string },
): string {
  return consentUrl(config.authUrl, {
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: input.redirectUri,
    response_mode: 'query',
    scope: MICROSOFT_SCOPES,
    state: input.state,
    prompt: 'select_account',
  });
}

/**
 * The token endpoint, for ../oauth-token.ts exchangeCode and refreshGrant.
 * Microsoft rotates refresh tokens: the new one replaces the old when given.
 */
export function microsoftTokenEndpoint(
  config: MicrosoftOAuthConfig,
  transport: TransportOptions,
): TokenEndpoint {
  return {
    post: tokenPoster(config, transport),
    noRefreshToken: 'Microsoft code exchange: no refresh token (offline_access not granted)',
  };
}

/** Posts through {@link send} (its deadline, its rate-limit retries); any answer but 200 is a refusal. */
function tokenPoster(config: MicrosoftOAuthConfig, transport: TransportOptions): PostToken {
  return async (operation, fields, deadline) => {
    const what = `Microsoft ${operation}`;
    const body = tokenForm(config, { ...fields, scope: MICROSOFT_SCOPES });
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
    // Counted from the answer; `expires_in` read as a number even when sent as a string.
    const token = readTokenAnswer(jsonOf(answer, what), transport.now(), Number);
    if (token === null)
      throw providerError('bad_response', `${what}: the answer lacks access_token or expires_in`);
    return token;
  };
}

function tokenFailure(answer: HttpAnswer, what: string): Error {
  // Not JSON: no refusal in it, judged bad_response below.
  const refusal = readRefusal(jsonOrText(answer.text));
  const label = `${what}: HTTP ${answer.status}${refusal.error === null ? '' : ` ${refusal.error}`}${refusal.codes.length > 0 ? ` AADSTS${refusal.codes[0]}` : ''}`;
  // Anything but a relink (`invalid_client`: the operator's id or secret is wrong, …) is not the
  // person's grant: it must not ask them to relink (the Google adapter answers the same).
  return providerError(refusalCode(refusal, RELINK), label);
}
