/** The last read of each external calendar (SPEC 8 "the account's source status"). */
import type {
  SourceFingerprint,
  SourceStatusRecord,
  SourceStatusRepo,
} from '../../../../ports/source-status.ts';
import type { SqlExecutor } from '../executor.ts';
import { bool, int, intOrNull, json, jsonOrNull, rowsOf, table, text, textOrNull } from './table.ts';

const STATUS = table<SourceStatusRecord>('calendar_source_status', {
  calendarId: text,
  readAt: int,
  ok: bool,
  reason: textOrNull,
  busyCount: intOrNull,
  ignored: json<readonly string[]>(),
  windowStart: int,
  windowEnd: int,
  fingerprint: jsonOrNull<SourceFingerprint>(),
});

const REPLACED = ['readAt', 'ok', 'reason', 'busyCount', 'ignored', 'windowStart', 'windowEnd'] as const;

export function sourceStatusRepo(db: SqlExecutor): SourceStatusRepo {
  const statuses = rowsOf(db, STATUS);
  return {
    async record(status) {
      // Reads finish out of order (and in several processes): an older one never replaces a newer.
      // A failed read (no fingerprint) keeps what the last successful one found.
      await db.run(
        `${STATUS.upsert(['calendarId'], REPLACED)},
           fingerprint = COALESCE(excluded.fingerprint, calendar_source_status.fingerprint)
         WHERE calendar_source_status.read_at <= excluded.read_at`,
        STATUS.values(status),
      );
    },
    byCalendars: (calendarIds) =>
      statuses.manyIn(
        calendarIds,
        (list) => `SELECT * FROM calendar_source_status WHERE calendar_id IN (${list}) ORDER BY calendar_id`,
      ),
  };
}
