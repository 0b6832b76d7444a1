/** An AppContext on a real SQLite file with a settable clock, for use-case level tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomIds, secretBox } from '../../src/adapters/crypto.ts';
import { SqliteStore } from '../../src/adapters/storage/sqlite/sqlite-store.ts';
import { BusyCache } from '../../src/app/busy-cache.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/config.ts';

export type SettableClock = { now(): number; set(ms: number): void; advance(ms: number): void };

export function settableClock(start: number): SettableClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export type TestContext = { ctx: AppContext; clock: SettableClock; dbPath: string; dispose(): Promise<void> };

export async function makeTestContext(
  options: { start?: number; env?: Record<string, string>; dbPath?: string } = {},
): Promise<TestContext> {
  const dir = options.dbPath === undefined ? mkdtempSync(join(tmpdir(), 'rtseq-test-')) : undefined;
  const dbPath = options.dbPath ?? join(dir!, 'rtseq.db');
  const store = new SqliteStore(dbPath);
  await store.migrate();
  const clock = settableClock(options.start ?? Date.UTC(2026, 0, 5, 8, 0, 0));
  const config = loadConfig({
    PUBLIC_URL: 'http://127.0.0.1:9',
    ALLOW_PRIVATE_CALLBACKS: 'true',
    ...options.env,
  });
  const ctx: AppContext = {
    config,
    store,
    clock,
    ids: randomIds,
    secrets: secretBox(config.secretKey),
    external: null,
    busyCache: new BusyCache(),
  };
  return {
    ctx,
    clock,
    dbPath,
    async dispose() {
      await store.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
