/**
 * Cronofy's authorization flow (SPEC 8b), the person's half: `GET /oauth/authorize` is checked
 * here (which application, which registered redirect URI, which account a link token names), and
 * a provider the person connected on the page becomes a profile of an account plus a single-use
 * authorization code for the application's redirect URI. The web page (web/authorize/) only
 * renders and calls these.
 */
import { DomainError, Problems } from '../../domain/errors.ts';
import type { ProfileRecord, ProviderName } from '../../ports/connections.ts';
import type { AccountRecord, ApplicationRecord, Repos } from '../../ports/store.ts';
import {
  addSources,
  planCaldavSources,
  planIcsSource,
  type SourcePlan,
  WIRE_PATHS,
} from '../calendars/external-accounts.ts';
import type { AppContext } from '../context.ts';
import { isRegistered } from './redirect-uris.ts';

/** How long a code works (SPEC 8b: 10 minutes). */
export const CODE_TTL_MS = 10 * 60_000;
/** How long a link token from `POST /v1/link_tokens` works. */
export const LINK_TOKEN_TTL_MS = 60 * 60_000;
const MAX_STATE = 2000;
const MAX_SCOPE = 500;

/** Providers a person can pick on the page: always CalDAV and ICS; others when configured (8c). */
export const FORM_PROVIDERS = ['caldav', 'ics'] as const;
export type FormProvider = (typeof FORM_PROVIDERS)[number];

export type AuthorizeRequest = {
  readonly application: ApplicationRecord;
  readonly redirectUri: string;
  readonly state: string | null;
  readonly scope: string;
  /** `provider_name` when it names a provider this server offers (it skips the choice). */
  readonly providerName: ProviderName | null;
  readonly linkToken: string | null;
  /** The account a link token adds the profile to, and the profile a relink token reconnects. */
  readonly link: { readonly account: AccountRecord; readonly profile: ProfileRecord | null } | null;
};

export type AuthorizeCheck =
  | { readonly kind: 'ok'; readonly request: AuthorizeRequest }
  /** No browser may be sent anywhere: the page says why (SPEC 8b, no open redirect). */
  | { readonly kind: 'refused'; readonly reason: 'unknown_client' | 'unregistered_redirect' }
  /** The redirect URI is registered, the request is not valid: the application hears why. */
  | { readonly kind: 'redirect'; readonly url: string };

type Raw = Readonly<Record<string, unknown>>;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The providers this server offers, in the order the page lists them. */
export function offeredProviders(ctx: AppContext): readonly ProviderName[] {
  const signIn = (['google', 'office365'] as const).filter((name) => ctx.providers?.[name] !== undefined);
  return [...signIn, ...(ctx.connector === undefined || ctx.connector === null ? [] : FORM_PROVIDERS)];
}

/**
 * Checks an authorization request (the query of `GET /oauth/authorize`, or the hidden fields the
 * page posts back). An unknown client or a redirect URI that is not registered is refused without a
 * redirect; any other fault is sent to the (registered) redirect URI as an OAuth error.
 */
