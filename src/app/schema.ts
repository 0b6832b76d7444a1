/**
 * Whether this code may run against the database's schema (docs/deployment.md, "Upgrading"):
 * never against a schema a newer rtseq migrated (migrations this code does not know), and against
 * an older one only after migrating it, which happens where the caller's policy allows it.
 */
import type { Store } from '../ports/store.ts';
import { StartupRefusal } from './secrets.ts';

/** `apply`: migrate now (SQLite, `serve --migrate`, `rtseq migrate`); `refuse`: say how to. */
export type MigrationPolicy = 'apply' | 'refuse';

/** Checks the schema, applying pending migrations under `apply`; returns the names applied. */
export async function prepareSchema(store: Store, policy: MigrationPolicy): Promise<string[]> {
  const status = await store.schema();
  if (status.unknown.length > 0)
    throw new StartupRefusal(
      `The database schema is newer than this rtseq: it records migrations this version does not know ` +
        `(${status.unknown.join(', ')}). A newer rtseq upgraded it; run that version (or a later one), ` +
        'or restore the backup taken before the upgrade (docs/deployment.md, "Upgrading").',
    );
  if (status.pending.length === 0) return [];
  if (policy === 'apply') return store.migrate();
  throw new StartupRefusal(
    status.empty
      ? 'The database has no rtseq schema yet: run `rtseq migrate` first (or start with `rtseq serve --migrate`).'
      : `The database needs migrations this rtseq brings (${status.pending.join(', ')}): back it up, then ` +
          'run `rtseq migrate` (or start with `rtseq serve --migrate`). See docs/deployment.md, "Upgrading".',
  );
}
