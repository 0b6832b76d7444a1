/** Redirect URIs, connected profiles, authorization codes and link tokens (SPEC 8b, migration 0009). */
import type {
  AuthorizationCodeRecord,
  ConnectionRepo,
  LinkTokenRecord,
  ProfileRecord,
} from '../../../../ports/connections.ts';
import type { SqlExecutor } from '../executor.ts';
import { int, intOrNull, oneOf, rowsOf, table, text, textOrNull } from './table.ts';

const PROFILES = table<ProfileRecord>('profiles', {
  id: text,
  accountId: text,
  providerName: oneOf('caldav|ics|google|office365'),
  profileName: text,
  credentialsSealed: textOrNull,
  redirectUri: textOrNull,
  relinkSealed: textOrNull,
  createdAt: int,
  disconnectedAt: intOrNull,
});

const CODES = table<AuthorizationCodeRecord>('authorization_codes', {
  codeHash: text,
  applicationId: text,
  redirectUri: text,
  accountId: text,
  profileId: text,
  createdAt: int,
  expiresAt: int,
  usedAt: intOrNull,
  grantId: textOrNull,
});

const LINK_TOKENS = table<LinkTokenRecord>('link_tokens', {
  tokenHash: text,
  applicationId: text,
  accountId: text,
  profileId: textOrNull,
  createdAt: int,
  expiresAt: intOrNull,
});

export function connectionsRepo(db: SqlExecutor): ConnectionRepo {
  const profiles = rowsOf(db, PROFILES);
  const codes = rowsOf(db, CODES);
  const linkTokens = rowsOf(db, LINK_TOKENS);
  return {
    async redirectUris(applicationId) {
      const rows = await db.all<{ uri: string }>(
        'SELECT uri FROM redirect_uris WHERE application_id = ? ORDER BY position',
        [applicationId],
      );
      return rows.map((row) => String(row.uri));
    },
    async setRedirectUris(applicationId, uris) {
      await db.run('DELETE FROM redirect_uris WHERE application_id = ?', [applicationId]);
      for (const [position, uri] of uris.entries()) {
        await db.run('INSERT INTO redirect_uris (application_id, position, uri) VALUES (?, ?, ?)', [
          applicationId,
          position,
          uri,
        ]);
      }
    },
    insertProfile: profiles.insert,
    profile: (id) => profiles.one('SELECT * FROM profiles WHERE id = ?', [id]),
    profilesOf: (accountId) =>
      profiles.many('SELECT * FROM profiles WHERE account_id = ? ORDER BY created_at, id', [accountId]),
    async disconnectProfile(id, at, relinkSealed) {
      const changed = await db.run(
        `UPDATE profiles SET disconnected_at = ?, credentials_sealed = NULL, relink_sealed = ?
         WHERE id = ? AND disconnected_at IS NULL`,
        [at, relinkSealed, id],
      );
      return changed === 1;
    },
    async reconnectProfile(id, credentialsSealed, profileName) {
      await db.run(
        `UPDATE profiles SET disconnected_at = NULL, relink_sealed = NULL, credentials_sealed = ?,
         profile_name = ? WHERE id = ?`,
        [credentialsSealed, profileName, id],
      );
    },
    async replaceCredentials(id, credentialsSealed) {
      const changed = await db.run(
        'UPDATE profiles SET credentials_sealed = ? WHERE id = ? AND disconnected_at IS NULL',
        [credentialsSealed, id],
      );
      return changed === 1;
    },
    async forgetProfileCalendars(profileId, at) {
      const rows = await db.all<{ id: string }>(
        'SELECT id FROM calendars WHERE profile_id = ? AND deleted = 0',
        [profileId],
      );
      const ids = rows.map((row) => String(row.id));
      for (const id of ids) {
        await db.run('DELETE FROM calendar_source_status WHERE calendar_id = ?', [id]);
        await db.run('UPDATE events SET deleted = 1, updated_at = ? WHERE calendar_id = ? AND deleted = 0', [
          at,
          id,
        ]);
      }
      await db.run(
        'UPDATE calendars SET deleted = 1, source_sealed = NULL WHERE profile_id = ? AND deleted = 0',
        [profileId],
      );
      return ids;
    },
    insertCode: codes.insert,
    code: (hash) => codes.one('SELECT * FROM authorization_codes WHERE code_hash = ?', [hash]),
    async spendCode(hash, at, grantId) {
      const changed = await db.run(
        'UPDATE authorization_codes SET used_at = ?, grant_id = ? WHERE code_hash = ? AND used_at IS NULL',
        [at, grantId, hash],
      );
      return changed === 1;
    },
    insertLinkToken: linkTokens.insert,
    linkToken: (hash) => linkTokens.one('SELECT * FROM link_tokens WHERE token_hash = ?', [hash]),
    async deleteLinkToken(hash) {
      await db.run('DELETE FROM link_tokens WHERE token_hash = ?', [hash]);
    },
  };
}