export async function checkAuthorizeRequest(ctx: AppContext, raw: Raw): Promise<AuthorizeCheck> {
  const clientId = text(raw.client_id);
  const redirectUri = text(raw.redirect_uri);
  if (clientId === null || clientId.length > 200) return { kind: 'refused', reason: 'unknown_client' };
  return ctx.store.read(async (repos) => {
    const application = await repos.applications.byClientId(clientId);
    if (application === undefined) return { kind: 'refused', reason: 'unknown_client' };
    const registered = await repos.connections.redirectUris(application.id);
    if (redirectUri === null || !isRegistered(registered, redirectUri)) {
      return { kind: 'refused', reason: 'unregistered_redirect' };
    }
    const state = text(raw.state);
    const fail = (error: string, description: string): AuthorizeCheck => ({
      kind: 'redirect',
      url: withQuery(redirectUri, { error, error_description: description, state }),
    });
    if (raw.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    if (state !== null && state.length > MAX_STATE) return fail('invalid_request', 'state is too long');
    const scope = text(raw.scope) ?? 'read_write';
    if (scope.length > MAX_SCOPE) return fail('invalid_request', 'scope is too long');
    const linkToken = text(raw.link_token);
    let link: AuthorizeRequest['link'] = null;
    if (linkToken !== null) {
      link = await linkTarget(ctx, repos, application, linkToken);
      if (link === null) return fail('invalid_request', 'the link_token is unknown, used or expired');
    }
    const named = text(raw.provider_name) as ProviderName | null;
    const offered = offeredProviders(ctx);
    const relinking = link?.profile?.providerName ?? null;
    const providerName = relinking ?? (named !== null && offered.includes(named) ? named : null);
    return {
      kind: 'ok',
      request: { application, redirectUri, state, scope, providerName, linkToken, link },
    };
  });
}

async function linkTarget(
  ctx: AppContext,
  repos: Repos,
  application: ApplicationRecord,
  linkToken: string,
): Promise<AuthorizeRequest['link']> {
  if (linkToken.length > 200) return null;
  const token = await repos.connections.linkToken(ctx.secrets.hash(linkToken));
  if (token === undefined || token.applicationId !== application.id) return null;
  if (token.expiresAt !== null && ctx.clock.now() >= token.expiresAt) return null;
  const [account] = await repos.accounts.byIds(application.id, [token.accountId]);
  if (account === undefined) return null;
  const profile = token.profileId === null ? undefined : await repos.connections.profile(token.profileId);
  return { account, profile: profile?.accountId === account.id ? profile : null };
}

/** What the person typed into a provider's form on the page. */
export type ProviderForm =
  | {
      readonly kind: 'caldav';
      readonly serverUrl: string;
      readonly username: string;
      readonly password: string;
    }
  | { readonly kind: 'ics'; readonly url: string };

/**
 * Connects what the person entered: the credentials are checked against the provider first (a
 * wrong password is a problem at `password`, a refused or unreachable server at `server_url`, a
 * feed at `url`; see external-accounts.ts), then one transaction creates or reuses the account,
 * records the profile and its calendars, spends the link token and stores a code (hashed).
 * Returns the URL the browser goes to: `redirect_uri?code=…&state=…`.
 */
export async function connectProvider(
  ctx: AppContext,
  request: AuthorizeRequest,
  form: ProviderForm,
): Promise<string> {
  const problems = new Problems();
  const plan =
    form.kind === 'caldav'
      ? await planCaldavSources(ctx, { ...form, name: null, tzid: null }, WIRE_PATHS, problems)
      : await planIcsSource(ctx, { url: form.url, name: null, tzid: null }, WIRE_PATHS, problems);
  return completeAuthorization(ctx, request, plan.accountName, async (repos, account) => {
    const profileId = await recordProfile(ctx, repos, request, account, plan);
    await addSources(ctx, repos, account.id, plan.sources, profileId);
    return profileId;
  });
}

/**
 * The end every provider's connection shares, in one transaction: the account (the link token's,
 * spent here, or a new one named `accountName`), what `connect` records for it (the profile and its
 * calendars; it returns the profile's id), and a single-use code for the application's redirect
 * URI. Returns the URL the browser goes to: `redirect_uri?code=…&state=…`.
 */
export async function completeAuthorization(
  ctx: AppContext,
  request: AuthorizeRequest,
  accountName: string,
  connect: (repos: Repos, account: AccountRecord) => Promise<string>,
): Promise<string> {
  const code = ctx.ids.newToken(32);
  await ctx.store.transaction(async (repos) => {
    const account = await accountFor(ctx, repos, request, accountName);
    const profileId = await connect(repos, account);
    const now = ctx.clock.now();
    await repos.connections.insertCode({
      codeHash: ctx.secrets.hash(code),
      applicationId: request.application.id,
      redirectUri: request.redirectUri,
      accountId: account.id,
      profileId,
      createdAt: now,
      expiresAt: now + CODE_TTL_MS,
      usedAt: null,
      grantId: null,
    });
    if (request.linkToken !== null)
      await repos.connections.deleteLinkToken(ctx.secrets.hash(request.linkToken));
  });
  return withQuery(request.redirectUri, { code, state: request.state });
}

async function accountFor(
  ctx: AppContext,
  repos: Repos,
  request: AuthorizeRequest,
  accountName: string,
): Promise<AccountRecord> {
  if (request.link !== null) {
    // The link token is spent in this transaction; a second use of it must not link again.
    const token =
      request.linkToken === null
        ? undefined
        : await repos.connections.linkToken(ctx.secrets.hash(request.linkToken));
    if (token === undefined) throw new DomainError('conflict', 'The link token was used meanwhile');
    return request.link.account;
  }
  const account: AccountRecord = {
    id: ctx.ids.newId('acc'),
    applicationId: request.application.id,
    applicationCalendarId: null,
    profileId: ctx.ids.newId('pro'),
    name: accountName,
    createdAt: ctx.clock.now(),
  };
  await repos.accounts.insert(account);
  return account;
}

/** A new profile, or the relinked one reconnected with the new credentials; returns its id. */
async function recordProfile(
  ctx: AppContext,
  repos: Repos,
  request: AuthorizeRequest,
  account: AccountRecord,
  plan: SourcePlan,
): Promise<string> {
  const sealed = ctx.secrets.seal(JSON.stringify(plan.credentials));
  return recordConnectedProfile(ctx, repos, request, account, {
    providerName: plan.credentials.kind,
    profileName: plan.profileName,
    credentialsSealed: sealed,
  });
}

/**
 * The profile a connection made: the relinked one reconnected with the new credentials when the
 * request relinks a profile of this provider, else a new profile of the account. Returns its id.
 */
export async function recordConnectedProfile(
  ctx: AppContext,
  repos: Repos,
  request: AuthorizeRequest,
  account: AccountRecord,
  connected: Pick<ProfileRecord, 'providerName' | 'profileName'> & { readonly credentialsSealed: string },
): Promise<string> {
  const relinked = request.link?.profile ?? null;
  if (relinked !== null && relinked.providerName === connected.providerName) {
    await repos.connections.reconnectProfile(relinked.id, connected.credentialsSealed, connected.profileName);
    return relinked.id;
  }
  const profile: ProfileRecord = {
    id: ctx.ids.newId('pro'),
    accountId: account.id,
    ...connected,
    redirectUri: request.redirectUri,
    relinkSealed: null,
    createdAt: ctx.clock.now(),
    disconnectedAt: null,
  };
  await repos.connections.insertProfile(profile);
  return profile.id;
}

/** `error=access_denied` for a person who cancelled (SPEC 8b). */
export function deniedUrl(request: AuthorizeRequest): string {
  return withQuery(request.redirectUri, { error: 'access_denied', state: request.state });
}

/** The URI with these parameters added to its query (nulls left out); its own query is kept. */
export function withQuery(uri: string, params: Readonly<Record<string, string | null>>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}
