/**
 * How every CLI command reaches the database: the server's own wiring, on a checked store, closed
 * after. Each command says which database it acts on (on stderr, so stdout stays the output). The
 * schema is checked as `serve` checks it: a newer one is refused; pending migrations are applied
 * only by a command that writes to SQLite (as `serve` would), otherwise the command says to run
 * `rtseq migrate`. A read command never creates a SQLite file that is not there. SECRET_KEY is
 * checked as `serve` checks it, and its absence on SQLite said as `serve` says it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppContext } from '../app/context.ts';
import { prepareSchema } from '../app/schema.ts';
import { checkSecretKey, type KeyCheck, keylessWarning, StartupRefusal } from '../app/secrets.ts';
import type { Config } from '../config/config.ts';
import type { Store } from '../ports/store.ts';
import { openStore, secretsOf, type WireOptions, wire } from '../wiring/wire.ts';

export type Access = 'read' | 'write';

/** The database as an operator recognises it: the SQLite file's full path, or the URL without its password. */
export function describeDatabase(config: Config): string {
  if (config.databaseUrl === null) return `SQLite ${resolve(config.sqlitePath)}`;
  const url = new URL(config.databaseUrl);
  if (url.password !== '') url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}

/** A command's word of the key check: on SQLite without SECRET_KEY, serve's warning, once, on stderr. */
export function sayKeyCheck(check: KeyCheck): void {
  const warning = keylessWarning(check);
  if (warning !== undefined) process.stderr.write(`rtseq: warning: ${warning}\n`);
}

/** Opens the configured database for a command, checked (schema, SECRET_KEY) as described above. */
export async function openForCommand(config: Config, access: Access, migrate = false): Promise<Store> {
  process.stderr.write(`rtseq: database: ${describeDatabase(config)}\n`);
  if (
    config.databaseUrl === null &&
    access === 'read' &&
    config.sqlitePath !== ':memory:' &&
    !existsSync(config.sqlitePath)
  ) {
    throw new StartupRefusal(
      `There is no database at ${resolve(config.sqlitePath)}, and a read command does not create one. ` +
        'Set SQLITE_PATH (or DATABASE_URL) to the database the server uses, or run the command where it runs.',
    );
  }
  const store = await openStore(config);
  try {
    await prepareSchema(
      store,
      migrate || (access === 'write' && store.kind === 'sqlite') ? 'apply' : 'refuse',
    );
    sayKeyCheck(await checkSecretKey(store, secretsOf(config), { requireKey: store.kind === 'postgres' }));
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

export async function withContext<T>(
  config: Config,
  work: (ctx: AppContext) => Promise<T>,
  options: WireOptions & { readonly access?: Access } = {},
): Promise<T> {
  const store = await openForCommand(config, options.access ?? 'write');
  let wired: ReturnType<typeof wire> | undefined;
  try {
    wired = wire(config, store, options);
    return await work(wired.ctx);
  } finally {
    await wired?.expansion.close();
    await store.close();
  }
}
