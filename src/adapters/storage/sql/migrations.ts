import { readdirSync, readFileSync } from 'node:fs';
import type { Migration, SqlDialect } from './executor.ts';

const MIGRATIONS_ROOT = new URL('../../../../migrations/', import.meta.url);

/** The dialect's migration files (`migrations/<dialect>/NNNN_name.sql`) in name order. */
export function loadMigrations(dialect: SqlDialect): Migration[] {
  const folder = new URL(`${dialect}/`, MIGRATIONS_ROOT);
  return readdirSync(folder)
    .filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, sql: readFileSync(new URL(name, folder), 'utf8') }));
}
