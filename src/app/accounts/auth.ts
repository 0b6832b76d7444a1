/**
 * Credentials (SPEC 3): application client secrets (bearer or body) and account access tokens.
 * Secrets and tokens are looked up by hash and compared in constant time.
 */
import { DomainError } from '../../domain/errors.ts';
import type { AccountRecord, ApplicationRecord } from '../../ports/store.ts';
import type { AppContext } from '../context.ts';

export type PresentedCredentials = {
  /** The bearer value from the Authorization header, if any. */
  readonly bearer: string | undefined;
  /** `client_id` / `client_secret` from the JSON body, if present as strings. */
  readonly bodyClientId: string | undefined;
  readonly bodyClientSecret: string | undefined;
};

export type ApplicationCaller = { readonly kind: 'application'; readonly application: ApplicationRecord };
export type AccountCaller = {
  readonly kind: 'account';
  readonly application: ApplicationRecord;
  readonly account: AccountRecord;
};
export type Caller = ApplicationCaller | AccountCaller;

/**
 * Credentials that were not accepted (401). `neverValid` says whether what was presented never
 * was a credential of this server at all (a guess): only those count towards the failed-
 * authentication limit (SPEC 9), never an expired or revoked token, a spent refresh token, a
 * credential of the other kind, or no credentials.
 */
export class UnauthenticatedError extends DomainError {
  readonly neverValid: boolean;
  constructor(message: string, neverValid: boolean) {
    super('unauthenticated', message);
    this.neverValid = neverValid;
  }
}

const NOT_RECOGNISED = 'The credentials were not recognised';
/** Nothing presented, or a credential that exists but does not work now (expired, revoked). */
const notAccepted = () => new UnauthenticatedError(NOT_RECOGNISED, false);
const unknownCredential = () => new UnauthenticatedError(NOT_RECOGNISED, true);

/** A known credential of the other kind: say which one the endpoint needs. */
const wrongKind = (needed: 'client secret' | 'access token') =>
  new UnauthenticatedError(
    needed === 'client secret'
      ? "This endpoint needs the application's client secret (Authorization: Bearer CLIENT_SECRET, or client_id and client_secret in the body); an account's access token was sent"
      : "This endpoint needs an account's access token (Authorization: Bearer ACCESS_TOKEN); the application's client secret was sent",
    false,
  );

/** What a value that is not a client secret is as a token: a live access token, another one, none. */
async function tokenState(ctx: AppContext, value: string): Promise<'access' | 'other' | 'unknown'> {
  const token = await ctx.store.read((repos) => repos.accounts.tokenByHash(ctx.secrets.hash(value)));
  if (token === undefined) return 'unknown';
  return token.kind === 'access' && token.revokedAt === null ? 'access' : 'other';
}

async function applicationBySecret(ctx: AppContext, secret: string): Promise<ApplicationRecord | undefined> {
  return ctx.store.read(async (repos) => {
    for (const candidate of await repos.applications.secretsByHash(ctx.secrets.hash(secret))) {
      if (ctx.secrets.equal(ctx.secrets.unseal(candidate.secretSealed), secret)) {
        return repos.applications.byId(candidate.applicationId);
      }
    }
    return undefined;
  });
}

/** Body credentials win over the header, so `Bearer undefined` from the Node SDK is ignored. */
export async function authenticateApplication(
  ctx: AppContext,
  credentials: PresentedCredentials,
): Promise<ApplicationRecord> {
  const secret = credentials.bodyClientSecret ?? credentials.bearer;
  if (secret === undefined || secret === '') throw notAccepted();
  const application = await applicationBySecret(ctx, secret);
  if (application === undefined) {
    const state = await tokenState(ctx, secret);
    if (credentials.bodyClientSecret === undefined && state === 'access') throw wrongKind('client secret');
    throw state === 'unknown' ? unknownCredential() : notAccepted();
  }
  if (credentials.bodyClientSecret !== undefined && credentials.bodyClientId !== undefined) {
    // A real secret with another application's client_id: a mistake, not a guess.
    if (!ctx.secrets.equal(credentials.bodyClientId, application.clientId)) throw notAccepted();
  }
  return application;
}

export async function authenticateAccount(
  ctx: AppContext,
  bearer: string | undefined,
): Promise<AccountCaller> {
  if (bearer === undefined || bearer === '') throw notAccepted();
  const found = await ctx.store.read(async (repos) => {
    const token = await repos.accounts.tokenByHash(ctx.secrets.hash(bearer));
    if (token === undefined) return 'unknown';
    if (token.kind !== 'access' || token.revokedAt !== null) return 'not_now';
    // SPEC 3: an access token stops working ACCESS_TOKEN_SECONDS after it was issued.
    if (token.expiresAt !== null && ctx.clock.now() >= token.expiresAt) return 'not_now';
    const account = await repos.accounts.byId(token.accountId);
    if (account === undefined) return 'not_now';
    const application = await repos.applications.byId(account.applicationId);
    return application === undefined ? 'not_now' : { account, application };
  });
  if (found === 'unknown') {
    if ((await applicationBySecret(ctx, bearer)) !== undefined) throw wrongKind('access token');
    throw unknownCredential();
  }
  if (found === 'not_now') throw notAccepted();
  return { kind: 'account', ...found };
}

/** Availability endpoints accept an application secret or an account access token (SPEC 3). */
export async function authenticateCaller(
  ctx: AppContext,
  credentials: PresentedCredentials,
): Promise<Caller> {
  if (credentials.bodyClientSecret !== undefined) {
    return { kind: 'application', application: await authenticateApplication(ctx, credentials) };
  }
  const bearer = credentials.bearer;
  if (bearer === undefined || bearer === '') throw notAccepted();
  const application = await applicationBySecret(ctx, bearer);
  if (application !== undefined) return { kind: 'application', application };
  return authenticateAccount(ctx, bearer);
}
