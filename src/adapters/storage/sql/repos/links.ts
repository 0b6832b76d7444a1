/** Real-time scheduling and sequencing links. */
import type { LinkRecord, LinkRepo } from '../../../../ports/store.ts';
import type { SqlExecutor } from '../executor.ts';
import { int, intOrNull, json, jsonOrNull, oneOf, rowsOf, table, text, textOrNull } from './table.ts';

const LINKS = table<LinkRecord>('links', {
  id: text,
  applicationId: text,
  kind: oneOf('sequencing|scheduling'),
  tokenHash: text,
  tokenSealed: text,
  status: oneOf('open|completed|disabled'),
  request: json(),
  createdAt: int,
  expiresAt: int,
  completedAt: intOrNull,
  booked: jsonOrNull(),
  displayMessage: textOrNull,
});

export function linksRepo(db: SqlExecutor): LinkRepo {
  const links = rowsOf(db, LINKS);
  return {
    insert: links.insert,
    byId: (applicationId, id) =>
      links.one('SELECT * FROM links WHERE application_id = ? AND id = ?', [applicationId, id]),
    byTokenHash: (hash) => links.one('SELECT * FROM links WHERE token_hash = ?', [hash]),
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
  };
}
