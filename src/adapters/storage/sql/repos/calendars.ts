/** Calendars (native and external). Their `version` is bumped by every event write (events.ts). */
import type { CalendarRecord, CalendarRepo } from '../../../../ports/store.ts';
import type { SqlExecutor } from '../executor.ts';
import { bool, counter, int, oneOf, rowsOf, table, text, textOrAbsent, textOrNull } from './table.ts';

const CALENDARS = table<CalendarRecord>(
  'calendars',
  {
    id: text,
    accountId: text,
    name: text,
    kind: oneOf('native|caldav|ics|google|office365'),
    readOnly: bool,
    primary: bool,
    deleted: bool,
    tzid: text,
    color: textOrNull,
    sourceSealed: textOrNull,
    createdAt: int,
    version: counter,
    profileId: textOrAbsent,
  },
  { primary: 'is_primary' },
);

export function calendarsRepo(db: SqlExecutor): CalendarRepo {
  const calendars = rowsOf(db, CALENDARS);
  return {
    insert: calendars.insert,
    byId: (id) => calendars.one('SELECT * FROM calendars WHERE id = ?', [id]),
    byAccount: (accountId) =>
      calendars.many('SELECT * FROM calendars WHERE account_id = ? ORDER BY created_at, id', [accountId]),
    byAccounts: (accountIds) =>
      calendars.manyIn(
        accountIds,
        (list) => `SELECT * FROM calendars WHERE account_id IN (${list}) ORDER BY created_at, id`,
      ),
    externalOf: (applicationId, { accountId, limit }) =>
      calendars.many(
        `SELECT c.* FROM calendars c JOIN accounts a ON a.id = c.account_id
         WHERE a.application_id = ? AND c.kind <> 'native' AND c.deleted = 0${accountId === undefined ? '' : ' AND c.account_id = ?'}
         ORDER BY c.created_at, c.id LIMIT ?`,
        [applicationId, ...(accountId === undefined ? [] : [accountId]), limit],
      ),
  };
}
