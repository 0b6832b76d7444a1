/**
 * Accounts created through `POST /v1/application_calendars` (SPEC 7), their access tokens and the
 * OAuth refresh grant.
 */
import { DomainError } from '../domain/errors.ts';
import type { AccountRecord, ApplicationRecord, CalendarRecord, Repos } from '../ports/store.ts';
import type { AppContext } from './context.ts';

export type TokenPair = { readonly accessToken: string; readonly refreshToken: string };

export type ApplicationCalendarResult = TokenPair & {
  readonly account: AccountRecord;
  readonly calendar: CalendarRecord;
};

async function issueTokens(ctx: AppContext, repos: Repos, accountId: string): Promise<TokenPair> {
  const accessToken = ctx.ids.newToken(32);
  const refreshToken = ctx.ids.newToken(32);
  const createdAt = ctx.clock.now();
  await repos.accounts.insertToken({
    tokenHash: ctx.secrets.hash(accessToken),
    accountId,
    kind: 'access',
    createdAt,
    revokedAt: null,
  });
  await repos.accounts.insertToken({
    tokenHash: ctx.secrets.hash(refreshToken),
    accountId,
    kind: 'refresh',
    createdAt,
    revokedAt: null,
  });
  return { accessToken, refreshToken };
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

/** `grant_type=refresh_token`: a fresh pair; the old refresh token is spent. */
export async function refreshTokens(ctx: AppContext, application: ApplicationRecord, refreshToken: string) {
  return ctx.store.transaction(async (repos) => {
    const token = await repos.accounts.tokenByHash(ctx.secrets.hash(refreshToken));
    const account = token === undefined ? undefined : await repos.accounts.byId(token.accountId);
    if (
      token === undefined ||
      token.kind !== 'refresh' ||
      token.revokedAt !== null ||
      account === undefined ||
      account.applicationId !== application.id
    ) {
      throw new DomainError('invalid_request', 'The refresh token is not valid', {
        problems: [
          { path: 'refresh_token', code: 'errors.invalid_grant', description: 'refresh_token is not valid' },
        ],
      });
    }
    await repos.accounts.revokeToken(token.tokenHash, ctx.clock.now());
    const tokens = await issueTokens(ctx, repos, account.id);
    return { ...tokens, account };
  });
}
