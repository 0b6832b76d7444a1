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

const UPSERT = EVENTS.upsert(
  ['calendarId', 'eventId'],
  [
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
  ],
);

/** Busy rows are read in bulk: only three columns, mapped by hand. */
const toBusy = (row: Row) => ({
  calendarId: String(row.calendar_id),
  startMs: Number(row.start_ms),
  endMs: Number(row.end_ms),
});

export function eventsRepo(db: SqlExecutor): EventRepo {
  const events = rowsOf(db, EVENT_RECORDS);
  const changed = async (calendarIds: readonly string[], at: number): Promise<void> => {
    await db.run(
      `UPDATE calendars SET version = version + 1 WHERE id IN (${placeholders(calendarIds.length)})`,
      calendarIds,
    );
    await recordChannelChanges(db, calendarIds, at, true);
  };
  return {
    async upsert(record) {
      await db.run(UPSERT, EVENTS.values(stored(record)));
      await changed([record.calendarId], record.updatedAt);
    },
    byKey: (calendarId, eventId) =>
      events.one('SELECT * FROM events WHERE calendar_id = ? AND event_id = ?', [calendarId, eventId]),
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
      const rows = await db.all<Row>(
        `SELECT calendar_id, start_ms, end_ms FROM events WHERE calendar_id IN (${placeholders(calendarIds.length)})
           AND end_ms > ? AND start_ms < ? AND deleted = 0 AND status <> 'cancelled' AND transparency <> 'transparent'`,
        [...calendarIds, window.start, window.end],
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
