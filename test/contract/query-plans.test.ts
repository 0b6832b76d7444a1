/**
 * The hot queries stay index scans as the tables grow (issue 28). Fills a fresh PostgreSQL
 * database with enough rows that a sequential scan is what a planner would pick only if no index
 * serves the query, refreshes the statistics, then calls the real repositories through an
 * executor that EXPLAINs each statement instead of running it, and fails on a sequential scan of
 * any large table. Skips with a reason when PostgreSQL is unreachable; fails instead when CI=true.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PostgresStore, toPostgresPlaceholders } from '../../src/adapters/storage/postgres/postgres-store.ts';
import type { SqlExecutor, SqlValue } from '../../src/adapters/storage/sql/executor.ts';
import { sqlRepos } from '../../src/adapters/storage/sql/repos/index.ts';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../support/postgres.ts';

const APPLICATIONS = 20;
const ACCOUNTS = 4_000;
const ROWS = 60_000;
const LARGE_TABLES = ['accounts', 'calendars', 'events', 'links', 'reservations', 'outbox', 'access_tokens'];

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] };

/** Every statement it is given is EXPLAINed, not run; reads answer no rows. */
class ExplainingExecutor implements SqlExecutor {
  readonly dialect = 'postgres' as const;
  readonly plans: { sql: string; scans: string[] }[] = [];
  readonly #client: pg.Client;
  constructor(client: pg.Client) {
    this.#client = client;
  }
  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    await this.#explain(sql, params);
    return [];
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    await this.#explain(sql, params);
    return 0;
  }
  async #explain(sql: string, params: readonly SqlValue[]): Promise<void> {
    // Savepoints and advisory locks read no table.
    if (!/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql) || /^\s*SELECT\s+pg_advisory/i.test(sql))
      return;
    const { rows } = await this.#client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `EXPLAIN (FORMAT JSON) ${toPostgresPlaceholders(sql)}`,
      [...params],
    );
    const scans: string[] = [];
    const walk = (node: PlanNode): void => {
      if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] !== undefined) {
        scans.push(node['Relation Name']);
      }
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(rows[0]!['QUERY PLAN'][0]!.Plan);
    this.plans.push({ sql: sql.replace(/\s+/g, ' ').trim(), scans });
  }
}

let database: TestDatabase | null = null;
let client: pg.Client;

before(async () => {
  database = await createTestDatabase();
  if (database === null) return;
  const store = new PostgresStore(database.url, { poolMax: 1 });
  await store.migrate();
  await store.close();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await fill(client);
});

after(async () => {
  if (database === null) return;
  await client.end();
  await database.drop();
});

/** Many applications, accounts, calendars, events, links, past bookings, holds and deliveries. */
async function fill(db: pg.Client): Promise<void> {
  await db.query(`INSERT INTO applications (id, client_id, name, created_at)
    SELECT 'app_' || i, 'cid_' || i, 'App ' || i, i FROM generate_series(1, ${APPLICATIONS}) i`);
  await db.query(`INSERT INTO accounts (id, application_id, application_calendar_id, profile_id, name, created_at)
    SELECT 'acc_' || i, 'app_' || (i % ${APPLICATIONS} + 1), 'key_' || i, 'pro_' || i, 'A ' || i, i
    FROM generate_series(1, ${ACCOUNTS}) i`);
  await db.query(`INSERT INTO calendars (id, account_id, name, kind, read_only, is_primary, deleted, tzid, created_at)
    SELECT 'cal_' || i, 'acc_' || i, 'C', CASE WHEN i % 10 = 0 THEN 'caldav' ELSE 'native' END, 0, 1, 0, 'UTC', i
    FROM generate_series(1, ${ACCOUNTS}) i`);
  await db.query(`INSERT INTO access_tokens (token_hash, account_id, kind, created_at, grant_id)
    SELECT 'hash_' || i, 'acc_' || (i % ${ACCOUNTS} + 1), 'access', i, 'grant_' || (i % ${ACCOUNTS})
    FROM generate_series(1, ${ROWS}) i`);
  await db.query(`INSERT INTO events (calendar_id, event_id, event_uid, summary, start_ms, end_ms, all_day,
      transparency, status, deleted, data, created_at, updated_at)
    SELECT 'cal_' || (i % ${ACCOUNTS} + 1), 'e' || i, 'u' || i, 'S', i * 3600000::bigint, i * 3600000::bigint + 1800000,
      0, 'opaque', 'confirmed', 0, '{}', i, i
    FROM generate_series(1, ${ROWS}) i`);
  await db.query(`INSERT INTO links (id, application_id, kind, token_hash, token_sealed, status, request, created_at, expires_at)
    SELECT 'seq_' || i, 'app_' || (i % ${APPLICATIONS} + 1), 'sequencing', 'th_' || i, 's', 'completed', '{}', i, i
    FROM generate_series(1, ${ROWS}) i`);
  // Past bookings (one hour each, disjoint per account) and a few live holds.
  await db.query(`INSERT INTO reservations (id, link_id, account_id, start_ms, end_ms, kind, expires_at, holder_key)
    SELECT 'res_' || i, 'seq_' || i, 'acc_' || (i % ${ACCOUNTS} + 1), i * 3600000::bigint, i * 3600000::bigint + 3600000,
      CASE WHEN i % 100 = 0 THEN 'hold' ELSE 'booking' END,
      CASE WHEN i % 100 = 0 THEN i::bigint ELSE NULL END,
      CASE WHEN i % 100 = 0 THEN 'holder_' || i ELSE NULL END
    FROM generate_series(1, ${ROWS}) i`);
  await db.query(`INSERT INTO outbox (id, delivery_id, application_id, kind, target, payload, status, attempts,
      next_attempt_at, created_at)
    SELECT 'out_' || i, 'dlv_' || i, 'app_' || (i % ${APPLICATIONS} + 1), 'callback', 'https://example.com/', '{}',
      CASE WHEN i % 500 = 0 THEN 'pending' ELSE 'delivered' END, 1, i, i
    FROM generate_series(1, ${ROWS}) i`);
  await db.query('ANALYZE');
}

