/**
 * Accounts created through `POST /v1/application_calendars` (SPEC 7), their access tokens and the
 * OAuth refresh grant.
 */
import { DomainError } from '../../domain/errors.ts';
import type { AccountRecord, ApplicationRecord, CalendarRecord, Repos } from '../../ports/store.ts';
import type { AppContext } from '../context.ts';

export type TokenPair = {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds the access token works for (SPEC 3 `expires_in`). */
  readonly expiresIn: number;
};

export type ApplicationCalendarResult = TokenPair & {
  readonly account: AccountRecord;
  readonly calendar: CalendarRecord;
};

/**
 * A fresh access and refresh token for the account, in `grantId` (a new grant unless a refresh
 * continues one). The access token expires after ACCESS_TOKEN_SECONDS.
 */
export async function issueTokens(
  ctx: AppContext,
  repos: Repos,
  accountId: string,
  grantId: string = ctx.ids.newId('grt'),
): Promise<TokenPair> {
  const accessToken = ctx.ids.newToken(32);
  const refreshToken = ctx.ids.newToken(32);
  const createdAt = ctx.clock.now();
  const expiresIn = ctx.config.accessTokenSeconds;
  const common = { accountId, createdAt, revokedAt: null, grantId };
  await repos.accounts.insertToken({
    ...common,
    tokenHash: ctx.secrets.hash(accessToken),
    kind: 'access',
    expiresAt: createdAt + expiresIn * 1000,
  });
  await repos.accounts.insertToken({
    ...common,
    tokenHash: ctx.secrets.hash(refreshToken),
    kind: 'refresh',
    expiresAt: null,
  });
  return { accessToken, refreshToken, expiresIn };
}

/** Idempotent per (application, application_calendar_id): the same account every time, fresh tokens. */
export async function createApplicationCalendar(
  ctx: AppContext,
  application: ApplicationRecord,
  applicationCalendarId: string,
  options: { name?: string; tzid?: string } = {},
): Promise<ApplicationCalendarResult> {
  return ctx.store.transaction(async (repos) => {
    let account = await repos.accounts.byApplicationCalendarId(application.id, applicationCalendarId);
    let calendar: CalendarRecord | undefined;
    if (account === undefined) {
      const now = ctx.clock.now();
      account = {
        id: ctx.ids.newId('acc'),
        applicationId: application.id,
        applicationCalendarId,
        profileId: ctx.ids.newId('pro'),
        name: options.name ?? applicationCalendarId,
        createdAt: now,
      };
      await repos.accounts.insert(account);
      calendar = {
        id: ctx.ids.newId('cal'),
        accountId: account.id,
        name: options.name ?? applicationCalendarId,
        kind: 'native',
        readOnly: false,
        primary: true,
        deleted: false,
        tzid: options.tzid ?? 'Etc/UTC',
        color: null,
        sourceSealed: null,
        version: 0,
        createdAt: now,
      };
      await repos.calendars.insert(calendar);
    } else {
      const calendars = await repos.calendars.byAccount(account.id);
      calendar = calendars.find((c) => c.primary) ?? calendars[0];
    }
    if (calendar === undefined) throw new DomainError('conflict', 'The account has no calendar');
    const tokens = await issueTokens(ctx, repos, account.id);
    return { ...tokens, account, calendar };
  });
}

/** A spent, revoked, unknown or foreign refresh token (SPEC 3: 400 `invalid_grant`). */
export class InvalidGrantError extends Error {
  /** No such token was ever issued (a guess, counted by the failed-authentication limit, SPEC 9). */
  readonly neverValid: boolean;
  constructor(neverValid = false) {
    super('The refresh token is not valid');
    this.neverValid = neverValid;
  }
}

/**
 * `grant_type=refresh_token`: a fresh pair in the same grant. The old refresh token is spent by one
 * conditional write, so of several concurrent refreshes with it exactly one succeeds; the old
 * access token keeps working until it expires.
 */
export async function refreshTokens(ctx: AppContext, application: ApplicationRecord, refreshToken: string) {
  return ctx.store.transaction(async (repos) => {
    const token = await repos.accounts.tokenByHash(ctx.secrets.hash(refreshToken));
    const account = token === undefined ? undefined : await repos.accounts.byId(token.accountId);
    if (
      token === undefined ||
      token.kind !== 'refresh' ||
      account === undefined ||
      account.applicationId !== application.id ||
      !(await repos.accounts.spendRefreshToken(token.tokenHash, ctx.clock.now()))
    ) {
      // A race's losers present a real, just-spent token: not a guess.
      throw new InvalidGrantError(token === undefined);
    }
    const tokens = await issueTokens(ctx, repos, account.id, token.grantId ?? undefined);
    return { ...tokens, account };
  });
}

/**
 * `POST /oauth/token/revoke`: revokes the whole grant of an access or refresh token of one of the
 * application's accounts. Unknown and foreign tokens change nothing (the answer is the same).
 */
export async function revokeGrantOf(ctx: AppContext, application: ApplicationRecord, token: string) {
  await ctx.store.transaction(async (repos) => {
    const record = await repos.accounts.tokenByHash(ctx.secrets.hash(token));
    if (record === undefined) return;
    const account = await repos.accounts.byId(record.accountId);
    if (account === undefined || account.applicationId !== application.id) return;
    const now = ctx.clock.now();
    if (record.grantId === null) await repos.accounts.revokeToken(record.tokenHash, now);
    else await repos.accounts.revokeGrant(record.grantId, now);
  });
}

/** `sub` on `POST /oauth/token/revoke` (Ruby's revoke_by_sub): one of the application's accounts. */
export async function revokeSubOf(ctx: AppContext, application: ApplicationRecord, sub: string) {
  await ctx.store.transaction(async (repos) => {
    const [account] = await repos.accounts.byIds(application.id, [sub]);
    if (account !== undefined) await repos.accounts.revokeAccountTokens(account.id, ctx.clock.now());
  });
}

/** `rtseq tokens revoke --sub`: every grant of the account; returns how many tokens were revoked. */
export async function revokeAccountTokens(ctx: AppContext, accountId: string): Promise<number> {
  return ctx.store.transaction(async (repos) => {
    if ((await repos.accounts.byId(accountId)) === undefined) {
      throw new DomainError('not_found', `No account ${accountId}`);
    }
    return repos.accounts.revokeAccountTokens(accountId, ctx.clock.now());
  });
}
