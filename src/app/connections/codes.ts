/**
 * `POST /oauth/token` `grant_type=authorization_code` (SPEC 8b): a code works once, for 10 minutes,
 * for the application and redirect URI it was issued to. A second use is `invalid_grant` and
 * revokes the tokens the first use issued (RFC 6749 4.1.2: the code may have leaked).
 */
import type { ProfileRecord } from '../../ports/connections.ts';
import type { AccountRecord, ApplicationRecord } from '../../ports/store.ts';
import { InvalidGrantError, issueTokens, type TokenPair } from '../accounts/accounts.ts';
import type { AppContext } from '../context.ts';

export type CodeExchange = TokenPair & {
  readonly account: AccountRecord;
  readonly profile: ProfileRecord;
};

export async function exchangeCode(
  ctx: AppContext,
  application: ApplicationRecord,
  code: string,
  redirectUri: string | undefined,
): Promise<CodeExchange> {
  const hash = ctx.secrets.hash(code);
  const outcome = await ctx.store.transaction(async (repos) => {
    const record = await repos.connections.code(hash);
    if (record === undefined || record.applicationId !== application.id) return 'invalid' as const;
    const now = ctx.clock.now();
    if (record.usedAt !== null) {
      if (record.grantId !== null) await repos.accounts.revokeGrant(record.grantId, now);
      return 'replayed' as const;
    }
    if (now >= record.expiresAt || redirectUri !== record.redirectUri) return 'invalid' as const;
    const grantId = ctx.ids.newId('grt');
    // One conditional write: of two concurrent exchanges exactly one spends the code.
    if (!(await repos.connections.spendCode(hash, now, grantId))) return 'invalid' as const;
    const account = await repos.accounts.byId(record.accountId);
    const profile = await repos.connections.profile(record.profileId);
    if (account === undefined || profile === undefined) return 'invalid' as const;
    const tokens = await issueTokens(ctx, repos, account.id, grantId);
    return { ...tokens, account, profile };
  });
  if (outcome === 'replayed') {
    // The replay's own revocation is committed; a concurrent first use that committed later is
    // caught by the same check on its next replay. Answer the same as for an unknown code.
    throw new InvalidGrantError();
  }
  if (outcome === 'invalid') throw new InvalidGrantError();
  return outcome;
}
