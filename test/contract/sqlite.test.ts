/** The storage contract on SQLite: a fresh database file per test in a temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from '../../src/adapters/storage/sqlite/sqlite-store.ts';
import { runStorageContract } from './storage-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'rtseq-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

runStorageContract('sqlite', async () => {
  count += 1;
  const store = new SqliteStore(join(dir, `store-${count}.db`));
  return { store, cleanup: () => store.close() };
});
