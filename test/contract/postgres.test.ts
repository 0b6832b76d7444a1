/**
 * The storage contract on PostgreSQL (a fresh database per run, dropped afterwards), plus what only
 * a shared server can show: guarantees that hold across two pools, i.e. across processes.
 * Skips with a reason when PostgreSQL is unreachable; fails instead when CI=true.
 */
import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PostgresStore, toPostgresPlaceholders } from '../../src/adapters/storage/postgres/postgres-store.ts';
import { loadMigrations } from '../../src/adapters/storage/sql/migrations.ts';
import { ReservationConflictError, type Store } from '../../src/ports/store.ts';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../support/postgres.ts';
import { raceForOneDay } from './load-limits-contract.ts';
import {
  aPeriod,
  aReservation,
  assertDisjointCover,
  drainConcurrently,
  HOUR,
  raceForOneSlot,
  runStorageContract,
  seed,
  T0,
} from './storage-contract.ts';

const POOL_MAX = 10;

/**
 * One database for the whole contract run, migrated once and dropped at the end; before each test
 * every table but schema_migrations is truncated, so each test still starts from an empty store
 * (creating a database per test costs ~0.4 s here, a TRUNCATE ~20 ms).
 */
let shared: TestDatabase | null | undefined;
after(() => shared?.drop());

async function emptied(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables
        WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
    );
    await client.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')}`);
  } finally {
    await client.end();
  }
}

runStorageContract(
  'postgres',
  async () => {
    if (shared === undefined) {
      shared = await createTestDatabase();
      if (shared !== null) {
        const migrator = new PostgresStore(shared.url, { poolMax: 1 });
        await migrator.migrate();
        await migrator.close();
      }
    }
    if (shared === null) return null;
    await emptied(shared.url);
    const store = new PostgresStore(shared.url, { poolMax: POOL_MAX });
    return { store, cleanup: () => store.close() };
  },
  { skipReason: postgresSkipReason(), parallelTransactions: POOL_MAX },
);

/** A fresh database with `count` stores (separate pools) on it, all closed and dropped after the test. */
async function stores(
  t: TestContext,
  count: number,
): Promise<{ url: string; stores: PostgresStore[] } | null> {
  const db = await createTestDatabase();
  if (db === null) {
    t.skip(postgresSkipReason());
    return null;
  }
  const opened = Array.from({ length: count }, () => new PostgresStore(db.url, { poolMax: POOL_MAX }));
  t.after(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await db.drop();
  });
  return { url: db.url, stores: opened };
}

async function migratedAndSeeded(
  t: TestContext,
  count: number,
): Promise<{ url: string; stores: Store[] } | null> {
  const made = await stores(t, count);
  if (made === null) return null;
  await made.stores[0]!.migrate();
  await seed(made.stores[0]!);
  return made;
}

