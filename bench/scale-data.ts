/**
 * The scale benchmark's data (bench/scale.ts): a generator that bulk-inserts accounts, calendars,
 * events and a booking history straight into either store with set-based SQL, deterministic for
 * a given size. Everything belongs to one application created through the app layer, so the API
 * can query it. Events spread over a year around `now` on 5-minute boundaries, 15 to 90 minutes
 * long; past bookings are completed links with one reservation and one delivered callback each.
 * Their link tokens are written as the server would write them: sealed when the benchmark runs
 * with SECRET_KEY (`sealToken`), so the server's start finds nothing plain left to seal.
 */

import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

export type Sizes = {
  readonly accounts: number;
  readonly events: number;
  /** Completed links in the past, each with a reservation and a delivered callback. */
  readonly pastBookings: number;
};

export interface BulkDatabase {
  readonly dialect: Dialect;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBulk(env: Record<string, string>): Promise<BulkDatabase> {
  if (env.DATABASE_URL !== undefined) {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    return {
      dialect: 'postgres',
      exec: async (sql) => {
        await client.query(sql);
      },
      close: () => client.end(),
    };
  }
  const db = new DatabaseSync(env.SQLITE_PATH!);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
  return {
    dialect: 'sqlite',
    exec: async (sql) => {
      db.exec(sql);
    },
    // The load ran with synchronous off into the WAL: it is folded into the database file before
    // the server opens it, as it would have been by checkpoints along the way in a real history.
    close: async () => {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/** `INSERT INTO {target} SELECT {columns} FROM` the integers 1..count as `i`. */
function insertSeries(db: BulkDatabase, target: string, columns: string, count: number): string {
  if (db.dialect === 'postgres') {
    return `INSERT INTO ${target} SELECT ${columns} FROM generate_series(1::bigint, ${count}) AS s(i)`;
  }
  return `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${count})
          INSERT INTO ${target} SELECT ${columns} FROM s`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Inserts the bulk data for `applicationId`; account ids are `bacc_1` … `bacc_{accounts}` with
 * one native calendar each (`bcal_n`). `sealToken` stores the past links' token (one value for
 * all: they are never opened) as SecretBox.seal does with the server's key. Returns how long each
 * part took, in seconds.
 */
export async function loadBulk(
  db: BulkDatabase,
  applicationId: string,
  sizes: Sizes,
  now: number,
  sealToken: (plain: string) => string,
): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  const timed = async (label: string, sql: string) => {
    const started = performance.now();
    await db.exec(sql);
    timings[label] = (performance.now() - started) / 1000;
  };
  const app = `'${applicationId}'`;
  // Base64 or `plain:` + letters: nothing to escape in an SQL string literal.
  const token = `'${sealToken('bench-past-link')}'`;
  const n = sizes.accounts;
  // Deterministic pseudo-random spread: (i * a) mod m with a coprime multiplier.
  const spread = (mod: number) => `((i * 7919) % ${mod})`;
  const yearStart = Math.floor((now - 182 * 24 * HOUR) / (5 * MINUTE)) * 5 * MINUTE;
  await db.exec(db.dialect === 'sqlite' ? 'BEGIN' : 'BEGIN');
  await timed(
    'accounts',
    insertSeries(
      db,
      'accounts (id, application_id, application_calendar_id, profile_id, name, created_at)',
      `'bacc_' || i, ${app}, 'bulk-' || i, 'bpro_' || i, 'Bulk ' || i, ${now}`,
      n,
    ),
  );
  await timed(
    'calendars',
    insertSeries(
      db,
      'calendars (id, account_id, name, kind, read_only, is_primary, deleted, tzid, created_at, version)',
      `'bcal_' || i, 'bacc_' || i, 'Calendar', 'native', 0, 1, 0, 'UTC', ${now}, 1`,
      n,
    ),
  );
  // Event i goes to calendar (i mod n) + 1, at a spread start in the year around now.
  const start = `(${yearStart} + ${spread(105_120)} * ${5 * MINUTE})`;
  const length = `((${spread(6)} + 1) * ${15 * MINUTE})`;
  await timed(
    'events',
    insertSeries(
      db,
      `events (calendar_id, event_id, event_uid, summary, start_ms, end_ms, all_day, transparency, status,
               deleted, data, created_at, updated_at)`,
      `'bcal_' || ((i % ${n}) + 1), 'bev_' || i, 'bev_' || i || '@bench', 'Busy', ${start}, ${start} + ${length},
       0, 'opaque', 'confirmed', 0, '{}', ${now}, ${now}`,
      sizes.events,
    ),
  );
  // What the events repository keeps up to date on every write (migration 0012).
  await timed(
    'longest',
    `UPDATE calendars SET longest_event_ms = COALESCE(
       (SELECT MAX(end_ms - start_ms) FROM events WHERE events.calendar_id = calendars.id), 0)
     WHERE id LIKE 'bcal_%'`,
  );
  if (sizes.pastBookings > 0) {
    // Past bookings: one hour each, disjoint per account (booking i of account a at hour i / n).
    const past = `(${now - 400 * 24 * HOUR} + (i / ${n}) * ${HOUR})`;
    await timed(
      'links',
      insertSeries(
        db,
        'links (id, application_id, kind, token_hash, token_sealed, status, request, created_at, expires_at, completed_at)',
        `'bseq_' || i, ${app}, 'sequencing', 'bth_' || i, ${token}, 'completed', '{}', ${past}, ${past}, ${past}`,
        sizes.pastBookings,
      ),
    );
    await timed(
      'reservations',
      insertSeries(
        db,
        'reservations (id, link_id, account_id, start_ms, end_ms, kind, expires_at, holder_key)',
        `'bres_' || i, 'bseq_' || i, 'bacc_' || ((i % ${n}) + 1), ${past}, ${past} + ${HOUR}, 'booking', NULL, NULL`,
        sizes.pastBookings,
      ),
    );
    await timed(
      'outbox',
      insertSeries(
        db,
        `outbox (id, delivery_id, application_id, kind, target, payload, status, attempts, next_attempt_at,
                 created_at, finished_at)`,
        `'bout_' || i, 'bdlv_' || i, ${app}, 'callback', 'https://app.example/cb', '{}', 'delivered', 1, ${past},
         ${past}, ${past}`,
        sizes.pastBookings,
      ),
    );
  }
  await db.exec('COMMIT');
  const analysed = performance.now();
  await db.exec('ANALYZE');
  timings.analyze = (performance.now() - analysed) / 1000;
  return timings;
}
