/**
 * Events of native calendars (and rtseq's bookings in CalDAV ones). Every write bumps its calendar's
 * version (app/availability/busy-cache.ts) and records a pending change for the push notification
 * channels watching the calendar (SPEC 8d; every write here is the application's, so managed).
 */
import { tagValuesOf } from '../../../../domain/engine/constraints.ts';
import type { EventRecord, EventRepo } from '../../../../ports/store.ts';
import { placeholders, type SqlExecutor, type SqlValue } from '../executor.ts';
import { recordChannelChanges } from './channels.ts';
import { bool, int, json, oneOf, type Row, rowsOf, table, text, textOrNull } from './table.ts';
import { tagValues } from './tags.ts';

/**
 * The stored row: the record plus two columns derived from its data, which availability
 * constraints query (SPEC 5.1): the tag values, and the link whose booking wrote the event.
 */
type StoredEvent = EventRecord & {
  readonly tagValues: readonly string[] | null;
  readonly linkId: string | null;
};

const stored = (record: EventRecord): StoredEvent => ({
  ...record,
  tagValues: tagValuesOf(record.data.tags),
  linkId: typeof record.data.rtseq_link_id === 'string' ? record.data.rtseq_link_id : null,
});

const COLUMNS = {
  calendarId: text,
  eventId: text,
  eventUid: text,
  summary: text,
  startMs: int,
  endMs: int,
  allDay: bool,
  transparency: oneOf('opaque|transparent'),
  status: oneOf('confirmed|tentative|cancelled'),
  deleted: bool,
  data: json<EventRecord['data']>(),
  createdAt: int,
  updatedAt: int,
};

/** Written with the derived columns; read as plain records (the derived ones live in `data`). */
const EVENTS = table<StoredEvent>(
  'events',
  { ...COLUMNS, tagValues, linkId: textOrNull },
  { tagValues: 'tags' },
);
const EVENT_RECORDS = table<EventRecord>('events', COLUMNS);

const UPSERTED = [
  'summary',
  'startMs',
  'endMs',
  'allDay',
  'transparency',
  'status',
  'deleted',
  'data',
  'updatedAt',
  'tagValues',
  'linkId',
] as const;
const UPSERT = EVENTS.upsert(['calendarId', 'eventId'], UPSERTED);

/** Busy rows are read in bulk: only three columns, mapped by hand. */
const toBusy = (row: Row) => ({
  calendarId: String(row.calendar_id),
  startMs: Number(row.start_ms),
  endMs: Number(row.end_ms),
});

/** Rows of one multi-row upsert: well within both dialects' limit on parameters. */
const UPSERT_ROWS = 100;

