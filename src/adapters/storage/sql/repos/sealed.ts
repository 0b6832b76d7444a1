/** The sealed columns (ports/sealed.ts), read in id order and replaced one compare-and-set at a time. */
import type { SealedKind, SealedValuesRepo, SettingsRepo } from '../../../../ports/sealed.ts';
import type { SqlExecutor } from '../executor.ts';

/** Where each kind lives; the names are constants, never client input. */
const COLUMNS: Readonly<Record<SealedKind, { readonly table: string; readonly column: string }>> = {
  client_secret: { table: 'client_secrets', column: 'secret_sealed' },
  link_token: { table: 'links', column: 'token_sealed' },
  calendar_source: { table: 'calendars', column: 'source_sealed' },
  // Connected accounts (SPEC 8b): a provider's credentials, and the token that relinks a profile.
  profile_credentials: { table: 'profiles', column: 'credentials_sealed' },
  profile_relink: { table: 'profiles', column: 'relink_sealed' },
};

export function sealedValuesRepo(db: SqlExecutor): SealedValuesRepo {
  return {
    page(kind, afterId, limit) {
      const { table, column } = COLUMNS[kind];
      return db.all<{ id: string; sealed: string }>(
        `SELECT id, ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL AND id > ? ORDER BY id LIMIT ?`,
        [afterId ?? '', limit],
      );
    },
    async replace(kind, id, before, after) {
      const { table, column } = COLUMNS[kind];
      return (
        (await db.run(`UPDATE ${table} SET ${column} = ? WHERE id = ? AND ${column} = ?`, [
          after,
          id,
          before,
        ])) > 0
      );
    },
    async anyKeyed() {
      for (const { table, column } of Object.values(COLUMNS)) {
        const [row] = await db.all<{ sealed: string }>(
          `SELECT ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL AND ${column} NOT LIKE 'plain:%' LIMIT 1`,
        );
        if (row !== undefined) return row.sealed;
      }
      return undefined;
    },
  };
}

export function settingsRepo(db: SqlExecutor): SettingsRepo {
  return {
    async get(name) {
      const [row] = await db.all<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name]);
      return row?.value;
    },
    async put(name, value, options = {}) {
      const onConflict =
        options.onlyIfAbsent === true
          ? 'DO NOTHING'
          : 'DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at';
      await db.run(
        `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) ${onConflict}`,
        [name, value, Date.now()],
      );
    },
  };
}
