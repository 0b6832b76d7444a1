/**
 * The repositories, written once in the SQL both SQLite and PostgreSQL understand. Dialect
 * differences are confined to the few places that branch on `db.dialect`.
 */
import type {
  AccessTokenRecord,
  AccountRecord,
  ApplicationRecord,
  AvailabilityRuleRecord,
  AvailablePeriodRecord,
  CalendarRecord,
  ClientSecretRecord,
  DeliveryAttemptRecord,
  EventRecord,
  LinkRecord,
  OutboxRecord,
  Repos,
  ReservationRecord,
  TimeWindow,
} from '../../../ports/store.ts';
import { ReservationConflictError } from '../../../ports/store.ts';
import { placeholders, type SqlExecutor, type SqlValue } from './executor.ts';

type Row = Record<string, unknown>;

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const str = (value: unknown): string => String(value);
const strOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);
const bool = (value: unknown): boolean => Number(value) === 1;
const flag = (value: boolean): number => (value ? 1 : 0);
const json = <T>(value: unknown): T => JSON.parse(String(value)) as T;

function toApplication(row: Row): ApplicationRecord {
  return {
    id: str(row.id),
    clientId: str(row.client_id),
    name: str(row.name),
    createdAt: num(row.created_at),
    displayName: row.display_name == null ? null : str(row.display_name),
    logoUrl: row.logo_url == null ? null : str(row.logo_url),
    accentColour: row.accent_colour == null ? null : str(row.accent_colour),
  };
}

function toSecret(row: Row): ClientSecretRecord {
  return {
    id: str(row.id),
    applicationId: str(row.application_id),
    secretHash: str(row.secret_hash),
    secretSealed: str(row.secret_sealed),
    createdAt: num(row.created_at),
    revokedAt: numOrNull(row.revoked_at),
  };
}

function toAccount(row: Row): AccountRecord {
  return {
    id: str(row.id),
    applicationId: str(row.application_id),
    applicationCalendarId: strOrNull(row.application_calendar_id),
    profileId: str(row.profile_id),
    name: str(row.name),
    createdAt: num(row.created_at),
  };
}

function toToken(row: Row): AccessTokenRecord {
  return {
    tokenHash: str(row.token_hash),
    accountId: str(row.account_id),
    kind: str(row.kind) === 'refresh' ? 'refresh' : 'access',
    createdAt: num(row.created_at),
    revokedAt: numOrNull(row.revoked_at),
  };
}

function toCalendar(row: Row): CalendarRecord {
  return {
    id: str(row.id),
    accountId: str(row.account_id),
    name: str(row.name),
    kind: str(row.kind) as CalendarRecord['kind'],
    readOnly: bool(row.read_only),
    primary: bool(row.is_primary),
    deleted: bool(row.deleted),
    tzid: str(row.tzid),
    color: strOrNull(row.color),
    sourceSealed: strOrNull(row.source_sealed),
    createdAt: num(row.created_at),
    version: num(row.version ?? 0),
  };
}

