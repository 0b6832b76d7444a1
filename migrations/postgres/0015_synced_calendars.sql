-- Google Calendar and Microsoft 365 calendars kept by sync (SPEC 8c). synced_calendars says where
-- each calendar's sync stands: its cursor (sync token or delta link), the range its copy covers,
-- when it is due next (a push brings it forward), the lease of the process syncing it, and its
-- push subscription (the secret the provider sends back is kept as a hash). synced_busy is the
-- copy: one row per busy event (instance) by the provider's key; events that are not busy, and the
-- events rtseq wrote itself (kept in events), have none. provider_events keeps the provider's id of
-- each event rtseq wrote, for its later patch and delete.
CREATE TABLE synced_calendars (
  calendar_id TEXT COLLATE "C" PRIMARY KEY REFERENCES calendars(id),
  profile_id TEXT COLLATE "C" NOT NULL,
  provider TEXT COLLATE "C" NOT NULL,
  remote_id TEXT COLLATE "C" NOT NULL,
  cursor TEXT COLLATE "C",
  covered_start BIGINT,
  covered_end BIGINT,
  synced_at BIGINT,
  due_at BIGINT NOT NULL,
  lease_until BIGINT NOT NULL,
  failure TEXT COLLATE "C",
  watch_id TEXT COLLATE "C",
  watch_resource_id TEXT COLLATE "C",
  watch_secret_hash TEXT COLLATE "C",
  watch_expires_at BIGINT
);
CREATE INDEX synced_calendars_by_due ON synced_calendars(due_at);
CREATE INDEX synced_calendars_by_watch_end ON synced_calendars(watch_expires_at);
CREATE INDEX synced_calendars_by_profile ON synced_calendars(profile_id);
CREATE UNIQUE INDEX synced_calendars_by_watch ON synced_calendars(watch_id);
CREATE TABLE synced_busy (
  calendar_id TEXT COLLATE "C" NOT NULL,
  event_key TEXT COLLATE "C" NOT NULL,
  start_ms BIGINT NOT NULL,
  end_ms BIGINT NOT NULL,
  PRIMARY KEY (calendar_id, event_key)
);
CREATE INDEX synced_busy_by_calendar_end ON synced_busy(calendar_id, end_ms, start_ms);
CREATE TABLE provider_events (
  calendar_id TEXT COLLATE "C" NOT NULL,
  event_uid TEXT COLLATE "C" NOT NULL,
  remote_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (calendar_id, event_uid)
);
