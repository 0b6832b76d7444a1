-- Push notification channels (SPEC 8d). A channel watches its account's calendars, or only those
-- listed in channel_calendars when calendar_filtered = 1; `filters` is the filters object as the
-- client sent it (known keys only), echoed in every answer and notification.
-- channel_changes holds at most one pending change per channel: the time of the earliest change not
-- yet notified. Event writes add or lower it in their transaction; the outbox worker turns it into a
-- `change` notification once the channel's last one is a second old (last_notified_at).
-- events_by_calendar_updated serves GET /v1/events?last_modified=….
CREATE TABLE channels (
  id TEXT COLLATE "C" PRIMARY KEY,
  application_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id),
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  callback_url TEXT COLLATE "C" NOT NULL,
  calendar_filtered SMALLINT NOT NULL,
  only_managed SMALLINT NOT NULL,
  filters TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  last_notified_at BIGINT
);
CREATE INDEX channels_by_account ON channels(account_id, created_at);
CREATE TABLE channel_calendars (
  channel_id TEXT COLLATE "C" NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  calendar_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (channel_id, calendar_id)
);
CREATE TABLE channel_changes (
  channel_id TEXT COLLATE "C" PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
  changes_since BIGINT NOT NULL
);
CREATE INDEX channel_changes_by_time ON channel_changes(changes_since);
CREATE INDEX events_by_calendar_updated ON events(calendar_id, updated_at);
