/**
 * Issue 21, item 8: while the database is away, pages and API answer 503 with Retry-After, never
 * 500. PostgreSQL: a store whose server refuses connections (nothing listens on its port), the
 * error pg itself gives. SQLite: the database locked by another connection for longer than the
 * busy timeout (SQLITE_BUSY from node:sqlite).
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { PostgresStore } from '../../src/adapters/storage/postgres/postgres-store.ts';
import type { AppContext } from '../../src/app/context.ts';
import { buildServer } from '../../src/server.ts';
import { makeTestContext } from '../support/context.ts';
import { createTestLink, seedScenario, twoStepLinkBody } from '../support/scenario.ts';

test('PostgreSQL refusing connections: 503 with Retry-After on the API and on pages', async () => {
  const t = await makeTestContext();
  const s = await seedScenario(t.ctx);
  const link = await createTestLink(t.ctx, s, twoStepLinkBody(s));
  const away = new PostgresStore('postgres://rtseq@127.0.0.1:1/rtseq', { poolMax: 1 });
  const ctx: AppContext = { ...t.ctx, store: away };
  const app = buildServer({ ctx, logger: false, version: 'test' });
  try {
    const api = await app.inject({
      method: 'GET',
      url: '/v1/calendars',
      headers: { authorization: `Bearer ${s.recruiter.accessToken}` },
    });
    assert.equal(api.statusCode, 503, api.body);
    assert.equal(api.headers['retry-after'], '2');
    assert.equal(JSON.parse(api.body).errors.server[0].key, 'errors.unavailable');
    const page = await app.inject({ method: 'GET', url: `/book/${link.token}` });
    assert.equal(page.statusCode, 503);
    assert.equal(page.headers['retry-after'], '2');
    assert.match(page.body, /Busy right now/);
  } finally {
    await app.close();
    await away.close();
    await t.dispose();
  }
});

test('SQLite locked past its busy timeout: a write answers 503, not 500', async (t) => {
  const context = await makeTestContext();
  if (context.ctx.store.kind !== 'sqlite') {
    await context.dispose();
    t.skip('an SQLite store');
    return;
  }
  const s = await seedScenario(context.ctx);
  const app = buildServer({ ctx: context.ctx, logger: false, version: 'test' });
  const other = new DatabaseSync(context.databaseEnv.SQLITE_PATH!);
  try {
    other.exec('BEGIN IMMEDIATE'); // another process holding the write lock
    const write = await app.inject({
      method: 'POST',
      url: `/v1/calendars/${s.recruiter.calendarId}/events`,
      headers: { authorization: `Bearer ${s.recruiter.accessToken}` },
      payload: {
        event_id: 'locked',
        summary: 'Locked',
        start: '2026-01-07T09:00:00Z',
        end: '2026-01-07T10:00:00Z',
      },
    });
    assert.equal(write.statusCode, 503, write.body);
    assert.equal(write.headers['retry-after'], '2');
    other.exec('ROLLBACK');
  } finally {
    other.close();
    await app.close();
    await context.dispose();
  }
});