describe('postgres: across processes (two pools on one database)', () => {
  test('two stores migrating at once: one applies, the other waits and finds nothing to do', async (t) => {
    const made = await stores(t, 2);
    if (made === null) return;
    const [a, b] = await Promise.all(made.stores.map((s) => s.migrate()));
    assert.deepEqual(
      [...a!, ...b!].sort(),
      loadMigrations('postgres').map((m) => m.name),
    );
  });

  test('50 transactions over two stores reserving overlapping times: exactly one wins', async (t) => {
    const made = await migratedAndSeeded(t, 2);
    if (made === null) return;
    for (let round = 0; round < 3; round += 1) {
      if (round > 0) {
        const client = new pg.Client({ connectionString: made.url });
        await client.connect();
        await client.query('DELETE FROM reservations');
        await client.end();
      }
      const { ok, errors } = await raceForOneSlot(made.stores, 50, 2 * POOL_MAX);
      assert.equal(ok, 1, `round ${round}`);
      for (const error of errors) assert.ok(error instanceof ReservationConflictError, String(error));
    }
  });

  test('50 transactions over two stores for one member with limit 1 per day: exactly one wins', async (t) => {
    const made = await migratedAndSeeded(t, 2);
    if (made === null) return;
    const limit = {
      accountId: 'acc_1',
      constraint: { limit: 1, period: 'day', tzid: 'Europe/London', tags: null },
      calendarIds: ['cal_1'],
    } as const;
    const { ok, errors } = await raceForOneDay(made.stores, 50, 2 * POOL_MAX, limit);
    assert.equal(ok, 1);
    for (const error of errors) assert.ok(error instanceof ReservationConflictError, String(error));
  });

  test('transactions reserving two participants in opposite orders: one wins, no deadlock escapes', async (t) => {
    const made = await migratedAndSeeded(t, 2);
    if (made === null) return;
    const [a, b] = made.stores as [Store, Store];
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).transaction(async (r) => {
          const rows = [
            aReservation({ id: `x${i}`, accountId: 'acc_1' }),
            aReservation({ id: `y${i}`, accountId: 'acc_2' }),
          ];
          await r.reservations.insertAll(i % 2 === 0 ? rows : rows.reverse(), T0, null);
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) {
      if (r.status === 'rejected') assert.ok(r.reason instanceof ReservationConflictError, String(r.reason));
    }
  });

  test('a deadlocked transaction is rolled back and run again, so both writers succeed', async (t) => {
    const made = await migratedAndSeeded(t, 2);
    if (made === null) return;
    let runs = 0;
    let arrived = 0;
    let open = (): void => undefined;
    const bothWrote = new Promise<void>((resolve) => {
      open = resolve;
    });
    // Guards the test from hanging should a write ever block before the barrier.
    const guard = setTimeout(open, 5_000);
    t.after(() => clearTimeout(guard));
    // Each upserts one period, waits until the other has too, then upserts the other's key: a lock
    // cycle PostgreSQL breaks after deadlock_timeout (1 s) by aborting one with 40P01.
    const writer = (store: Store, first: string, second: string): Promise<void> =>
      store.transaction(async (r) => {
        runs += 1;
        await r.periods.upsert(aPeriod({ periodId: first, startMs: T0, endMs: T0 + HOUR }));
        arrived += 1;
        if (arrived === 2) open();
        await bothWrote;
        await r.periods.upsert(aPeriod({ periodId: second, startMs: T0, endMs: T0 + HOUR }));
      });
    const [a, b] = made.stores as [Store, Store];
    await Promise.all([writer(a, 'p1', 'p2'), writer(b, 'p2', 'p1')]);
    // Exactly one deadlock is the usual case (3 runs), but under load a retry may collide again.
    assert.ok(runs >= 3, `the deadlock victim ran its work again (${runs} runs)`);
    const page = await a.read((r) => r.periods.page('acc_1', null, 0, 10));
    assert.deepEqual(page.items.map((p) => p.periodId).sort(), ['p1', 'p2']);
  });

  test('two stores claiming the outbox concurrently never share an item (20 rounds)', async (t) => {
    const made = await migratedAndSeeded(t, 2);
    if (made === null) return;
    const [a, b] = made.stores as [Store, Store];
    for (let round = 0; round < 20; round += 1) {
      assertDisjointCover(await drainConcurrently([a, b], 60, 1 + (round % 7), round), 60);
    }
  });

  test('the database itself refuses overlapping reservations, whoever writes them', async (t) => {
    const made = await migratedAndSeeded(t, 1);
    if (made === null) return;
    const client = new pg.Client({ connectionString: made.url });
    await client.connect();
    try {
      const insert = (id: string, start: number, end: number) =>
        client.query(
          `INSERT INTO reservations (id, link_id, account_id, start_ms, end_ms, kind) VALUES ($1, 'seq_1', 'acc_1', $2, $3, 'booking')`,
          [id, start, end],
        );
      await insert('r1', T0, T0 + HOUR);
      await insert('touching', T0 + HOUR, T0 + 2 * HOUR);
      await assert.rejects(insert('r2', T0 + HOUR - 1, T0 + 3 * HOUR), (error: unknown) => {
        const { code, constraint } = error as { code?: string; constraint?: string };
        return code === '23P01' && constraint === 'reservations_no_overlap';
      });
    } finally {
      await client.end();
    }
  });

  test('insertAll waits for an uncommitted booking of the same participant and loses once it commits', async (t) => {
    const made = await migratedAndSeeded(t, 2);
    if (made === null) return;
    const [a, b] = made.stores as [Store, Store];
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted = (): void => undefined;
    const bInserted = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const bDone = b.transaction(async (r) => {
      await r.reservations.insertAll([aReservation({ id: 'b' })], T0, null);
      inserted();
      await gate;
    });
    await bInserted;
    const aDone = a.transaction(async (r) => {
      const attempt = r.reservations.insertAll([aReservation({ id: 'a', startMs: T0 + 60_000 })], T0, null);
      setTimeout(release, 50);
      await assert.rejects(attempt, ReservationConflictError);
      await r.reservations.insertAll(
        [aReservation({ id: 'a2', startMs: T0 + 2 * HOUR, endMs: T0 + 3 * HOUR })],
        T0,
        null,
      );
      return 'committed';
    });
    await bDone;
    assert.equal(await aDone, 'committed');
    const ids = await a.read((r) => r.reservations.liveIn(['acc_1'], { start: 0, end: T0 * 2 }, T0));
    assert.deepEqual(ids.map((x) => x.id).sort(), ['a2', 'b']);
  });
});

