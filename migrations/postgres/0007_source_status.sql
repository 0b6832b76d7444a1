-- The last read of each external calendar (SPEC 8 "the account's source status"): when, whether it
-- succeeded or why not (the words the API and page use), how many busy intervals it yielded, and
-- which recurrence rules expansion ignored (a JSON array of notes). One row per calendar, replaced
-- by every read that is newer than the stored one.
CREATE TABLE IF NOT EXISTS calendar_source_status (
  calendar_id TEXT COLLATE "C" PRIMARY KEY REFERENCES calendars(id),
  read_at BIGINT NOT NULL,
  ok SMALLINT NOT NULL,
  reason TEXT COLLATE "C",
  busy_count BIGINT,
  ignored TEXT COLLATE "C" NOT NULL,
  window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL
);
