-- Push notification channels (SPEC 8d). A channel watches its account's calendars, or only those
-- listed in channel_calendars when calendar_filtered = 1; `filters` is the filters object as the
-- client sent it (known keys only), echoed in every answer and notification.
-- channel_changes holds at most one pending change per channel: the time of the earliest change not
-- yet notified. Event writes add or lower it in their transaction; the outbox worker turns it into a
-- `change` notification once the channel's last one is a second old (last_notified_at).
-- events_by_calendar_updated serves GET /v1/events?last_modified=….
CREATE TABLE channels (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  callback_url TEXT NOT NULL,
  calendar_filtered INTEGER NOT NULL,
  only_managed INTEGER NOT NULL,
  filters TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_notified_at INTEGER
);
CREATE INDEX channels_by_account ON channels(account_id, created_at);
CREATE TABLE channel_calendars (
  channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  calendar_id TEXT NOT NULL,
  PRIMARY KEY (channel_id, calendar_id)
);
CREATE TABLE channel_changes (
  channel_id TEXT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
  changes_since INTEGER NOT NULL
);
CREATE INDEX channel_changes_by_time ON channel_changes(changes_since);
CREATE INDEX events_by_calendar_updated ON events(calendar_id, updated_at);