/** Resolves once another session of this database waits on a lock (checked every 10 ms). */
async function untilWaitingOnLock(client: pg.Client): Promise<void> {
  for (;;) {
    // Inside a transaction the activity view is read once and kept: clear it for a fresh look.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    );
    if ((rows[0] as { waiting: number }).waiting > 0) return;
    await sleep(10);
  }
}

describe('postgres: the exclusion constraint behind insertAll', () => {
  test('a row written past insertAll still wins: the waiting insertAll gets 23P01 as ReservationConflictError and its transaction stays usable', async (t) => {
    const made = await migratedAndSeeded(t, 1);
    if (made === null) return;
    const store = made.stores[0]!;
    const raw = new pg.Client({ connectionString: made.url });
    await raw.connect();
    try {
      await raw.query('BEGIN');
      await raw.query(
        `INSERT INTO reservations (id, link_id, account_id, start_ms, end_ms, kind) VALUES ('raw', 'seq_1', 'acc_1', $1, $2, 'booking')`,
        [T0, T0 + HOUR],
      );
      const pending = store.transaction(async (r) => {
        // Neither the pre-check (it cannot see the uncommitted row) nor the advisory lock (the raw
        // writer took none) stops this insert: only the constraint does, after the raw commit.
        const error = await r.reservations
          .insertAll([aReservation({ id: 'mine', startMs: T0 + 60_000 })], T0, null)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        await r.reservations.insertAll(
          [aReservation({ id: 'later', startMs: T0 + 2 * HOUR, endMs: T0 + 3 * HOUR })],
          T0,
          null,
        );
        return error;
      });
      // Commit only once the insert is waiting on the raw transaction's row (the event the test is
      // about), seen in pg_stat_activity rather than assumed after a sleep.
      await untilWaitingOnLock(raw);
      await raw.query('COMMIT');
      const error = await pending;
      assert.ok(error instanceof ReservationConflictError, String(error));
      assert.equal((error.cause as { code?: string } | undefined)?.code, '23P01');
    } finally {
      await raw.end();
    }
    const ids = await store.read((r) => r.reservations.liveIn(['acc_1'], { start: 0, end: T0 * 2 }, T0));
    assert.deepEqual(ids.map((x) => x.id).sort(), ['later', 'raw']);
  });
});

describe('postgres: placeholders', () => {
  test('? becomes $n outside quoted literals and identifiers', () => {
    assert.equal(
      toPostgresPlaceholders(`SELECT "a?" FROM t WHERE x = ? AND y = '?' AND z IN (?, ?)`),
      `SELECT "a?" FROM t WHERE x = $1 AND y = '?' AND z IN ($2, $3)`,
    );
  });
});
