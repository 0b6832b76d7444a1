/** Applications and their client secrets. */
import type { ApplicationRecord, ApplicationRepo, ClientSecretRecord } from '../../../../ports/store.ts';
import type { SqlExecutor } from '../executor.ts';
import { int, intOrNull, rowsOf, table, text, textOrNull } from './table.ts';

const APPLICATIONS = table<ApplicationRecord>('applications', {
  id: text,
  clientId: text,
  name: text,
  createdAt: int,
  displayName: textOrNull,
  logoUrl: textOrNull,
  accentColour: textOrNull,
});

const SECRETS = table<ClientSecretRecord>('client_secrets', {
  id: text,
  applicationId: text,
  secretHash: text,
  secretSealed: text,
  createdAt: int,
  revokedAt: intOrNull,
});

export function applicationsRepo(db: SqlExecutor): ApplicationRepo {
  const apps = rowsOf(db, APPLICATIONS);
  const secrets = rowsOf(db, SECRETS);
  return {
    insert: apps.insert,
    byId: (id) => apps.one('SELECT * FROM applications WHERE id = ?', [id]),
    byClientId: (clientId) => apps.one('SELECT * FROM applications WHERE client_id = ?', [clientId]),
    list: () => apps.many('SELECT * FROM applications ORDER BY created_at, id', []),
    async updateDisplay(id, display) {
      const changed = await db.run(
        'UPDATE applications SET display_name = ?, logo_url = ?, accent_colour = ? WHERE id = ?',
        [display.displayName, display.logoUrl, display.accentColour, id],
      );
      return changed > 0;
    },
    insertSecret: secrets.insert,
    secretsByHash: (hash) =>
      secrets.many('SELECT * FROM client_secrets WHERE secret_hash = ? AND revoked_at IS NULL', [hash]),
    activeSecrets: (applicationId) =>
      secrets.many(
        'SELECT * FROM client_secrets WHERE application_id = ? AND revoked_at IS NULL ORDER BY created_at, id',
        [applicationId],
      ),
    async revokeSecret(applicationId, secretId, at) {
      const changed = await db.run(
        'UPDATE client_secrets SET revoked_at = ? WHERE application_id = ? AND id = ? AND revoked_at IS NULL',
        [at, applicationId, secretId],
      );
      return changed > 0;
    },
  };
}
