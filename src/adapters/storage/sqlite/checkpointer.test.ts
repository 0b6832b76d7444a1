import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from './sqlite-store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('with background checkpoints, commits leave the log to a worker that folds it into the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-checkpoint-'));
  const path = join(dir, 'rtseq.db');
  const store = new SqliteStore(path, { backgroundCheckpoints: true });
  try {
    await store.migrate();
    // Wait until the migrations' pages are in the file, then note its size.
    let size = statSync(path).size;
    for (let i = 0; i < 50 && statSync(`${path}-wal`).size > 0 && size === statSync(path).size; i++)
      await sleep(100);
    size = statSync(path).size;
    // About 2 MB in commits: far below the writer's own checkpoint at 10,000 pages (40 MB), so only
    // the worker can move these pages into the database file.
    const now = Date.UTC(2026, 0, 1);
    for (let batch = 0; batch < 20; batch++) {
      await store.transaction(async (repos) => {
        for (let i = 0; i < 50; i++) {
          await repos.applications.insert({
            id: `app_${batch}_${i}`,
            clientId: `client_${batch}_${i}`,
            name: 'x'.repeat(2000),
            createdAt: now,
            displayName: null,
            logoUrl: null,
            accentColour: null,
          });
        }
      });
    }
    let grown = false;
    for (let i = 0; i < 100 && !grown; i++) {
      grown = statSync(path).size > size + 1_000_000;
      if (!grown) await sleep(100);
    }
    assert.ok(grown, `the database file grew from ${size} to ${statSync(path).size} bytes`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