export function eventsRepo(db: SqlExecutor): EventRepo {
  const events = rowsOf(db, EVENT_RECORDS);
  const changed = async (calendarIds: readonly string[], at: number): Promise<void> => {
    await db.run(
      `UPDATE calendars SET version = version + 1 WHERE id IN (${placeholders(calendarIds.length)})`,
      calendarIds,
    );
    await recordChannelChanges(db, calendarIds, at, true);
  };
  /** The calendar's longest event bounds busyIn's index range (migration 0012). */
  const longest = (calendarId: string, length: number) =>
    db.run('UPDATE calendars SET longest_event_ms = ? WHERE id = ? AND longest_event_ms < ?', [
      length,
      calendarId,
      length,
    ]);
  return {
    async upsert(record) {
      await db.run(UPSERT, EVENTS.values(stored(record)));
      await longest(record.calendarId, record.endMs - record.startMs);
      await changed([record.calendarId], record.updatedAt);
    },
    async upsertMany(unordered) {
      // In key order, so two transactions writing the same events lock their rows in one order.
      const key = (r: EventRecord) => `${r.calendarId}\n${r.eventId}`;
      const records = [...unordered].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      for (let i = 0; i < records.length; i += UPSERT_ROWS) {
        const rows = records.slice(i, i + UPSERT_ROWS);
        await db.run(
          EVENTS.upsert(['calendarId', 'eventId'], UPSERTED, rows.length),
          rows.flatMap((record) => EVENTS.values(stored(record))),
        );
      }
      // What `upsert` does after each write, once per calendar: the longest length, one version
      // bump (a cache key: any new value will do), and the earliest change time (what the
      // channels keep of several).
      const calendars = new Map<string, { length: number; at: number }>();
      for (const r of records) {
        const seen = calendars.get(r.calendarId);
        const length = r.endMs - r.startMs;
        calendars.set(r.calendarId, {
          length: Math.max(length, seen?.length ?? length),
          at: Math.min(r.updatedAt, seen?.at ?? r.updatedAt),
        });
      }
      for (const [calendarId, { length, at }] of [...calendars].sort(([a], [b]) => (a < b ? -1 : 1))) {
        await longest(calendarId, length);
        await changed([calendarId], at);
      }
    },
    byKey: (calendarId, eventId) =>
      events.one('SELECT * FROM events WHERE calendar_id = ? AND event_id = ?', [calendarId, eventId]),
    byKeys: (calendarId, eventIds) =>
      events.manyIn(
        eventIds,
        (list) => `SELECT * FROM events WHERE calendar_id = ? AND event_id IN (${list})`,
        {
          before: [calendarId],
        },
      ),
    async markDeleted(calendarId, eventId, at) {
      const count = await db.run(
        'UPDATE events SET deleted = 1, updated_at = ? WHERE calendar_id = ? AND event_id = ? AND deleted = 0',
        [at, calendarId, eventId],
      );
      if (count > 0) await changed([calendarId], at);
      return count > 0;
    },
    async markDeletedIn(calendarIds, at) {
      if (calendarIds.length === 0) return 0;
      const rows = await db.all<Row>(
        `UPDATE events SET deleted = 1, updated_at = ? WHERE calendar_id IN (${placeholders(calendarIds.length)}) AND deleted = 0
           RETURNING calendar_id`,
        [at, ...calendarIds],
      );
      if (rows.length > 0) await changed([...new Set(rows.map((row) => String(row.calendar_id)))], at);
      return rows.length;
    },
    async countedIn(calendarIds, window) {
      if (calendarIds.length === 0) return [];
      const rows = await db.all<Row>(
        `SELECT calendar_id, start_ms, tags FROM events WHERE calendar_id IN (${placeholders(calendarIds.length)})
           AND start_ms >= ? AND start_ms < ? AND deleted = 0 AND status <> 'cancelled' AND link_id IS NULL`,
        [...calendarIds, window.start, window.end],
      );
      return rows.map((row) => ({
        calendarId: String(row.calendar_id),
        startMs: Number(row.start_ms),
        tags: tagValues.read(row.tags) ?? [],
      }));
    },
    async busyIn(calendarIds, window) {
      if (calendarIds.length === 0) return [];
      // An event overlapping [start, end) starts after start - L and ends before end + L, L the
      // longest event of its calendars: whichever index serves the read (by end or by start), its
      // range is bounded on both sides instead of running to either end of the calendar's data.
      const list = placeholders(calendarIds.length);
      const longest = `(SELECT COALESCE(MAX(longest_event_ms), 0) FROM calendars WHERE id IN (${list}))`;
      const rows = await db.all<Row>(
        `SELECT calendar_id, start_ms, end_ms FROM events WHERE calendar_id IN (${list})
           AND end_ms > ? AND end_ms < ? + ${longest} AND start_ms < ? AND start_ms > ? - ${longest}
           AND deleted = 0 AND status <> 'cancelled' AND transparency <> 'transparent'`,
        [...calendarIds, window.start, window.end, ...calendarIds, window.end, window.start, ...calendarIds],
      );
      return rows.map(toBusy);
    },
    async page(calendarIds, window, options) {
      if (calendarIds.length === 0) return { items: [], total: 0 };
      const where = [`calendar_id IN (${placeholders(calendarIds.length)})`];
      const params: SqlValue[] = [...calendarIds];
      if (window !== null) {
        where.push('end_ms > ? AND start_ms < ?');
        params.push(window.start, window.end);
      }
      if (!options.includeDeleted) where.push('deleted = 0');
      if (options.busyOnly === true) where.push("status <> 'cancelled' AND transparency <> 'transparent'");
      if (options.modifiedSince !== undefined) {
        where.push('updated_at >= ?');
        params.push(options.modifiedSince);
      }
      const clause = where.join(' AND ');
      const total = await events.count(`SELECT COUNT(*) AS n FROM events WHERE ${clause}`, params);
      const items = await events.many(
        `SELECT * FROM events WHERE ${clause} ORDER BY start_ms, calendar_id, event_id LIMIT ? OFFSET ?`,
        [...params, options.limit, options.offset],
      );
      return { items, total };
    },
  };
}
