/**
 * Events of native calendars (and rtseq's bookings in CalDAV ones). Every write bumps its calendar's
 * version (app/availability/busy-cache.ts) and records a pending change for the push notification
 * channels watching the calendar (SPEC 8d; every write here is the application's, so managed).
 */
import type { EventRecord, EventRepo } from '../../../../ports/store.ts';
import { placeholders, type SqlExecutor, type SqlValue } from '../executor.ts';
import { recordChannelChanges } from './channels.ts';
import { bool, int, json, oneOf, type Row, rowsOf, table, text } from './table.ts';

const EVENTS = table<EventRecord>('events', {
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
  data: json(),
  createdAt: int,
  updatedAt: int,
});

const UPSERT = EVENTS.upsert(
  ['calendarId', 'eventId'],
  ['summary', 'startMs', 'endMs', 'allDay', 'transparency', 'status', 'deleted', 'data', 'updatedAt'],
);

/** Busy rows are read in bulk: only three columns, mapped by hand. */
const toBusy = (row: Row) => ({
  calendarId: String(row.calendar_id),
  startMs: Number(row.start_ms),
  endMs: Number(row.end_ms),
});

export function eventsRepo(db: SqlExecutor): EventRepo {
  const events = rowsOf(db, EVENTS);
  const changed = async (calendarIds: readonly string[], at: number): Promise<void> => {
    await db.run(
      `UPDATE calendars SET version = version + 1 WHERE id IN (${placeholders(calendarIds.length)})`,
      calendarIds,
    );
    await recordChannelChanges(db, calendarIds, at, true);
  };
  return {
    async upsert(record) {
      await db.run(UPSERT, EVENTS.values(record));
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
