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

const unauthenticated = () => new DomainError('unauthenticated', 'The credentials were not recognised');

/** A known credential of the other kind: say which one the endpoint needs. */
const wrongKind = (needed: 'client secret' | 'access token') =>
  new DomainError(
    'unauthenticated',
    needed === 'client secret'
      ? "This endpoint needs the application's client secret (Authorization: Bearer CLIENT_SECRET, or client_id and client_secret in the body); an account's access token was sent"
      : "This endpoint needs an account's access token (Authorization: Bearer ACCESS_TOKEN); the application's client secret was sent",
  );

async function isAccessToken(ctx: AppContext, bearer: string): Promise<boolean> {
  const token = await ctx.store.read((repos) => repos.accounts.tokenByHash(ctx.secrets.hash(bearer)));
  return token !== undefined && token.kind === 'access' && token.revokedAt === null;
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
  if (secret === undefined || secret === '') throw unauthenticated();
  const application = await applicationBySecret(ctx, secret);
  if (application === undefined) {
    if (credentials.bodyClientSecret === undefined && (await isAccessToken(ctx, secret)))
      throw wrongKind('client secret');
    throw unauthenticated();
  }
  if (credentials.bodyClientSecret !== undefined && credentials.bodyClientId !== undefined) {
    if (!ctx.secrets.equal(credentials.bodyClientId, application.clientId)) throw unauthenticated();
  }
  return application;
}

export async function authenticateAccount(
  ctx: AppContext,
  bearer: string | undefined,
): Promise<AccountCaller> {
  if (bearer === undefined || bearer === '') throw unauthenticated();
  const found = await ctx.store.read(async (repos) => {
    const token = await repos.accounts.tokenByHash(ctx.secrets.hash(bearer));
    if (token === undefined || token.kind !== 'access' || token.revokedAt !== null) return undefined;
    // SPEC 3: an access token stops working ACCESS_TOKEN_SECONDS after it was issued.
    if (token.expiresAt !== null && ctx.clock.now() >= token.expiresAt) return undefined;
    const account = await repos.accounts.byId(token.accountId);
    if (account === undefined) return undefined;
    const application = await repos.applications.byId(account.applicationId);
    return application === undefined ? undefined : { account, application };
  });
  if (found === undefined) {
    if ((await applicationBySecret(ctx, bearer)) !== undefined) throw wrongKind('access token');
    throw unauthenticated();
  }
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
  if (bearer === undefined || bearer === '') throw unauthenticated();
  const application = await applicationBySecret(ctx, bearer);
  if (application !== undefined) return { kind: 'application', application };
  return authenticateAccount(ctx, bearer);
}
