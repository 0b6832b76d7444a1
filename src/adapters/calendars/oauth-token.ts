/**
 * What the Google and Microsoft adapters' OAuth 2.0 authorization-code flows have in common
 * (RFC 6749): the consent URL, the token endpoint's form, reading its token answer and its
 * refusals, and the code exchange and refresh built on them. Each adapter keeps what is its
 * provider's: scopes and consent parameters, how its transport posts and retries, which refusals
 * mean "consent again" (Microsoft's AADSTS codes), and its messages.
 */
import { type OAuthGrant, providerError } from '../../ports/synced-provider.ts';

/** An OAuth client of the provider, as the operator configured it (SPEC 8c). */
export type OAuthClientConfig = {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The consent page. */
  readonly authUrl: string;
  /** The token endpoint. */
  readonly tokenUrl: string;
};

/** What the token endpoint granted; `refreshToken` null when the answer carried none. */
export type TokenAnswer = {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly expiresAt: number;
};

/**
 * Posts `fields` to the token endpoint for `operation` (`code exchange`, `token refresh`) and
 * reads the answer: the provider's transport, its retries and its refusals.
 */
export type PostToken = (
  operation: string,
  fields: Readonly<Record<string, string>>,
  deadline: number,
) => Promise<TokenAnswer>;

/** A provider's token endpoint: how to post to it, and what to say of a code exchange without a refresh token. */
export type TokenEndpoint = { readonly post: PostToken; readonly noRefreshToken: string };

/** The consent page with `query` appended (the configured URL may carry a query of its own). */
export function consentUrl(authUrl: string, query: Readonly<Record<string, string>>): string {
  return `${authUrl}${authUrl.includes('?') ? '&' : '?'}${new URLSearchParams(query).toString()}`;
}

/** The token request's form: the grant's fields and the client's credentials (client_secret_post). */
export function tokenForm(
  config: OAuthClientConfig,
  fields: Readonly<Record<string, string>>,
): URLSearchParams {
  return new URLSearchParams({ ...fields, client_id: config.clientId, client_secret: config.clientSecret });
}

/**
 * The code exchange; an answer without a refresh token fails `bad_response` with the endpoint's
 * `noRefreshToken` (a grant that cannot be refreshed is no use to a synced calendar).
 */
export async function exchangeCode(
  endpoint: TokenEndpoint,
  input: { readonly code: string; readonly redirectUri: string },
  deadline: number,
): Promise<OAuthGrant> {
  const answer = await endpoint.post(
    'code exchange',
    { grant_type: 'authorization_code', code: input.code, redirect_uri: input.redirectUri },
    deadline,
  );
  if (answer.refreshToken === null) throw providerError('bad_response', endpoint.noRefreshToken);
  return { accessToken: answer.accessToken, refreshToken: answer.refreshToken, expiresAt: answer.expiresAt };
}

/**
 * A fresh access token. The refresh token of the answer replaces the old one when given (Microsoft
 * rotates them); Google's answer usually carries none, so the old one stays.
 */
export async function refreshGrant(
  endpoint: TokenEndpoint,
  grant: OAuthGrant,
  deadline: number,
): Promise<OAuthGrant> {
  const answer = await endpoint.post(
    'token refresh',
    { grant_type: 'refresh_token', refresh_token: grant.refreshToken },
    deadline,
  );
  return {
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken ?? grant.refreshToken,
    expiresAt: answer.expiresAt,
  };
}

/**
 * The token answer (RFC 6749 5.1), or null when it is not one: no access token, or an `expires_in`
 * that `readExpiresIn` (the provider's reading of it, in seconds) does not make a finite number of.
 * The token expires `expires_in` after `issuedAt`.
 */
export function readTokenAnswer(
  data: unknown,
  issuedAt: number,
  readExpiresIn: (value: unknown) => number,
): TokenAnswer | null {
  if (typeof data !== 'object' || data === null) return null;
  const answer = data as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
  const expiresIn = readExpiresIn(answer.expires_in);
  if (typeof answer.access_token !== 'string' || answer.access_token === '' || !Number.isFinite(expiresIn)) {
    return null;
  }
  const refreshToken =
    typeof answer.refresh_token === 'string' && answer.refresh_token !== '' ? answer.refresh_token : null;
  return { accessToken: answer.access_token, refreshToken, expiresAt: issuedAt + expiresIn * 1000 };
}

/** A token endpoint's refusal (RFC 6749 5.2): its `error`, and Microsoft's numeric `error_codes`. */
export type TokenRefusal = { readonly error: string | null; readonly codes: readonly number[] };

/** The refusal an answer body (parsed JSON, or anything else) carries; nothing when it is not JSON. */
export function readRefusal(body: unknown): TokenRefusal {
  const fields =
    typeof body === 'object' && body !== null ? (body as { error?: unknown; error_codes?: unknown }) : {};
  const codes = Array.isArray(fields.error_codes)
    ? fields.error_codes.filter((code): code is number => typeof code === 'number')
    : [];
  return { error: typeof fields.error === 'string' ? fields.error : null, codes };
}

/**
 * `grant_revoked` when the refusal means the person must consent again (`invalid_grant` and the
 * provider's like), so the profile is linked again; anything else (`invalid_client`,
 * `unauthorized_client`: the operator's configuration, not the person's grant) is `bad_response`,
 * so nobody is asked to relink for it.
 */
export function refusalCode(
  refusal: TokenRefusal,
  relink: { readonly errors: ReadonlySet<string>; readonly codes?: ReadonlySet<number> },
): 'grant_revoked' | 'bad_response' {
  const revoked =
    (refusal.error !== null && relink.errors.has(refusal.error)) ||
    refusal.codes.some((code) => relink.codes?.has(code) === true);
  return revoked ? 'grant_revoked' : 'bad_response';
}

/** The body as JSON, or the text itself when it is not JSON. */
export function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
