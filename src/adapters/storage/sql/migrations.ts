import { readdirSync, readFileSync } from 'node:fs';
import type { Clock } from '../../../ports/runtime.ts';
import type { Migration, SqlDialect, SqlExecutor } from './executor.ts';

const MIGRATIONS_ROOT = new URL('../../../../migrations/', import.meta.url);

/** The dialect's migration files (`migrations/<dialect>/NNNN_name.sql`) in name order. */
export function loadMigrations(dialect: SqlDialect): Migration[] {
  const folder = new URL(`${dialect}/`, MIGRATIONS_ROOT);
  return readdirSync(folder)
    .filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, sql: readFileSync(new URL(name, folder), 'utf8') }));
}

/** One connection that can also run a script of many statements without parameters. */
export interface MigrationExecutor extends SqlExecutor {
  exec(script: string): Promise<void>;
}

/**
 * Applies the dialect's migrations not yet recorded in `schema_migrations`, each in its own
 * transaction with its record; returns the names applied. The caller keeps other migrators out
 * (SQLite: its write queue; PostgreSQL: an advisory lock).
 */
export async function applyMigrations(db: MigrationExecutor, clock: Clock): Promise<string[]> {
  const instant = db.dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  await db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at ${instant} NOT NULL)`,
  );
  const done = new Set(
    (await db.all<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name),
  );
  const applied: string[] = [];
  for (const migration of loadMigrations(db.dialect)) {
    if (done.has(migration.name)) continue;
    await db.exec(db.dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
    try {
      await db.exec(migration.sql);
      await db.run('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)', [
        migration.name,
        clock.now(),
      ]);
      await db.exec('COMMIT');
    } catch (error) {
      await db.exec('ROLLBACK');
      throw new Error(`migration ${migration.name} failed: ${String(error)}`, { cause: error });
    }
    applied.push(migration.name);
  }
  // Fresh statistics once the schema changed, so planners see the new indexes and the tables'
  // real sizes at once rather than after the next automatic analysis. SQLite samples (a bounded
  // analysis, fast on large files); PostgreSQL's ANALYZE samples by itself.
  if (applied.length > 0) {
    await db.exec(db.dialect === 'sqlite' ? 'PRAGMA analysis_limit = 1000; ANALYZE;' : 'ANALYZE;');
  }
  return applied;
}