function toEvent(row: Row): EventRecord {
  return {
    calendarId: str(row.calendar_id),
    eventId: str(row.event_id),
    eventUid: str(row.event_uid),
    summary: str(row.summary),
    startMs: num(row.start_ms),
    endMs: num(row.end_ms),
    allDay: bool(row.all_day),
    transparency: str(row.transparency) === 'transparent' ? 'transparent' : 'opaque',
    status: str(row.status) as EventRecord['status'],
    deleted: bool(row.deleted),
    data: json<Record<string, unknown>>(row.data),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

function toRule(row: Row): AvailabilityRuleRecord {
  return {
    accountId: str(row.account_id),
    ruleId: str(row.rule_id),
    tzid: str(row.tzid),
    calendarIds: row.calendar_ids === null ? null : json<string[]>(row.calendar_ids),
    weeklyPeriods: json<AvailabilityRuleRecord['weeklyPeriods']>(row.weekly_periods),
  };
}

function toPeriod(row: Row): AvailablePeriodRecord {
  return {
    accountId: str(row.account_id),
    periodId: str(row.period_id),
    startMs: num(row.start_ms),
    endMs: num(row.end_ms),
  };
}

function toLink(row: Row): LinkRecord {
  return {
    id: str(row.id),
    applicationId: str(row.application_id),
    kind: str(row.kind) === 'scheduling' ? 'scheduling' : 'sequencing',
    tokenHash: str(row.token_hash),
    tokenSealed: str(row.token_sealed),
    status: str(row.status) as LinkRecord['status'],
    request: json<Record<string, unknown>>(row.request),
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    completedAt: numOrNull(row.completed_at),
    booked:
      row.booked === null || row.booked === undefined ? null : json<Record<string, unknown>>(row.booked),
    displayMessage: strOrNull(row.display_message),
    rescheduleSteps:
      row.reschedule_steps === null || row.reschedule_steps === undefined
        ? null
        : json<number[]>(row.reschedule_steps),
    cancelledAt: numOrNull(row.cancelled_at),
    cancelReason: strOrNull(row.cancel_reason),
  };
}

function toReservation(row: Row): ReservationRecord {
  return {
    id: str(row.id),
    linkId: str(row.link_id),
    accountId: str(row.account_id),
    startMs: num(row.start_ms),
    endMs: num(row.end_ms),
    kind: str(row.kind) === 'hold' ? 'hold' : 'booking',
    expiresAt: numOrNull(row.expires_at),
    holderKey: strOrNull(row.holder_key),
  };
}

function toOutbox(row: Row): OutboxRecord {
  return {
    id: str(row.id),
    deliveryId: str(row.delivery_id),
    applicationId: str(row.application_id),
    kind: str(row.kind) === 'caldav_write' ? 'caldav_write' : 'callback',
    target: str(row.target),
    payload: str(row.payload),
    status: str(row.status) as OutboxRecord['status'],
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    leaseUntil: numOrNull(row.lease_until),
    leaseOwner: strOrNull(row.lease_owner),
    lastError: strOrNull(row.last_error),
    createdAt: num(row.created_at),
    finishedAt: numOrNull(row.finished_at),
  };
}

function toAttempt(row: Row): DeliveryAttemptRecord {
  return {
    outboxId: str(row.outbox_id),
    attempt: num(row.attempt),
    at: num(row.at),
    statusCode: numOrNull(row.status_code),
    error: strOrNull(row.error),
    durationMs: num(row.duration_ms),
  };
}

const RESERVATIONS_SAVEPOINT = 'reservations_insert';
/** First key of the PostgreSQL advisory locks that queue writers of one participant ("rtsq"). */
const RESERVATION_LOCK_SPACE = 0x72747371;

/** PostgreSQL's answer when migrations/postgres' `reservations_no_overlap` refuses a row (SQLSTATE 23P01). */
function isOverlapViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23P01' && constraint === 'reservations_no_overlap';
}

const EVENT_COLUMNS =
  'calendar_id, event_id, event_uid, summary, start_ms, end_ms, all_day, transparency, status, deleted, data, created_at, updated_at';

/** Builds every repository over one executor (a transaction or the autocommit connection). */
export function sqlRepos(db: SqlExecutor): Repos {
  const one = async <T>(
    sql: string,
    params: readonly SqlValue[],
    map: (row: Row) => T,
  ): Promise<T | undefined> => {
    const rows = await db.all<Row>(sql, params);
    return rows.length === 0 ? undefined : map(rows[0]!);
  };
  const many = async <T>(sql: string, params: readonly SqlValue[], map: (row: Row) => T): Promise<T[]> =>
    (await db.all<Row>(sql, params)).map(map);
  const bumpVersion = async (calendarId: string): Promise<void> => {
    await db.run('UPDATE calendars SET version = version + 1 WHERE id = ?', [calendarId]);
  };
  const count = async (sql: string, params: readonly SqlValue[]): Promise<number> => {
    const rows = await db.all<Row>(sql, params);
    return num(rows[0]?.n ?? 0);
  };

  const insertReservations = async (
    rows: readonly ReservationRecord[],
    now: number,
    replacingHolder: string | null,
  ): Promise<void> => {
    const accountIds = [...new Set(rows.map((r) => r.accountId))].sort();
    const inList = placeholders(accountIds.length);
    if (db.dialect === 'postgres') {
      // Queue writers of the same participant, in one global order, until commit. Without this,
      // two transactions inserting overlapping rows at once each find the other's uncommitted row
      // in the exclusion index and wait for each other: a deadlock PostgreSQL breaks only after
      // deadlock_timeout, and under a burst the retries collide again. With it, the check below
      // sees the previous writer's committed row; the constraint remains the guarantee.
      for (const accountId of accountIds) {
        await db.all('SELECT pg_advisory_xact_lock(?, hashtext(?))', [RESERVATION_LOCK_SPACE, accountId]);
      }
    }
    // Expired holds and the holder's own holds never conflict: remove them first so the
    // PostgreSQL exclusion constraint (which cannot see the clock) agrees with this check.
    await db.run(
      `DELETE FROM reservations WHERE account_id IN (${inList}) AND kind = 'hold' AND expires_at <= ?`,
      [...accountIds, now],
    );
    if (replacingHolder !== null) {
      await db.run(`DELETE FROM reservations WHERE kind = 'hold' AND holder_key = ?`, [replacingHolder]);
    }
    // Account, then start: inserts follow the same global order as the locks above.
    const ordered = [...rows].sort((a, b) =>
      a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.startMs - b.startMs,
    );
    for (const r of ordered) {
      // On SQLite (one writer) this check is the whole guarantee. On PostgreSQL the exclusion
      // constraint also refuses any row that slips past it (raised as 23P01, mapped below).
      const clash = await db.all<Row>(
        `SELECT id FROM reservations WHERE account_id = ? AND start_ms < ? AND end_ms > ? LIMIT 1`,
        [r.accountId, r.endMs, r.startMs],
      );
      if (clash.length > 0) throw new ReservationConflictError(`account ${r.accountId} is already reserved`);
      await db.run(
        `INSERT INTO reservations (id, link_id, account_id, start_ms, end_ms, kind, expires_at, holder_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [r.id, r.linkId, r.accountId, r.startMs, r.endMs, r.kind, r.expiresAt, r.holderKey],
      );
    }
  };

  return {
    applications: {
      async insert(app) {
        await db.run('INSERT INTO applications (id, client_id, name, created_at) VALUES (?, ?, ?, ?)', [
          app.id,
          app.clientId,
          app.name,
          app.createdAt,
        ]);
      },
      byId: (id) => one('SELECT * FROM applications WHERE id = ?', [id], toApplication),
      byClientId: (clientId) =>
        one('SELECT * FROM applications WHERE client_id = ?', [clientId], toApplication),
      list: () => many('SELECT * FROM applications ORDER BY created_at, id', [], toApplication),
      async updateDisplay(id, display) {
        const changed = await db.run(
          'UPDATE applications SET display_name = ?, logo_url = ?, accent_colour = ? WHERE id = ?',
          [display.displayName, display.logoUrl, display.accentColour, id],
        );
        return changed > 0;
      },
      async insertSecret(secret) {
        await db.run(
          'INSERT INTO client_secrets (id, application_id, secret_hash, secret_sealed, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
          [
            secret.id,
            secret.applicationId,
            secret.secretHash,
            secret.secretSealed,
            secret.createdAt,
            secret.revokedAt,
          ],
        );
      },
      secretsByHash: (hash) =>
        many('SELECT * FROM client_secrets WHERE secret_hash = ? AND revoked_at IS NULL', [hash], toSecret),
      activeSecrets: (applicationId) =>
        many(
          'SELECT * FROM client_secrets WHERE application_id = ? AND revoked_at IS NULL ORDER BY created_at, id',
          [applicationId],
          toSecret,
        ),
      async revokeSecret(applicationId, secretId, at) {
        const changed = await db.run(
          'UPDATE client_secrets SET revoked_at = ? WHERE application_id = ? AND id = ? AND revoked_at IS NULL',
          [at, applicationId, secretId],
        );
        return changed > 0;
      },
    },

    accounts: {
      async insert(account) {
        await db.run(
          'INSERT INTO accounts (id, application_id, application_calendar_id, profile_id, name, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          [
            account.id,
            account.applicationId,
            account.applicationCalendarId,
            account.profileId,
            account.name,
            account.createdAt,
          ],
        );
      },
      byId: (id) => one('SELECT * FROM accounts WHERE id = ?', [id], toAccount),
      byApplicationCalendarId: (applicationId, applicationCalendarId) =>
        one(
          'SELECT * FROM accounts WHERE application_id = ? AND application_calendar_id = ?',
          [applicationId, applicationCalendarId],
          toAccount,
        ),
      async byIds(applicationId, ids) {
        if (ids.length === 0) return [];
        return many(
          `SELECT * FROM accounts WHERE application_id = ? AND id IN (${placeholders(ids.length)})`,
          [applicationId, ...ids],
          toAccount,
        );
      },
      listByApplication: (applicationId) =>
        many(
          'SELECT * FROM accounts WHERE application_id = ? ORDER BY created_at, id',
          [applicationId],
          toAccount,
        ),
      async insertToken(token) {
        await db.run(
          'INSERT INTO access_tokens (token_hash, account_id, kind, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)',
          [token.tokenHash, token.accountId, token.kind, token.createdAt, token.revokedAt],
        );
      },
      tokenByHash: (hash) => one('SELECT * FROM access_tokens WHERE token_hash = ?', [hash], toToken),
      async revokeToken(hash, at) {
        await db.run('UPDATE access_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL', [
          at,
          hash,
        ]);
      },
    },

    calendars: {
      async insert(c) {
        await db.run(
          `INSERT INTO calendars (id, account_id, name, kind, read_only, is_primary, deleted, tzid, color, source_sealed, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            c.id,
            c.accountId,
            c.name,
            c.kind,
            flag(c.readOnly),
            flag(c.primary),
            flag(c.deleted),
            c.tzid,
            c.color,
            c.sourceSealed,
            c.createdAt,
          ],
        );
      },
      byId: (id) => one('SELECT * FROM calendars WHERE id = ?', [id], toCalendar),
      byAccount: (accountId) =>
        many('SELECT * FROM calendars WHERE account_id = ? ORDER BY created_at, id', [accountId], toCalendar),
      async byAccounts(accountIds) {
        if (accountIds.length === 0) return [];
        return many(
          `SELECT * FROM calendars WHERE account_id IN (${placeholders(accountIds.length)}) ORDER BY created_at, id`,
          accountIds,
          toCalendar,
        );
      },
    },

    events: {
      async upsert(e) {
        await db.run(
          `INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (calendar_id, event_id) DO UPDATE SET
             summary = excluded.summary, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
             all_day = excluded.all_day, transparency = excluded.transparency, status = excluded.status,
             deleted = excluded.deleted, data = excluded.data, updated_at = excluded.updated_at`,
          [
            e.calendarId,
            e.eventId,
            e.eventUid,
            e.summary,
            e.startMs,
            e.endMs,
            flag(e.allDay),
            e.transparency,
            e.status,
            flag(e.deleted),
            JSON.stringify(e.data),
            e.createdAt,
            e.updatedAt,
          ],
        );
        await bumpVersion(e.calendarId);
      },
      byKey: (calendarId, eventId) =>
        one('SELECT * FROM events WHERE calendar_id = ? AND event_id = ?', [calendarId, eventId], toEvent),
      async markDeleted(calendarId, eventId, at) {
        const changed = await db.run(
          'UPDATE events SET deleted = 1, updated_at = ? WHERE calendar_id = ? AND event_id = ? AND deleted = 0',
          [at, calendarId, eventId],
        );
        if (changed > 0) await bumpVersion(calendarId);
        return changed > 0;
      },
      async markDeletedIn(calendarIds, at) {
        if (calendarIds.length === 0) return 0;
        const changed = await db.run(
          `UPDATE events SET deleted = 1, updated_at = ? WHERE calendar_id IN (${placeholders(calendarIds.length)}) AND deleted = 0`,
          [at, ...calendarIds],
        );
        if (changed > 0) {
          await db.run(
            `UPDATE calendars SET version = version + 1 WHERE id IN (${placeholders(calendarIds.length)})`,
            calendarIds,
          );
        }
        return changed;
      },
      async busyIn(calendarIds, window) {
        if (calendarIds.length === 0) return [];
        return many(
          `SELECT calendar_id, start_ms, end_ms FROM events WHERE calendar_id IN (${placeholders(calendarIds.length)})
             AND end_ms > ? AND start_ms < ? AND deleted = 0 AND status <> 'cancelled' AND transparency <> 'transparent'`,
          [...calendarIds, window.start, window.end],
          (row) => ({ calendarId: str(row.calendar_id), startMs: num(row.start_ms), endMs: num(row.end_ms) }),
        );
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
        const total = await count(`SELECT COUNT(*) AS n FROM events WHERE ${clause}`, params);
        const items = await many(
          `SELECT * FROM events WHERE ${clause} ORDER BY start_ms, calendar_id, event_id LIMIT ? OFFSET ?`,
          [...params, options.limit, options.offset],
          toEvent,
        );
        return { items, total };
      },
    },

    rules: {
      async upsert(r) {
        await db.run(
          `INSERT INTO availability_rules (account_id, rule_id, tzid, calendar_ids, weekly_periods) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (account_id, rule_id) DO UPDATE SET
             tzid = excluded.tzid, calendar_ids = excluded.calendar_ids, weekly_periods = excluded.weekly_periods`,
          [
            r.accountId,
            r.ruleId,
            r.tzid,
            r.calendarIds === null ? null : JSON.stringify(r.calendarIds),
            JSON.stringify(r.weeklyPeriods),
          ],
        );
      },
      byId: (accountId, ruleId) =>
        one(
          'SELECT * FROM availability_rules WHERE account_id = ? AND rule_id = ?',
          [accountId, ruleId],
          toRule,
        ),
      byAccount: (accountId) =>
        many('SELECT * FROM availability_rules WHERE account_id = ? ORDER BY rule_id', [accountId], toRule),
      async byAccounts(accountIds) {
        if (accountIds.length === 0) return [];
        return many(
          `SELECT * FROM availability_rules WHERE account_id IN (${placeholders(accountIds.length)}) ORDER BY account_id, rule_id`,
          accountIds,
          toRule,
        );
      },
      async delete(accountId, ruleId) {
        return (
          (await db.run('DELETE FROM availability_rules WHERE account_id = ? AND rule_id = ?', [
            accountId,
            ruleId,
          ])) > 0
        );
      },
    },

    periods: {
      async upsert(p) {
        await db.run(
          `INSERT INTO available_periods (account_id, period_id, start_ms, end_ms) VALUES (?, ?, ?, ?)
           ON CONFLICT (account_id, period_id) DO UPDATE SET start_ms = excluded.start_ms, end_ms = excluded.end_ms`,
          [p.accountId, p.periodId, p.startMs, p.endMs],
        );
      },
      async delete(accountId, periodId) {
        return (
          (await db.run('DELETE FROM available_periods WHERE account_id = ? AND period_id = ?', [
            accountId,
            periodId,
          ])) > 0
        );
      },
      async page(accountId, window, offset, limit) {
        const where = window === null ? 'account_id = ?' : 'account_id = ? AND end_ms > ? AND start_ms < ?';
        const params: SqlValue[] = window === null ? [accountId] : [accountId, window.start, window.end];
        const total = await count(`SELECT COUNT(*) AS n FROM available_periods WHERE ${where}`, params);
        const items = await many(
          `SELECT * FROM available_periods WHERE ${where} ORDER BY start_ms, period_id LIMIT ? OFFSET ?`,
          [...params, limit, offset],
          toPeriod,
        );
        return { items, total };
      },
      async byAccounts(accountIds, window) {
        if (accountIds.length === 0) return [];
        return many(
          `SELECT * FROM available_periods WHERE account_id IN (${placeholders(accountIds.length)}) AND end_ms > ? AND start_ms < ?`,
          [...accountIds, window.start, window.end],
          toPeriod,
        );
      },
    },

    links: {
      async insert(l) {
        await db.run(
          `INSERT INTO links (id, application_id, kind, token_hash, token_sealed, status, request, created_at, expires_at, completed_at, booked, display_message, reschedule_steps, cancelled_at, cancel_reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            l.id,
            l.applicationId,
            l.kind,
            l.tokenHash,
            l.tokenSealed,
            l.status,
            JSON.stringify(l.request),
            l.createdAt,
            l.expiresAt,
            l.completedAt,
            l.booked === null ? null : JSON.stringify(l.booked),
            l.displayMessage,
            l.rescheduleSteps === null ? null : JSON.stringify(l.rescheduleSteps),
            l.cancelledAt,
            l.cancelReason,
          ],
        );
      },
      byId: (applicationId, id) =>
        one('SELECT * FROM links WHERE application_id = ? AND id = ?', [applicationId, id], toLink),
      byTokenHash: (hash) => one('SELECT * FROM links WHERE token_hash = ?', [hash], toLink),
      async closeIfOpen(id, change) {
        const changed = await db.run(
          `UPDATE links SET status = ?, completed_at = ?, booked = ?, display_message = ? WHERE id = ? AND status = 'open'`,
          [
            change.status,
            change.status === 'completed' ? change.at : null,
            change.booked === undefined ? null : JSON.stringify(change.booked),
            change.displayMessage ?? null,
            id,
          ],
        );
        return changed > 0;
      },
      async transition(id, change) {
        const sets = ['status = ?'];
        const values: SqlValue[] = [change.status];
        if (change.booked !== undefined) {
          sets.push('booked = ?', 'completed_at = ?');
          values.push(JSON.stringify(change.booked), change.at);
        }
        if (change.rescheduleSteps !== undefined) {
          sets.push('reschedule_steps = ?');
          values.push(change.rescheduleSteps === null ? null : JSON.stringify(change.rescheduleSteps));
        }
        if (change.status === 'cancelled') {
          sets.push('cancelled_at = ?', 'cancel_reason = ?');
          values.push(change.at, change.cancelReason ?? null);
        }
        if (change.from.length === 0) return false;
        const changed = await db.run(
          `UPDATE links SET ${sets.join(', ')} WHERE id = ? AND status IN (${placeholders(change.from.length)})`,
          [...values, id, ...change.from],
        );
        return changed > 0;
      },
    },

    reservations: {
      async insertAll(rows, now, replacingHolder) {
        if (rows.length === 0) return;
        // A savepoint makes the batch all-or-nothing even when the caller catches the conflict and
        // goes on, and on PostgreSQL it keeps the surrounding transaction usable after a 23P01.
        await db.run(`SAVEPOINT ${RESERVATIONS_SAVEPOINT}`);
        try {
          await insertReservations(rows, now, replacingHolder);
        } catch (error) {
          try {
            await db.run(`ROLLBACK TO SAVEPOINT ${RESERVATIONS_SAVEPOINT}`);
            await db.run(`RELEASE SAVEPOINT ${RESERVATIONS_SAVEPOINT}`);
          } catch {
            // The connection failed: the original error says more, and the transaction is lost anyway.
          }
          if (isOverlapViolation(error)) {
            throw new ReservationConflictError('a participant is already reserved at that time', {
              cause: error,
            });
          }
          throw error;
        }
        await db.run(`RELEASE SAVEPOINT ${RESERVATIONS_SAVEPOINT}`);
      },
      async liveIn(accountIds, window, now) {
        if (accountIds.length === 0) return [];
        return many(
          `SELECT * FROM reservations WHERE account_id IN (${placeholders(accountIds.length)})
             AND end_ms > ? AND start_ms < ? AND (kind = 'booking' OR expires_at > ?)`,
          [...accountIds, window.start, window.end, now],
          toReservation,
        );
      },
      async releaseLink(linkId, kinds) {
        if (kinds.length === 0) return;
        await db.run(
          `DELETE FROM reservations WHERE link_id = ? AND kind IN (${placeholders(kinds.length)})`,
          [linkId, ...kinds],
        );
      },
      async releaseHolds(linkId, holderKey) {
        await db.run(`DELETE FROM reservations WHERE link_id = ? AND kind = 'hold' AND holder_key = ?`, [
          linkId,
          holderKey,
        ]);
      },
      byLink: (linkId) =>
        many(
          `SELECT * FROM reservations WHERE link_id = ? AND kind = 'booking' ORDER BY start_ms, account_id`,
          [linkId],
          toReservation,
        ),
    },

    outbox: {
      async insert(o) {
        await db.run(
          `INSERT INTO outbox (id, delivery_id, application_id, kind, target, payload, status, attempts, next_attempt_at, lease_until, lease_owner, last_error, created_at, finished_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            o.id,
            o.deliveryId,
            o.applicationId,
            o.kind,
            o.target,
            o.payload,
            o.status,
            o.attempts,
            o.nextAttemptAt,
            o.leaseUntil,
            o.leaseOwner,
            o.lastError,
            o.createdAt,
            o.finishedAt,
          ],
        );
      },
      byId: (id) => one('SELECT * FROM outbox WHERE id = ?', [id], toOutbox),
      async claimDue(owner, now, leaseUntil, limit) {
        const due = `SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?
                       AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?`;
        // PostgreSQL: SKIP LOCKED lets N processes claim disjoint rows without waiting on each other.
        // SQLite: one writer at a time, so the plain sub-select inside the write transaction suffices.
        const lock = db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
        return many(
          `UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN (${due}${lock}) RETURNING *`,
          [owner, leaseUntil, now, now, limit],
          toOutbox,
        );
      },
      async finishAttempt(id, owner, result) {
        const changed = await db.run(
          `UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, finished_at = ?,
             lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`,
          [result.status, result.nextAttemptAt, result.lastError, result.finishedAt, id, owner],
        );
        if (changed === 0) return false;
        const a = result.attempt;
        await db.run(
          'INSERT INTO delivery_attempts (outbox_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
          [a.outboxId, a.attempt, a.at, a.statusCode, a.error, a.durationMs],
        );
        return true;
      },
      async release(id, owner) {
        await db.run(
          'UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
          [id, owner],
        );
      },
      async list(filter) {
        const where: string[] = [];
        const params: SqlValue[] = [];
        if (filter.applicationId !== undefined) {
          where.push('application_id = ?');
          params.push(filter.applicationId);
        }
        if (filter.status !== undefined) {
          where.push('status = ?');
          params.push(filter.status);
        }
        const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
        return many(
          `SELECT * FROM outbox ${clause} ORDER BY created_at, id LIMIT ?`,
          [...params, filter.limit],
          toOutbox,
        );
      },
      attempts: (id) =>
        many('SELECT * FROM delivery_attempts WHERE outbox_id = ? ORDER BY attempt', [id], toAttempt),
      async replay(id, now, applicationId) {
        const scoped = applicationId === undefined ? '' : ' AND application_id = ?';
        const params: SqlValue[] = ['pending', now, id];
        if (applicationId !== undefined) params.push(applicationId);
        const changed = await db.run(
          `UPDATE outbox SET status = ?, next_attempt_at = ?, finished_at = NULL WHERE id = ? AND status <> 'delivered'${scoped}`,
          params,
        );
        return changed > 0;
      },
      async backlog() {
        const rows = await db.all<Row>(
          "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'",
          [],
        );
        const oldest = rows[0]?.oldest;
        return {
          pending: num(rows[0]?.n ?? 0),
          oldestCreatedAt: oldest === null || oldest === undefined ? null : num(oldest),
        };
      },
    },
  };
}

export type { TimeWindow };
