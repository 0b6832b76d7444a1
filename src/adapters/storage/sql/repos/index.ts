/**
 * The repositories, written once in the SQL both SQLite and PostgreSQL understand, one file per
 * aggregate. Dialect differences are confined to the few places that branch on `db.dialect`.
 */
import type { Repos } from '../../../../ports/store.ts';
import type { SqlExecutor } from '../executor.ts';
import { accountsRepo } from './accounts.ts';
import { applicationsRepo } from './applications.ts';
import { calendarsRepo } from './calendars.ts';
import { channelsRepo } from './channels.ts';
import { connectionsRepo } from './connections.ts';
import { eventsRepo } from './events.ts';
import { linkGuardsRepo } from './link-guards.ts';
import { linksRepo } from './links.ts';
import { outboxRepo } from './outbox.ts';
import { periodsRepo } from './periods.ts';
import { reservationsRepo } from './reservations.ts';
import { rulesRepo } from './rules.ts';
import { sealedValuesRepo, settingsRepo } from './sealed.ts';
import { sourceStatusRepo } from './source-status.ts';
import { syncRepo } from './sync.ts';

/** Builds every repository over one executor (a transaction or the autocommit connection). */
export function sqlRepos(db: SqlExecutor): Repos {
  return {
    applications: applicationsRepo(db),
    accounts: accountsRepo(db),
    calendars: calendarsRepo(db),
    events: eventsRepo(db),
    rules: rulesRepo(db),
    periods: periodsRepo(db),
    links: linksRepo(db),
    reservations: reservationsRepo(db),
    outbox: outboxRepo(db),
    linkGuards: linkGuardsRepo(db),
    sourceStatus: sourceStatusRepo(db),
    sealedValues: sealedValuesRepo(db),
    settings: settingsRepo(db),
    connections: connectionsRepo(db),
    channels: channelsRepo(db),
    sync: syncRepo(db),
  };
}
