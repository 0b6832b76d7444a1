-- Google Calendar and Microsoft 365 calendars kept by sync (SPEC 8c). synced_calendars says where
-- each calendar's sync stands: its cursor (sync token or delta link), the range its copy covers,
-- when it is due next (a push brings it forward), the lease of the process syncing it, and its
-- push subscription (the secret the provider sends back is kept as a hash). synced_busy is the
-- copy: one row per busy event (instance) by the provider's key; events that are not busy, and the
-- events rtseq wrote itself (kept in events), have none. provider_events keeps the provider's id of
-- each event rtseq wrote, for its later patch and delete.
CREATE TABLE synced_calendars (
  calendar_id TEXT PRIMARY KEY REFERENCES calendars(id),
  profile_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  remote_id TEXT NOT NULL,
  cursor TEXT,
  covered_start INTEGER,
  covered_end INTEGER,
  synced_at INTEGER,
  due_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL,
  failure TEXT,
  watch_id TEXT,
  watch_resource_id TEXT,
  watch_secret_hash TEXT,
  watch_expires_at INTEGER
);
CREATE INDEX synced_calendars_by_due ON synced_calendars(due_at);
CREATE INDEX synced_calendars_by_watch_end ON synced_calendars(watch_expires_at);
CREATE INDEX synced_calendars_by_profile ON synced_calendars(profile_id);
CREATE UNIQUE INDEX synced_calendars_by_watch ON synced_calendars(watch_id);
CREATE TABLE synced_busy (
  calendar_id TEXT NOT NULL,
  event_key TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  PRIMARY KEY (calendar_id, event_key)
);
CREATE INDEX synced_busy_by_calendar_end ON synced_busy(calendar_id, end_ms, start_ms);
CREATE TABLE provider_events (
  calendar_id TEXT NOT NULL,
  event_uid TEXT NOT NULL,
  remote_id TEXT NOT NULL,
  PRIMARY KEY (calendar_id, event_uid)
);