test('the hot queries read large tables through indexes, never by a sequential scan', async (t) => {
  if (database === null) {
    t.skip(postgresSkipReason());
    return;
  }
  const explaining = new ExplainingExecutor(client);
  const repos = sqlRepos(explaining);
  const ids = Array.from({ length: 10 }, (_, i) => `acc_${i * 37 + 1}`);
  const window = { start: 1_000 * 3_600_000, end: 1_168 * 3_600_000 };

  // Availability and page views: the members' accounts, calendars, busy events and reservations.
  await repos.accounts.byIds('app_2', ids);
  await repos.calendars.byAccounts(ids);
  await repos.events.busyIn(
    ids.map((id) => id.replace('acc_', 'cal_')),
    window,
  );
  await repos.reservations.liveIn(ids, window, 500);
  // An events write (its calendar version and the watching channels' pending change, SPEC 8d), the
  // read that follows change notifications, and the worker turning due changes into notifications.
  await repos.events.upsert({
    calendarId: 'cal_5',
    eventId: 'e5',
    eventUid: 'u5',
    summary: 'S',
    startMs: 0,
    endMs: 1,
    allDay: false,
    transparency: 'opaque',
    status: 'confirmed',
    deleted: false,
    data: {},
    createdAt: 5,
    updatedAt: 6,
  });
  await repos.events.page(['cal_5', 'cal_6'], null, {
    includeDeleted: true,
    offset: 0,
    limit: 50,
    modifiedSince: 59_000,
  });
  await repos.channels.takeDue(1_000, 0, 10);
  // A booking: the holds it replaces and the participants' expired holds, then its own rows.
  await repos.reservations.insertAll(
    [
      {
        id: 'res_new',
        linkId: 'seq_1',
        accountId: 'acc_1',
        startMs: 0,
        endMs: 1,
        kind: 'hold',
        expiresAt: 9,
        holderKey: 'holder_100',
      },
    ],
    500,
    'holder_100',
  );
  await repos.reservations.byLink('seq_5');
  await repos.links.byTokenHash('th_77');
  // Listings an application pages through, and the outbox worker and its gauge.
  await repos.outbox.list({ applicationId: 'app_3', limit: 50 });
  await repos.outbox.claimDue('worker', 1_000, 2_000, 10);
  await repos.outbox.backlog();
  await repos.calendars.externalOf('app_4', { limit: 50 });
  await repos.accounts.tokenByHash('hash_5');

  assert.ok(explaining.plans.length >= 12, `explained ${explaining.plans.length} statements`);
  const scanning = explaining.plans.filter((plan) => plan.scans.some((name) => LARGE_TABLES.includes(name)));
  assert.deepEqual(
    scanning.map((plan) => `${plan.scans.join(', ')}: ${plan.sql}`),
    [],
    'statements that read a large table from end to end',
  );
});
