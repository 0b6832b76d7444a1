/** Accounts and their access and refresh tokens. */
import type { AccessTokenRecord, AccountRecord, AccountRepo } from '../../../../ports/store.ts';
import type { SqlExecutor } from '../executor.ts';
import { int, intOrNull, oneOf, rowsOf, table, text, textOrNull } from './table.ts';

const ACCOUNTS = table<AccountRecord>('accounts', {
  id: text,
  applicationId: text,
  applicationCalendarId: textOrNull,
  profileId: text,
  name: text,
  createdAt: int,
});

const TOKENS = table<AccessTokenRecord>('access_tokens', {
  tokenHash: text,
  accountId: text,
  kind: oneOf('access|refresh'),
  createdAt: int,
  revokedAt: intOrNull,
  grantId: textOrNull,
  expiresAt: intOrNull,
});

export function accountsRepo(db: SqlExecutor): AccountRepo {
  const { insert, one, many, manyIn } = rowsOf(db, ACCOUNTS);
  const tokens = rowsOf(db, TOKENS);
  return {
    insert,
    byId: (id) => one('SELECT * FROM accounts WHERE id = ?', [id]),
    byApplicationCalendarId: (applicationId, applicationCalendarId) =>
      one('SELECT * FROM accounts WHERE application_id = ? AND application_calendar_id = ?', [
        applicationId,
        applicationCalendarId,
      ]),
    // By primary key alone, the application checked here: with the application in the WHERE
    // clause, planners without fresh statistics chose the application's index for 4 or more ids
    // and read every account of the application (issue 28).
    byIds: async (applicationId, ids) =>
      (await manyIn(ids, (list) => `SELECT * FROM accounts WHERE id IN (${list})`)).filter(
        (account) => account.applicationId === applicationId,
      ),
    listByApplication: (applicationId) =>
      many('SELECT * FROM accounts WHERE application_id = ? ORDER BY created_at, id', [applicationId]),
    insertToken: tokens.insert,
    tokenByHash: (hash) => tokens.one('SELECT * FROM access_tokens WHERE token_hash = ?', [hash]),
    async revokeToken(hash, at) {
      await db.run('UPDATE access_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL', [
        at,
        hash,
      ]);
    },
    async spendRefreshToken(hash, at) {
      const sql =
        "UPDATE access_tokens SET revoked_at = ? WHERE token_hash = ? AND kind = 'refresh' AND revoked_at IS NULL";
      return (await db.run(sql, [at, hash])) === 1;
    },
    revokeGrant: (grantId, at) =>
      db.run('UPDATE access_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL', [
        at,
        grantId,
      ]),
    revokeAccountTokens: (accountId, at) =>
      db.run('UPDATE access_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL', [
        at,
        accountId,
      ]),
  };
}
